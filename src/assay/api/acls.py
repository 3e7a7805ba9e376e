"""The reference's access-control routes: `/v1/acl`, `/v1/role`, `/v1/group`."""

from __future__ import annotations

from typing import Any

from fastapi import Body, Depends, Query

from assay.api.deps import caller, paging, services
from assay.api.models import AUTHENTICATED, errors
from assay.api.routing import api_router
from assay.model.access import AclObjectType
from assay.model.acl_api import (
    Acl,
    AclBatch,
    AclBatchResult,
    AclItem,
    Acls,
    CreateGroup,
    CreateRole,
    Group,
    Groups,
    PatchGroup,
    PatchRole,
    Role,
    Roles,
)
from assay.model.errors import InvalidInput, NotFound
from assay.services import acls
from assay.services.auth import Principal
from assay.services.catalog import Page
from assay.services.context import Services

router = api_router(tags=["access control"], responses={**AUTHENTICATED, **errors(403, 404)})


@router.get("/v1/acl", response_model=Acls)
def list_acls(
    object_type: AclObjectType,
    object_id: str = Query(min_length=1),
    page: Page = Depends(paging),
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> Any:
    """The ACLs placed on one object (needs `read_acls` on it)."""
    return {"objects": page.of(acls.list_acls(svc, who, object_type, object_id))}


@router.post("/v1/acl", response_model=Acl)
def create_acl(body: AclItem, who: Principal = Depends(caller), svc: Services = Depends(services)) -> Any:
    """Grant a permission or a role to a user or a group on an object; an identical ACL is returned."""
    return acls.add(svc, who, body)


@router.delete("/v1/acl", response_model=Acl)
def find_and_delete_acl(
    body: AclItem = Body(...), who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    """Revoke the ACL with exactly this content."""
    found = acls.remove(svc, who, body)
    if found is None:
        raise NotFound("acl not found (no ACL with this content)")
    return found


@router.post("/v1/acl/batch_update", response_model=AclBatchResult)
def batch_update(body: AclBatch, who: Principal = Depends(caller), svc: Services = Depends(services)) -> Any:
    """Add and remove ACLs at once; adding an existing one or removing a missing one changes nothing."""
    return acls.batch(svc, who, body.add_acls, body.remove_acls)


@router.get("/v1/acl/list_org", response_model=Acls)
def list_org(
    org_name: str | None = None,
    page: Page = Depends(paging),
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> Any:
    """Every ACL of the organization (needs `read_acls` on it)."""
    if org_name and org_name != who.org_name:
        raise InvalidInput(f"unknown organization {org_name!r} for this caller")
    return {"objects": page.of(acls.list_org(svc, who))}


@router.get("/v1/acl/{acl_id}", response_model=Acl)
def get_acl(acl_id: str, who: Principal = Depends(caller), svc: Services = Depends(services)) -> Any:
    return acls.get(svc, who, acl_id)


@router.delete("/v1/acl/{acl_id}", response_model=Acl)
def delete_acl(acl_id: str, who: Principal = Depends(caller), svc: Services = Depends(services)) -> Any:
    return acls.delete(svc, who, acl_id)


@router.get("/v1/role", response_model=Roles)
def list_roles(
    role_name: str | None = None,
    page: Page = Depends(paging),
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> Any:
    """The organization's roles and the system roles (`org_id` null: Owner, Engineer, Viewer)."""
    found = [r for r in acls.list_roles(svc, who) if role_name is None or r["name"] == role_name]
    return {"objects": page.of(found)}


@router.post("/v1/role", response_model=Role)
def create_role(body: CreateRole, who: Principal = Depends(caller), svc: Services = Depends(services)) -> Any:
    """Create a role (needs Manage access); a role of that name is returned unchanged."""
    return acls.create_role(svc, who, body)


@router.put("/v1/role", response_model=Role)
def replace_role(
    body: CreateRole, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    return acls.create_role(svc, who, body, "replace")


@router.get("/v1/role/{role_id}", response_model=Role)
def get_role(role_id: str, who: Principal = Depends(caller), svc: Services = Depends(services)) -> Any:
    return acls.get_role(svc, who, role_id)


@router.patch("/v1/role/{role_id}", response_model=Role)
def patch_role(
    role_id: str, body: PatchRole, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    return acls.patch_role(svc, who, role_id, body)


@router.delete("/v1/role/{role_id}", response_model=Role)
def delete_role(role_id: str, who: Principal = Depends(caller), svc: Services = Depends(services)) -> Any:
    return acls.delete_role(svc, who, role_id)


@router.get("/v1/group", response_model=Groups)
def list_groups(
    group_name: str | None = None,
    page: Page = Depends(paging),
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> Any:
    """The organization's groups, the built-in ones (Owners, Engineers, Viewers) included."""
    found = [g for g in acls.list_groups(svc, who) if group_name is None or g["name"] == group_name]
    return {"objects": page.of(found)}


@router.post("/v1/group", response_model=Group)
def create_group(
    body: CreateGroup, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    """Create a group (needs Manage access); a group of that name is returned unchanged."""
    return acls.create_group(svc, who, body)


@router.put("/v1/group", response_model=Group)
def replace_group(
    body: CreateGroup, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    return acls.create_group(svc, who, body, "replace")


@router.get("/v1/group/{group_id}", response_model=Group)
def get_group(group_id: str, who: Principal = Depends(caller), svc: Services = Depends(services)) -> Any:
    return acls.get_group(svc, who, group_id)


@router.patch("/v1/group/{group_id}", response_model=Group)
def patch_group(
    group_id: str, body: PatchGroup, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    """Rename, describe, and add or remove member users and groups."""
    return acls.patch_group(svc, who, group_id, body)


@router.delete("/v1/group/{group_id}", response_model=Group)
def delete_group(group_id: str, who: Principal = Depends(caller), svc: Services = Depends(services)) -> Any:
    return acls.delete_group(svc, who, group_id)

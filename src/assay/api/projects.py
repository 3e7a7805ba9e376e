"""`/v1/project` and `/v1/project_logs/{project_id}/…` (braintrust-api.md §d.2, §d.4)."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Query

from assay.api.deps import caller, paging, services
from assay.api.models import AUTHENTICATED, ObjectId, Project, ProjectList, errors
from assay.api.routing import api_router
from assay.api.row_routes import add_row_routes
from assay.model.errors import InvalidInput
from assay.model.objects import CreateProject, PatchProject
from assay.services import catalog
from assay.services.auth import Principal
from assay.services.catalog import Page
from assay.services.context import Services

router = api_router(tags=["projects"], responses=AUTHENTICATED)


@router.post("/v1/project", response_model=Project, responses=errors(403))
def create_project(
    body: CreateProject, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    """Create a project, or return the existing one with that name unchanged."""
    return catalog.create_project(svc, who, body)


@router.get("/v1/project", response_model=ProjectList)
def list_projects(
    project_name: str | None = None,
    name: str | None = Query(None, description="Same as project_name (the reference accepts both)."),
    org_name: str | None = None,
    ids: list[ObjectId] | None = Query(None, description="Only these objects (their UUIDs)"),
    page: Page = Depends(paging),
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    if org_name and org_name != who.org_name:
        raise InvalidInput(f"unknown organization {org_name!r} for this API key")
    if project_name and name and project_name != name:
        raise InvalidInput("project_name and name name different projects; pass one of them")
    found = catalog.readable(
        svc,
        who,
        "project",
        svc.store.list_objects("project", org_id=who.org_id, name=project_name or name, ids=ids),
    )
    return {"objects": page.of(found)}


@router.get("/v1/project/{project_id}", response_model=Project, responses=errors(404))
def get_project(project_id: str, who: Principal = Depends(caller), svc: Services = Depends(services)) -> Any:
    return catalog.get_object(svc, who, "project", project_id)


@router.patch("/v1/project/{project_id}", response_model=Project, responses=errors(403, 404, 409))
def patch_project(
    project_id: str, body: PatchProject, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    return catalog.patch_object(svc, who, "project", project_id, body.model_dump(exclude_unset=True))


@router.delete("/v1/project/{project_id}", response_model=Project, responses=errors(403, 404))
def delete_project(
    project_id: str, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    return catalog.delete_object(svc, who, "project", project_id)


add_row_routes(router, "/v1/project_logs", "project_logs")

"""ACLs, roles and groups as the reference's API edits them (`/v1/acl`, `/v1/role`, `/v1/group`).

Who may do what: reading the ACLs of an object needs `read_acls` on it, adding one `create_acls`,
removing one `delete_acls` (Owners hold all three everywhere). Creating, changing and deleting
roles and groups is managing access to the organization. Every member may list the groups and
roles. The system roles (Owner, Engineer, Viewer) and the built-in groups cannot be changed or
deleted, only used (a built-in group's members can change: that is what inviting does).
"""

from __future__ import annotations

import uuid
from typing import Any

from assay.model.access import BUILTIN_GROUP_NAMES, SYSTEM_ROLES, AclObjectType, acl_key
from assay.model.acl_api import AclItem, CreateGroup, CreateRole, PatchGroup, PatchRole
from assay.model.errors import InvalidInput, NotFound
from assay.model.objects import utcnow
from assay.services.auth import Action, Principal, Resource, require
from assay.services.catalog import get_object, rows_owner
from assay.services.context import Services

# ACL object types whose object is the organization itself
ORG_LEVEL = ("organization", "org_project", "org_member")


def _object(svc: Services, who: Principal, object_type: str, object_id: str) -> Resource:
    """The resource an ACL is placed on, once it is found and readable (else 404)."""
    if object_type in ORG_LEVEL:
        if object_id != who.org_id:
            raise NotFound(f"{object_type} {object_id!r} not found")
        return Resource("member" if object_type == "org_member" else "org", who.org_id, who.org_id)
    if object_type in ("project", "experiment", "dataset"):
        doc = get_object(svc, who, object_type, object_id)  # type: ignore[arg-type]
        project_id = doc["id"] if object_type == "project" else doc["project_id"]
        return Resource(object_type, doc["id"], who.org_id, project_id)  # type: ignore[arg-type]
    if object_type == "project_log":
        doc = rows_owner(svc, who, "project_logs", object_id)
        return Resource("project_logs", doc["id"], who.org_id, doc["id"])
    if object_type in ("group", "role"):
        found = svc.store.records.get(object_type, object_id)  # type: ignore[arg-type]
        if found is None or found.org_id != who.org_id:
            raise NotFound(f"{object_type} {object_id!r} not found")
        return Resource(object_type, object_id, who.org_id)  # type: ignore[arg-type]
    raise InvalidInput(f"Assay does not keep {object_type} objects: no ACLs can be placed on them")


def _require_on(svc: Services, who: Principal, item: AclItem, action: Action) -> Resource:
    resource = _object(svc, who, item.object_type, item.object_id)
    require(svc.policy, who, action, resource, f"{item.object_type} {item.object_id!r}")
    return resource


def _check_item(svc: Services, who: Principal, item: AclItem) -> None:
    if (item.user_id is None) == (item.group_id is None):
        raise InvalidInput("an ACL names exactly one of user_id and group_id")
    if (item.permission is None) == (item.role_id is None):
        raise InvalidInput("an ACL grants exactly one of permission and role_id")
    if item.role_id and item.restrict_object_type:
        raise InvalidInput("restrict_object_type cannot be set alongside a role_id")
    if item.user_id and item.user_id not in {m.user.id for m in svc.store.people.list_members(who.org_id)}:
        raise NotFound(f"no member {item.user_id!r} in this organization")
    if item.group_id:
        found = svc.store.records.get("group", item.group_id)
        if found is None or found.org_id != who.org_id:
            raise NotFound(f"group {item.group_id!r} not found")
    if item.role_id and item.role_id not in SYSTEM_ROLES:
        found = svc.store.records.get("role", item.role_id)
        if found is None or found.org_id != who.org_id:
            raise NotFound(f"role {item.role_id!r} not found")


def _doc(who: Principal, item: AclItem) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        **item.model_dump(),
        "_object_org_id": who.org_id,
        "created": utcnow().isoformat(),
    }


def list_acls(
    svc: Services, who: Principal, object_type: AclObjectType, object_id: str
) -> list[dict[str, Any]]:
    item = AclItem(object_type=object_type, object_id=object_id)
    _require_on(svc, who, item, "read_acls")
    return [
        a for a in svc.store.records.list_of("acl", who.org_id, object_id) if a["object_type"] == object_type
    ]


def list_org(svc: Services, who: Principal) -> list[dict[str, Any]]:
    """Every ACL of the organization (needs `read_acls` on the organization)."""
    require(svc.policy, who, "read_acls", Resource("org", who.org_id, who.org_id), "the organization")
    return svc.store.records.list_of("acl", who.org_id)


def add(svc: Services, who: Principal, item: AclItem) -> dict[str, Any]:
    """Grant; an identical ACL is returned as it is."""
    _require_on(svc, who, item, "create_acls")
    _check_item(svc, who, item)
    doc = _doc(who, item)
    return svc.store.records.put("acl", who.org_id, item.object_id, acl_key(doc), doc, "return")[0]


def remove(svc: Services, who: Principal, item: AclItem) -> dict[str, Any] | None:
    """Revoke the ACL with exactly this content, if there is one."""
    _require_on(svc, who, item, "delete_acls")
    key = acl_key(item.model_dump())
    for acl in svc.store.records.list_of("acl", who.org_id, item.object_id):
        if acl_key(acl) == key:
            return svc.store.records.delete("acl", acl["id"])
    return None


def get(svc: Services, who: Principal, acl_id: str, action: Action = "read_acls") -> dict[str, Any]:
    found = svc.store.records.get("acl", acl_id)
    if found is None or found.org_id != who.org_id:
        raise NotFound(f"acl {acl_id!r} not found")
    doc = found.doc
    try:
        _require_on(svc, who, AclItem(object_type=doc["object_type"], object_id=doc["object_id"]), action)
    except NotFound:  # on an object the caller cannot see: the ACL is not there for them either
        raise NotFound(f"acl {acl_id!r} not found") from None
    return doc


def delete(svc: Services, who: Principal, acl_id: str) -> dict[str, Any]:
    doc = get(svc, who, acl_id, "delete_acls")
    svc.store.records.delete("acl", acl_id)
    return doc


def batch(
    svc: Services, who: Principal, add_acls: list[AclItem], remove_acls: list[AclItem]
) -> dict[str, Any]:
    """Idempotent: adding what exists and removing what does not change nothing. Every item is
    checked before anything changes."""
    for item in add_acls:
        _require_on(svc, who, item, "create_acls")
        _check_item(svc, who, item)
    for item in remove_acls:
        _require_on(svc, who, item, "delete_acls")
    added = [add(svc, who, item) for item in add_acls]
    removed = [r for item in remove_acls if (r := remove(svc, who, item)) is not None]
    return {"added_acls": added, "removed_acls": removed}


# -- roles and groups -------------------------------------------------------------------------
def _manage(svc: Services, who: Principal, what: str) -> None:
    require(svc.policy, who, "manage", Resource("org", who.org_id, who.org_id), what)


def system_role(role_id: str) -> dict[str, Any]:
    role = SYSTEM_ROLES[role_id]
    return {
        "id": role.id,
        "org_id": None,
        "name": role.name,
        "description": role.description,
        "member_permissions": [{"permission": p, "restrict_object_type": None} for p in role.permissions],
        "member_roles": [],
        "user_id": None,
        "created": None,
        "deleted_at": None,
    }


def list_roles(svc: Services, who: Principal) -> list[dict[str, Any]]:
    return [*svc.store.records.list_of("role", who.org_id), *(system_role(r) for r in SYSTEM_ROLES)]


def get_role(svc: Services, who: Principal, role_id: str) -> dict[str, Any]:
    if role_id in SYSTEM_ROLES:
        return system_role(role_id)
    found = svc.store.records.get("role", role_id)
    if found is None or found.org_id != who.org_id:
        raise NotFound(f"role {role_id!r} not found")
    return found.doc


def _known_roles(svc: Services, who: Principal, ids: list[str]) -> None:
    for role_id in ids:
        get_role(svc, who, role_id)


def create_role(svc: Services, who: Principal, body: CreateRole, if_exists: str = "return") -> dict[str, Any]:
    _manage(svc, who, "roles")
    _known_roles(svc, who, body.member_roles)
    doc = {
        "id": str(uuid.uuid4()),
        "org_id": who.org_id,
        "name": body.name,
        "description": body.description,
        "member_permissions": [p.model_dump() for p in body.member_permissions],
        "member_roles": body.member_roles,
        "user_id": who.user_id,
        "created": utcnow().isoformat(),
        "deleted_at": None,
    }
    return svc.store.records.put("role", who.org_id, None, body.name, doc, if_exists)[0]  # type: ignore[arg-type]


def _editable_role(svc: Services, who: Principal, role_id: str) -> dict[str, Any]:
    doc = get_role(svc, who, role_id)
    _manage(svc, who, f"role {role_id!r}")
    if doc["org_id"] is None:
        raise InvalidInput(f"the system role {doc['name']!r} cannot be changed")
    return doc


def patch_role(svc: Services, who: Principal, role_id: str, body: PatchRole) -> dict[str, Any]:
    doc = dict(_editable_role(svc, who, role_id))
    _known_roles(svc, who, body.add_member_roles)
    drop = [p.model_dump() for p in body.remove_member_permissions]
    perms = [p for p in doc["member_permissions"] if p not in drop]
    perms += [p.model_dump() for p in body.add_member_permissions if p.model_dump() not in perms]
    roles = [r for r in doc["member_roles"] if r not in body.remove_member_roles]
    roles += [r for r in body.add_member_roles if r not in roles]
    doc.update(member_permissions=perms, member_roles=roles)
    if body.name is not None:
        doc["name"] = body.name
    if body.description is not None:
        doc["description"] = body.description
    return svc.store.records.update("role", role_id, doc["name"], doc)


def delete_role(svc: Services, who: Principal, role_id: str) -> dict[str, Any]:
    doc = _editable_role(svc, who, role_id)
    svc.store.records.delete("role", role_id)
    return {**doc, "deleted_at": utcnow().isoformat()}


def list_groups(svc: Services, who: Principal) -> list[dict[str, Any]]:
    return svc.store.records.list_of("group", who.org_id)


def get_group(svc: Services, who: Principal, group_id: str) -> dict[str, Any]:
    found = svc.store.records.get("group", group_id)
    if found is None or found.org_id != who.org_id:
        raise NotFound(f"group {group_id!r} not found")
    return found.doc


def _known_members(svc: Services, who: Principal, users: list[str], groups: list[str]) -> None:
    members = {m.user.id for m in svc.store.people.list_members(who.org_id)}
    for user_id in users:
        if user_id not in members:
            raise NotFound(f"no member {user_id!r} in this organization (invite them first)")
    for group_id in groups:
        get_group(svc, who, group_id)


def create_group(
    svc: Services, who: Principal, body: CreateGroup, if_exists: str = "return"
) -> dict[str, Any]:
    _manage(svc, who, "groups")
    _known_members(svc, who, body.member_users, body.member_groups)
    doc = {
        "id": str(uuid.uuid4()),
        "org_id": who.org_id,
        "name": body.name,
        "description": body.description,
        "member_users": list(dict.fromkeys(body.member_users)),
        "member_groups": list(dict.fromkeys(body.member_groups)),
        "user_id": who.user_id,
        "created": utcnow().isoformat(),
        "deleted_at": None,
    }
    if if_exists == "replace" and body.name in BUILTIN_GROUP_NAMES:
        raise InvalidInput(f"the built-in group {body.name!r} cannot be replaced")
    return svc.store.records.put("group", who.org_id, None, body.name, doc, if_exists)[0]  # type: ignore[arg-type]


def patch_group(svc: Services, who: Principal, group_id: str, body: PatchGroup) -> dict[str, Any]:
    doc = dict(get_group(svc, who, group_id))
    _manage(svc, who, f"group {group_id!r}")
    _known_members(svc, who, body.add_member_users, body.add_member_groups)
    if body.name is not None and body.name != doc["name"] and doc["name"] in BUILTIN_GROUP_NAMES:
        raise InvalidInput(f"the built-in group {doc['name']!r} cannot be renamed")
    users = [u for u in doc.get("member_users") or [] if u not in body.remove_member_users]
    users += [u for u in body.add_member_users if u not in users]
    groups = [g for g in doc.get("member_groups") or [] if g not in body.remove_member_groups]
    groups += [g for g in body.add_member_groups if g not in groups and g != group_id]
    doc.update(member_users=users, member_groups=groups)
    if body.name is not None:
        doc["name"] = body.name
    if body.description is not None:
        doc["description"] = body.description
    return svc.store.records.update("group", group_id, doc["name"], doc)


def delete_group(svc: Services, who: Principal, group_id: str) -> dict[str, Any]:
    doc = get_group(svc, who, group_id)
    _manage(svc, who, f"group {group_id!r}")
    if doc["name"] in BUILTIN_GROUP_NAMES:
        raise InvalidInput(f"the built-in group {doc['name']!r} cannot be deleted")
    svc.store.records.delete("group", group_id)
    for acl in svc.store.records.list_of("acl", who.org_id):
        if acl.get("group_id") == group_id:
            svc.store.records.delete("acl", acl["id"])
    return {**doc, "deleted_at": utcnow().isoformat()}

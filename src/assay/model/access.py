"""Access control as the reference models it (braintrust-features.md §7), declared once.

- A *permission* permits one kind of operation: `create`, `read`, `update`, `delete`, and the four
  ACL permissions (`create_acls` … `delete_acls`, together "manage access").
- An *ACL* grants a permission, or a *role* (a named set of permissions), to a user or a *group*
  on an object; grants are inherited down the object hierarchy and only ever add
  (organization → all projects → project → experiment, dataset, project logs).
  `restrict_object_type` narrows a grant to one kind of object.
- Every organization has three built-in groups: Owners (everything), Engineers (create, read,
  update and delete every project and what it holds) and Viewers (read every project).

The organization-level permissions of the reference's settings page are ACLs on the
organization itself: *manage settings* is `update` restricted to `organization`, *manage members*
is `create` (invite) and `delete` (remove) restricted to `org_member`, *manage access* the ACL
permissions.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from assay.model.objects import utcnow

Permission = Literal[
    "create", "read", "update", "delete", "create_acls", "read_acls", "update_acls", "delete_acls"
]
PERMISSIONS: tuple[Permission, ...] = get_args(Permission)
ACL_PERMISSIONS: tuple[Permission, ...] = ("create_acls", "read_acls", "update_acls", "delete_acls")

# Every object type of the reference's `AclObjectType`; Assay decides on those in OBJECT_LEVELS.
AclObjectType = Literal[
    "organization",
    "project",
    "experiment",
    "dataset",
    "prompt",
    "prompt_session",
    "group",
    "role",
    "org_member",
    "project_log",
    "org_project",
]
ACL_OBJECT_TYPES: tuple[AclObjectType, ...] = get_args(AclObjectType)
# The object types a grant can be placed on in Assay, outermost first.
GRANTABLE: tuple[AclObjectType, ...] = (
    "organization",
    "org_project",
    "project",
    "experiment",
    "dataset",
    "project_log",
    "group",
    "role",
    "org_member",
)


@dataclass(frozen=True)
class SystemRole:
    """A role every organization can use and nobody can edit (`org_id` null in the API)."""

    id: str
    name: str
    description: str
    permissions: tuple[Permission, ...]


OWNER_ROLE = SystemRole(
    "00000000-0000-4000-8000-00000000a001", "Owner", "Every permission, including access.", PERMISSIONS
)
ENGINEER_ROLE = SystemRole(
    "00000000-0000-4000-8000-00000000a002",
    "Engineer",
    "Create, read, update and delete.",
    ("create", "read", "update", "delete"),
)
VIEWER_ROLE = SystemRole("00000000-0000-4000-8000-00000000a003", "Viewer", "Read only.", ("read",))
SYSTEM_ROLES: dict[str, SystemRole] = {r.id: r for r in (OWNER_ROLE, ENGINEER_ROLE, VIEWER_ROLE)}


@dataclass(frozen=True)
class BuiltinGroup:
    """A group every organization is created with, and the one grant that defines it."""

    name: str
    description: str
    object_type: AclObjectType  # granted on the organization itself or on all its projects
    role: SystemRole


BUILTIN_GROUPS: tuple[BuiltinGroup, ...] = (
    BuiltinGroup(
        "Owners",
        "Unrestricted access to the organization, its data and its settings; invite and remove "
        "members and manage access.",
        "organization",
        OWNER_ROLE,
    ),
    BuiltinGroup(
        "Engineers",
        "Create, read, update and delete projects and everything in them; cannot manage members or access.",
        "org_project",
        ENGINEER_ROLE,
    ),
    BuiltinGroup(
        "Viewers", "Read projects and everything in them; cannot change anything.", "org_project", VIEWER_ROLE
    ),
)
BUILTIN_GROUP_NAMES = tuple(g.name for g in BUILTIN_GROUPS)


@dataclass(frozen=True)
class Grant:
    """One effective permission of a caller: `permission` on (`object_type`, `object_id`) and
    everything below it, narrowed to `restrict_object_type` when set."""

    object_type: AclObjectType
    object_id: str
    permission: Permission
    restrict_object_type: AclObjectType | None = None


ACL_CONTENT = (
    "object_type",
    "object_id",
    "user_id",
    "group_id",
    "permission",
    "role_id",
    "restrict_object_type",
)


def acl_key(acl: Mapping[str, Any]) -> str:
    """Two ACLs with the same content are the same ACL (the reference returns the existing one)."""
    return "|".join(str(acl.get(f) or "") for f in ACL_CONTENT)


def acl_doc(
    org_id: str,
    object_type: str,
    object_id: str,
    *,
    user_id: str | None = None,
    group_id: str | None = None,
    permission: str | None = None,
    role_id: str | None = None,
    restrict_object_type: str | None = None,
) -> dict[str, Any]:
    """An ACL document in the reference's `Acl` shape."""
    return {
        "id": str(uuid.uuid4()),
        "object_type": object_type,
        "object_id": object_id,
        "user_id": user_id,
        "group_id": group_id,
        "permission": permission,
        "restrict_object_type": restrict_object_type,
        "role_id": role_id,
        "_object_org_id": org_id,
        "created": utcnow().isoformat(),
    }

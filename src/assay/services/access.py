"""The access policy: users, groups, roles and ACLs, as the reference models them.

`AccessPolicy.authenticate` (an API key) and `for_user` (a browser session) resolve the caller
and compute their *grants* in that organization once per request: every ACL naming the user or a
group they belong to (group membership is inherited through `member_groups`), with roles expanded
to their permissions (through `member_roles`). `can` is then a pure function of the grants and the
resolved resource: a grant applies to its object and everything below it, only ever adds, and
`restrict_object_type` narrows it to one kind of object. Being a member lets one read the
organization itself (its members, groups and roles), nothing more.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from assay.model.access import SYSTEM_ROLES, AclObjectType, Grant, Permission
from assay.services.auth import Action, Principal, Resource, hash_token, owner_of, unauthorized
from assay.services.change_cache import ChangeCache
from assay.store.base import Store

# Which ACL object type each resource kind is, for `restrict_object_type`.
TARGET: dict[str, AclObjectType] = {
    "org": "organization",
    "project": "project",
    "experiment": "experiment",
    "dataset": "dataset",
    "project_logs": "project_log",
    "view": "project",
    "member": "org_member",
    "group": "group",
    "role": "role",
}


def chain(resource: Resource, target: AclObjectType) -> set[tuple[str, str]]:
    """The objects whose grants apply to `resource`: itself and everything above it."""
    org = ("organization", resource.org_id)
    if target in ("organization", "org_member", "group", "role"):
        return {org, (target, resource.id)}
    out = {org, ("org_project", resource.org_id), ("project", resource.project_id or resource.id)}
    if resource.kind in ("experiment", "dataset", "project_logs"):
        out.add((target, resource.project_id if resource.kind == "project_logs" else resource.id))  # type: ignore[arg-type]
    return out


def decide(grants: Iterable[Grant], action: Action, resource: Resource) -> bool:
    """Whether these grants allow `action` on `resource` (in the grants' organization)."""
    kind = resource.kind
    if action == "read" and kind in ("org", "member", "group", "role"):
        return True  # every member sees the organization, its members, groups and roles
    permission: Permission = "update_acls" if action == "manage" else action
    target = TARGET[kind]
    if kind == "view" and action != "read":
        permission = "update"  # saving, editing or deleting a view needs project Update
    if kind == "org" and action == "create":
        target = "project"  # creating a project is `create` on the organization's projects
    applies = chain(resource, target)
    if kind == "org" and action == "create":
        applies.add(("org_project", resource.org_id))
    return any(
        g.permission == permission
        and (g.object_type, g.object_id) in applies
        and g.restrict_object_type in (None, target)
        for g in grants
    )


def _role_permissions(
    role_id: str, roles: dict[str, dict[str, Any]], seen: set[str]
) -> list[tuple[Permission, AclObjectType | None]]:
    if role_id in seen:
        return []
    seen.add(role_id)
    system = SYSTEM_ROLES.get(role_id)
    if system is not None:
        return [(p, None) for p in system.permissions]
    role = roles.get(role_id)
    if role is None:
        return []
    out = [(p["permission"], p.get("restrict_object_type")) for p in role.get("member_permissions") or []]
    for inherited in role.get("member_roles") or []:
        out += _role_permissions(inherited, roles, seen)
    return out


def user_groups(groups: list[dict[str, Any]], user_id: str) -> set[str]:
    """The groups the user is in: directly, or through a group that inherits another's members."""
    mine = {g["id"] for g in groups if user_id in (g.get("member_users") or [])}
    grew = True
    while grew:
        more = {g["id"] for g in groups if set(g.get("member_groups") or []) & mine} - mine
        mine |= more
        grew = bool(more)
    return mine


def effective_grants(store: Store, org_id: str, user_id: str) -> frozenset[Grant]:
    """Every permission the user holds in the organization, with roles expanded."""
    groups = user_groups(store.records.list_of("group", org_id), user_id)
    roles = {r["id"]: r for r in store.records.list_of("role", org_id)}
    out: set[Grant] = set()
    for acl in store.records.list_of("acl", org_id):
        if acl.get("user_id") != user_id and acl.get("group_id") not in groups:
            continue
        if acl.get("permission"):
            out.add(
                Grant(
                    acl["object_type"], acl["object_id"], acl["permission"], acl.get("restrict_object_type")
                )
            )
        elif acl.get("role_id"):
            for permission, restrict in _role_permissions(acl["role_id"], roles, set()):
                out.add(Grant(acl["object_type"], acl["object_id"], permission, restrict))
    return frozenset(out)


CACHED_KEYS = 1_000  # authenticated API keys remembered between changes (a few KB each)


class AccessPolicy:
    """Users, groups, roles and ACLs stored in the database decide every request.

    Resolving an API key reads the key, its user and organization, and every group, role and ACL
    of the organization (six statements, ~4 ms); the principal of a key is therefore kept, by the
    key's hash, until anything but row data is written (`change_cache.py`).
    """

    def __init__(self, store: Store, admin: tuple[str, str] | None = None) -> None:
        """`admin`: a (token, organization name) that acts as that organization's owner, for
        `assay users` and `assay keys` while this server holds the database (`cli.admin`)."""
        self.store = store
        self.admin = admin
        self._keys: ChangeCache[Principal] = ChangeCache(CACHED_KEYS)  # by key hash

    def authenticate(self, token: str | None) -> Principal:
        if not token:
            raise unauthorized("missing API key")
        if self.admin is not None and secrets.compare_digest(token, self.admin[0]):
            org = self.store.ensure_org(self.admin[1])
            return self._principal(owner_of(self.store, org.id).id, org.id)
        hashed = hash_token(token)

        def resolve() -> Principal:
            key = self.store.people.find_api_key(hashed)
            if key is None:
                raise unauthorized("invalid API key")
            return self._principal(key.user_id, key.org_id, key_id=key.id)

        return self._keys.get(self.store, hashed, resolve)

    def for_user(self, user_id: str, org_name: str | None = None, *, session_id: str = "") -> Principal:
        orgs = self.store.people.memberships(user_id)
        if org_name:
            orgs = [o for o in orgs if o.name == org_name]
        if not orgs:
            raise unauthorized(
                f"you are not a member of the organization {org_name!r}"
                if org_name
                else "you belong to no organization"
            )
        return self._principal(user_id, orgs[0].id, session_id=session_id)

    def _principal(self, user_id: str, org_id: str, *, key_id: str = "", session_id: str = "") -> Principal:
        user = self.store.people.get_user(user_id)
        org = self.store.get_org(org_id)
        if user is None or org is None:
            raise unauthorized("the user or organization of this credential no longer exists")
        return Principal(
            user.id,
            org.id,
            org.name,
            email=user.email,
            name=user.name,
            key_id=key_id,
            session_id=session_id,
            grants=effective_grants(self.store, org.id, user.id),
        )

    def can(self, who: Principal, action: Action, resource: Resource) -> bool:
        return resource.org_id == who.org_id and decide(who.grants, action, resource)

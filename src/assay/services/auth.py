"""Who is calling, and the access policy's interface.

Callers are users (or service accounts) acting in one organization, through an API key or a
signed-in browser session. Keys and session tokens are random strings shown once; only their
SHA-256 is stored. The policy is an object injected into `create_app`, so how access is decided
(see `services.access`) never leaks into handlers: they resolve a resource and call `require`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from assay.model.access import Grant
from assay.model.errors import Forbidden, NotFound, Unauthorized
from assay.model.people import PLACEHOLDER_OWNER_EMAIL, PLACEHOLDER_OWNER_NAME, ApiKey, User
from assay.store.base import Store

KEY_PREFIX = "sk-assay-"  # the reference's keys start with `sk-`


def hash_token(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_preview(key: str) -> str:
    """Enough of a key to recognise it in a list, never enough to use it."""
    return key[: len(KEY_PREFIX) + 4] + "…"


def owner_of(store: Store, org_id: str) -> User:
    """The organization's first owner; a database nobody has signed in to yet gets the placeholder
    owner (the first sign-in link lets them choose their own email and password)."""
    owners = _owners_group(store, org_id)
    members = {m.user.id: m.user for m in store.people.list_members(org_id)}
    for user_id in owners.get("member_users") or []:
        if user_id in members:
            return members[user_id]
    user = store.people.find_user(PLACEHOLDER_OWNER_EMAIL) or store.people.create_user(
        PLACEHOLDER_OWNER_EMAIL, PLACEHOLDER_OWNER_NAME
    )
    store.people.add_member(org_id, user.id, [owners["id"]])
    return user


def _owners_group(store: Store, org_id: str) -> dict[str, Any]:
    groups = [g for g in store.records.list_of("group", org_id) if g["name"] == "Owners"]
    if not groups:
        raise NotFound("the organization has no Owners group")
    return groups[0]


def issue_api_key(store: Store, org_id: str, user_id: str, name: str) -> tuple[ApiKey, str]:
    """A new key for `user_id` in `org_id`: the stored key and the clear key (shown once)."""
    key = new_key()
    stored = store.people.add_api_key(org_id, user_id, name, hash_token(key), key_preview(key))
    return stored, key


def create_api_key(store: Store, org_name: str, name: str = "default", email: str | None = None) -> str:
    """A key for the user with `email` (default: the organization's owner) in `org_name` (created
    if needed); return it in clear."""
    org = store.ensure_org(org_name)
    if email is None:
        user = owner_of(store, org.id)
    else:
        found = store.people.find_user(email)
        if found is None or org.id not in {o.id for o in store.people.memberships(found.id)}:
            raise NotFound(f"no member {email!r} in organization {org_name!r}")
        user = found
    return issue_api_key(store, org.id, user.id, name)[1]


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user acting in one organization, with the grants they hold there.

    `key_id` is the API key used (empty for a browser session), `session_id` the session
    (empty for a key). `grants` are what the policy decides on; see `services.access`."""

    user_id: str
    org_id: str
    org_name: str
    email: str = ""
    name: str = ""
    key_id: str = ""
    session_id: str = ""
    grants: frozenset[Grant] = frozenset()


# What a caller may do to a resource: the reference's permissions, and `manage` (manage access,
# i.e. `update_acls`).
Action = Literal[
    "read", "create", "update", "delete", "manage", "create_acls", "read_acls", "update_acls", "delete_acls"
]
# What a decision is about. Objects that hold rows are decided on the object itself (the rows of
# project logs on `project_logs` of that project); `create` is decided on the parent (creating an
# experiment is `create` on its project, a project `create` on the organization). A saved view is
# decided on its project. `member`, `group` and `role` are the organization's members, groups and
# roles (the `org_member`, `group`, `role` ACL object types).
ResourceKind = Literal[
    "org", "project", "experiment", "dataset", "project_logs", "view", "member", "group", "role"
]


@dataclass(frozen=True)
class Resource:
    """A resolved resource: its kind and id, and where it lives (organization, project)."""

    kind: ResourceKind
    id: str
    org_id: str
    project_id: str | None = None


class Policy(Protocol):
    """Decides access. Injected into `create_app(settings, store, policy)`; handlers and services
    ask it once per request, about the resource they resolved."""

    def authenticate(self, token: str | None) -> Principal:
        """The caller holding the API key `token`, or Unauthorized."""

    def for_user(self, user_id: str, org_name: str | None = None, *, session_id: str = "") -> Principal:
        """A signed-in user acting in `org_name` (default: the first organization they joined),
        or Unauthorized when they belong to none (or not to that one)."""

    def can(self, who: Principal, action: Action, resource: Resource) -> bool:
        """Whether `who` may do `action` on `resource`."""


def require(policy: Policy, who: Principal, action: Action, resource: Resource, what: str) -> None:
    """Raise unless `who` may `action` `resource`. A resource the caller may not read is reported
    as not found (`what` names it), so callers cannot tell others' ids from unknown ones."""
    if not policy.can(who, "read", resource):
        raise NotFound(f"{what} not found")
    if action != "read" and not policy.can(who, action, resource):
        raise Forbidden(f"you may not {describe(action)} {what}: {permission_hint(action, resource)}")


def describe(action: Action) -> str:
    return "manage access to" if action == "manage" else action.replace("_acls", " the ACLs of")


def permission_hint(action: Action, resource: Resource) -> str:
    """Which grant would allow it, in the words of the settings page."""
    if resource.kind == "view":
        return "saving, editing or deleting a view needs the Update permission on its project"
    if resource.kind == "org" and action == "update":
        return "this needs the organization's Manage settings permission (Owners have it)"
    if resource.kind == "org" and action == "create":
        return "creating projects needs the Create permission on all projects (Owners and Engineers have it)"
    if action == "manage" or action.endswith("_acls"):
        return "this needs the Manage access permission (Owners have it)"
    if resource.kind == "member":
        return "this needs the organization's Manage members permission (Owners have it)"
    return f"this needs the {action.capitalize()} permission on it (Engineers and Owners have it)"


def unauthorized(reason: str) -> Unauthorized:
    return Unauthorized(f"{reason}: sign in, or send the header 'Authorization: Bearer <API key>'")

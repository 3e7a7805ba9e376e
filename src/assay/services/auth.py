"""API keys and the access policy.

Keys are random tokens shown once; only their SHA-256 is stored. The policy is an object so that
users, roles and project permissions can replace it later without touching the handlers.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal, Protocol

from assay.model.errors import Forbidden, NotFound, Unauthorized
from assay.store.base import Store

KEY_PREFIX = "sk-assay-"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.strip().encode()).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def create_api_key(store: Store, org_name: str, name: str = "default") -> str:
    """Create a key for `org_name` (creating the organization if needed); return it in clear."""
    org = store.ensure_org(org_name)
    key = new_key()
    store.add_api_key(org.id, name, hash_key(key))
    return key


@dataclass(frozen=True)
class Principal:
    """Who is calling: for now, an API key bound to one organization."""

    key_id: str
    org_id: str
    org_name: str


# What a caller may do to a resource. `manage` covers members, keys and permissions (teams, later).
Action = Literal["read", "create", "update", "delete", "manage"]
# What a decision is about. Objects that hold rows are decided on the object itself (the rows of
# project logs on `project_logs` of that project); `create` is decided on the parent (creating an
# experiment is `create` on its project, a project `create` on the organization).
ResourceKind = Literal["org", "project", "experiment", "dataset", "project_logs", "view"]


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
        """The caller holding `token`, or Unauthorized."""

    def can(self, who: Principal, action: Action, resource: Resource) -> bool:
        """Whether `who` may do `action` on `resource`."""


class OrgKeyPolicy:
    """A valid key may do everything in its own organization, nothing elsewhere."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def authenticate(self, token: str | None) -> Principal:
        if not token:
            raise Unauthorized("missing API key: send the header 'Authorization: Bearer <key>'")
        found = self.store.find_api_key(hash_key(token))
        if found is None:
            raise Unauthorized("invalid API key")
        org = self.store.get_org(found.org_id)
        if org is None:
            raise Unauthorized("the organization of this API key no longer exists")
        return Principal(found.id, org.id, org.name)

    def can(self, who: Principal, action: Action, resource: Resource) -> bool:
        return resource.org_id == who.org_id


def require(policy: Policy, who: Principal, action: Action, resource: Resource, what: str) -> None:
    """Raise unless `who` may `action` `resource`. A resource the caller may not read is reported
    as not found (`what` names it), so callers cannot tell others' ids from unknown ones."""
    if not policy.can(who, "read", resource):
        raise NotFound(f"{what} not found")
    if action != "read" and not policy.can(who, action, resource):
        raise Forbidden(f"this API key may not {action} {what}")

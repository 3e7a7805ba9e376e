"""API keys and the access policy.

Keys are random tokens shown once; only their SHA-256 is stored. The policy is an object so that
users, roles and project permissions can replace it later without touching the handlers.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Protocol

from assay.model.errors import Forbidden, Unauthorized
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


class AccessPolicy(Protocol):
    def authenticate(self, token: str | None) -> Principal: ...

    def check(self, principal: Principal, action: str, org_id: str | None) -> None:
        """Raise Forbidden unless `principal` may `action` ("read" | "write") in `org_id`."""


class OrgKeyPolicy:
    """A valid key may read and write everything in its own organization, nothing elsewhere."""

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

    def check(self, principal: Principal, action: str, org_id: str | None) -> None:
        if org_id != principal.org_id:
            raise Forbidden(f"this API key may not {action} objects of another organization")

"""People and their credentials: users, memberships, API keys, sign-in sessions and one-time links.

Secrets (passwords, keys, session tokens, link tokens) are never stored in clear: passwords as
memory-hard hashes, random tokens as their SHA-256.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

UserKind = Literal["user", "service"]
LinkPurpose = Literal["setup", "invite", "signin"]


@dataclass(frozen=True)
class User:
    """A person (or a service account) who can belong to organizations.

    `password_hash` is None until the person chose a password (an invited member, a placeholder
    owner, a service account)."""

    id: str
    email: str
    name: str
    created: str
    kind: UserKind = "user"
    password_hash: str | None = None


@dataclass(frozen=True)
class Member:
    """A user's membership of an organization."""

    org_id: str
    user: User
    joined: str


@dataclass(frozen=True)
class ApiKey:
    """A key belonging to one user in one organization; it carries that user's permissions there.
    `preview` is the start of the key, enough to recognise it in a list."""

    id: str
    org_id: str
    user_id: str
    name: str
    key_hash: str
    preview: str
    created: str


@dataclass(frozen=True)
class Session:
    """A signed-in browser. `id` is the SHA-256 of the cookie's token; `csrf` must come back in the
    `X-CSRF-Token` header of every write the cookie authenticates."""

    id: str
    user_id: str
    csrf: str
    created: str
    expires: str
    last_seen: str


@dataclass(frozen=True)
class SignInLink:
    """A one-time link: `setup` lets the first owner choose an email and a password, `invite` lets
    an invited member choose a password, `signin` signs an existing user in. `token_hash` is the
    SHA-256 of the token in the link."""

    token_hash: str
    user_id: str
    org_id: str
    purpose: LinkPurpose
    created: str
    expires: str
    used: str | None = None


# The owner a database gets before anyone signed in (first start, or a database from before
# users existed, whose keys become this owner's). The first sign-in link lets them choose their
# own email, name and password.
PLACEHOLDER_OWNER_EMAIL = "owner@localhost"
PLACEHOLDER_OWNER_NAME = "Owner"

"""The `PeopleStore` interface: users, memberships, API keys, sessions and one-time links.

Part of the `Store` (as `store.people`); every backend implements it. Its docstrings are the
specification. Writes are atomic; lookups by secret take the secret's hash, never the secret.
"""

from __future__ import annotations

from typing import Protocol

from assay.model.objects import Organization
from assay.model.people import ApiKey, Member, Session, SignInLink, User, UserKind


class PeopleStore(Protocol):
    # -- users ----------------------------------------------------------------------------
    def create_user(
        self, email: str, name: str, *, kind: UserKind = "user", password_hash: str | None = None
    ) -> User:
        """A new user. Emails are unique, compared lower-cased (Conflict when taken)."""

    def get_user(self, user_id: str) -> User | None: ...

    def find_user(self, email: str) -> User | None:
        """The user with this email, whatever its case."""

    def update_user(
        self,
        user_id: str,
        *,
        email: str | None = None,
        name: str | None = None,
        password_hash: str | None = None,
    ) -> User:
        """Change the given fields (NotFound for an unknown user, Conflict for a taken email)."""

    # -- memberships ----------------------------------------------------------------------
    def add_member(self, org_id: str, user_id: str, group_ids: list[str]) -> None:
        """Make the user a member of the organization (if not already) and of these groups."""

    def remove_member(self, org_id: str, user_id: str) -> bool:
        """In one transaction: end the membership, and remove the user from the organization's
        groups, its ACLs naming the user, and the user's API keys there. False if not a member."""

    def list_members(self, org_id: str) -> list[Member]:
        """Members in the order they joined."""

    def memberships(self, user_id: str) -> list[Organization]:
        """The organizations the user belongs to, in the order they joined them."""

    # -- API keys -------------------------------------------------------------------------
    def add_api_key(self, org_id: str, user_id: str, name: str, key_hash: str, preview: str) -> ApiKey:
        """Store a key by its hash; the clear key is never stored."""

    def find_api_key(self, key_hash: str) -> ApiKey | None: ...

    def get_api_key(self, key_id: str) -> ApiKey | None: ...

    def list_api_keys(self, org_id: str, user_id: str | None = None) -> list[ApiKey]:
        """The organization's keys (only the user's when given), newest first."""

    def delete_api_key(self, key_id: str) -> bool:
        """Revoke a key: it stops working for the next request. False if unknown."""

    # -- sessions -------------------------------------------------------------------------
    def create_session(self, session: Session) -> None: ...

    def get_session(self, session_id: str) -> Session | None: ...

    def touch_session(self, session_id: str, last_seen: str, expires: str) -> None:
        """Record use of a session and push its expiry back."""

    def delete_sessions(self, user_id: str, session_id: str | None = None) -> int:
        """End one session of the user, or all of them (sign out everywhere); return how many."""

    # -- one-time links -------------------------------------------------------------------
    def create_link(self, link: SignInLink) -> None: ...

    def get_link(self, token_hash: str) -> SignInLink | None: ...

    def use_link(self, token_hash: str, when: str) -> bool:
        """Mark the link used, if it is unused and not expired at `when`; whether it was. Two
        concurrent uses of one link: exactly one succeeds."""

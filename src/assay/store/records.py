"""The `RecordStore` interface: small documents of the access model and the views API.

Groups, roles, ACLs and saved views are JSON documents of one kind, owned by an organization,
optionally scoped to an object (a view to its project), and unique by a key the service computes
(a view's object, type and name; an ACL's whole content). Part of the `Store` as `store.records`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

RecordKind = Literal["group", "role", "acl", "view"]
IfExists = Literal["return", "replace", "error"]
DefaultScope = Literal["project", "organization"]


@dataclass(frozen=True)
class Record:
    kind: RecordKind
    org_id: str
    scope: str | None  # the object it hangs off (a view's project), if any
    key: str
    doc: dict[str, Any]


class RecordStore(Protocol):
    def put(
        self,
        kind: RecordKind,
        org_id: str,
        scope: str | None,
        key: str,
        doc: dict[str, Any],
        if_exists: IfExists,
    ) -> tuple[dict[str, Any], bool]:
        """Store `doc` (its `id` and `created` set by the caller) unless a record of this kind and
        organization has the same `key`: then `"return"` gives the stored one unchanged,
        `"replace"` stores `doc` in its place keeping the stored `id` and `created`, `"error"`
        raises Conflict. Returns (the stored document, whether it is new)."""

    def get(self, kind: RecordKind, record_id: str) -> Record | None: ...

    def list_of(self, kind: RecordKind, org_id: str, scope: str | None = None) -> list[dict[str, Any]]:
        """Documents of the organization (only those of `scope` when given), newest first."""

    def update(self, kind: RecordKind, record_id: str, key: str, doc: dict[str, Any]) -> dict[str, Any]:
        """Replace a stored document (NotFound if unknown; Conflict if another holds `key`)."""

    def delete(self, kind: RecordKind, record_id: str) -> dict[str, Any] | None:
        """Remove a record; its document, or None if unknown. Deleting a view also clears the
        defaults that named it."""

    # -- default views --------------------------------------------------------------------
    def set_default(
        self, org_id: str, scope: DefaultScope, scope_id: str, view_type: str, view_id: str
    ) -> None:
        """Make `view_id` the default of (`scope`, `scope_id`) for pages of `view_type`, and clear
        any default of the other scope that names the same view: one kind of default per view."""

    def clear_default(self, scope: DefaultScope, scope_id: str, view_type: str) -> None: ...

    def get_default(self, scope: DefaultScope, scope_id: str, view_type: str) -> str | None:
        """The view id set as default there, if any."""

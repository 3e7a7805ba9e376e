"""`RecordStore` written once for every SQL backend: groups, roles, ACLs and views as JSON
documents, default views, and the built-in groups a new organization starts with.

Uniqueness by key is the `records (kind, org_id, key)` unique index: a new record is inserted
`ON CONFLICT DO NOTHING`, and only when that finds a holder is the holder read (under a row lock
where the backend takes locks), so two servers storing the same view or ACL at once end with one.
Statements are written once and compiled per backend (`assay.store.sql_backend`).
"""

from __future__ import annotations

import uuid
from functools import cache
from typing import Any

import orjson

from assay.model.access import BUILTIN_GROUPS, acl_doc, acl_key
from assay.model.errors import Conflict, NotFound
from assay.model.objects import utcnow
from assay.store.records import DefaultScope, IfExists, Record, RecordKind
from assay.store.sql_backend import SqlBackend, StatementSet, Tx

_BY_KEY = "kind = :kind AND org_id = :org_id AND key = :key"
_BY_ID = "kind = :kind AND id = :id"
_DEFAULT = "scope = :scope AND scope_id = :scope_id AND view_type = :view_type"
_TEXTS: dict[str, str] = {
    "insert": """INSERT INTO records VALUES (:kind, :id, :org_id, :scope, :key, :created, :doc)
        ON CONFLICT (kind, org_id, key) DO NOTHING RETURNING id""",
    "replace": f"UPDATE records SET doc = :doc, scope = :scope WHERE {_BY_ID}",
    "get": f"SELECT org_id, scope, key, CAST(doc AS TEXT) FROM records WHERE {_BY_ID}",
    "list": """SELECT CAST(doc AS TEXT) FROM records WHERE kind = :kind AND org_id = :org_id
        ORDER BY created DESC, id DESC""",
    "update": f"UPDATE records SET key = :key, doc = :doc WHERE {_BY_ID}",
    "delete": f"DELETE FROM records WHERE {_BY_ID} RETURNING CAST(doc AS TEXT)",
    "forget_view": "DELETE FROM view_defaults WHERE view_id = :view_id",
    "other_scope": "DELETE FROM view_defaults WHERE view_id = :view_id AND scope <> :scope",
    "set_default": """INSERT INTO view_defaults VALUES (:scope, :scope_id, :view_type, :view_id, :org_id)
        ON CONFLICT (scope, scope_id, view_type) DO UPDATE SET view_id = excluded.view_id""",
    "clear_default": f"DELETE FROM view_defaults WHERE {_DEFAULT}",
    "get_default": f"SELECT view_id FROM view_defaults WHERE {_DEFAULT}",
}
_NARROWED = {"list_scoped": ("list", "scope")}
_LOCKED = {  # reads that guard a write: under a row lock where the backend takes locks
    "holder": f"SELECT CAST(doc AS TEXT) FROM records WHERE {_BY_KEY}",
    "org_of": f"SELECT org_id FROM records WHERE {_BY_ID}",
}


@cache
def statements(dialect: str, locks: bool) -> StatementSet:
    """Compiled once per process for each backend."""
    return StatementSet(dialect, locks, _TEXTS, _LOCKED, _NARROWED)


def _dumps(doc: dict[str, Any]) -> str:
    return orjson.dumps(doc).decode()


def put(
    tx: Tx,
    sql: StatementSet,
    kind: str,
    org_id: str,
    scope: str | None,
    key: str,
    doc: dict[str, Any],
    if_exists: IfExists,
) -> tuple[dict[str, Any], bool]:
    """`RecordStore.put` inside the caller's transaction."""
    created = doc.get("created") or utcnow().isoformat()
    fields = {"kind": kind, "org_id": org_id, "scope": scope, "key": key}
    if sql["insert"].run(tx, **fields, id=doc["id"], created=created, doc=_dumps(doc)):
        return doc, True
    held = sql["holder"].run(tx, **fields)
    assert held, "the insert found a holder of the key"
    existing: dict[str, Any] = orjson.loads(held[0][0])
    if if_exists == "return":
        return existing, False
    if if_exists == "error":
        raise Conflict(f"a {kind} with the same {'name' if kind != 'acl' else 'content'} already exists")
    doc = {**doc, "id": existing["id"], "created": existing.get("created")}
    sql["replace"].run(tx, kind=kind, id=existing["id"], scope=scope, doc=_dumps(doc))
    return doc, False


def seed_org(tx: Tx, sql: StatementSet, org_id: str) -> dict[str, str]:
    """The built-in groups of a new organization and the grant of each (`assay.model.access`),
    inside the caller's transaction; returns name -> group id. Groups it already has are kept."""
    ids: dict[str, str] = {}
    now = utcnow().isoformat()
    for group in BUILTIN_GROUPS:
        gid = str(uuid.uuid4())
        doc: dict[str, Any] = {
            "id": gid,
            "org_id": org_id,
            "name": group.name,
            "description": group.description,
            "created": now,
            "deleted_at": None,
            "user_id": None,
            "member_users": [],
            "member_groups": [],
        }
        stored, new = put(tx, sql, "group", org_id, None, group.name, doc, "return")
        ids[group.name] = stored["id"]
        if new:
            acl = acl_doc(org_id, group.object_type, org_id, group_id=gid, role_id=group.role.id)
            put(tx, sql, "acl", org_id, org_id, acl_key(acl), acl, "return")
    return ids


class SqlRecords:
    """`store.records` of a SQL store."""

    def __init__(self, backend: SqlBackend) -> None:
        self._backend = backend
        self._sql = statements(backend.dialect, backend.locks)

    def put(
        self,
        kind: RecordKind,
        org_id: str,
        scope: str | None,
        key: str,
        doc: dict[str, Any],
        if_exists: IfExists,
    ) -> tuple[dict[str, Any], bool]:
        return self._backend.write(lambda tx: put(tx, self._sql, kind, org_id, scope, key, doc, if_exists))

    def get(self, kind: RecordKind, record_id: str) -> Record | None:
        rows = self._backend.read(lambda tx: self._sql["get"].run(tx, kind=kind, id=record_id))
        return Record(kind, rows[0][0], rows[0][1], rows[0][2], orjson.loads(rows[0][3])) if rows else None

    def list_of(self, kind: RecordKind, org_id: str, scope: str | None = None) -> list[dict[str, Any]]:
        statement = self._sql["list" if scope is None else "list_scoped"]
        rows = self._backend.read(lambda tx: statement.run(tx, kind=kind, org_id=org_id, scope=scope))
        return [orjson.loads(r[0]) for r in rows]

    def update(self, kind: RecordKind, record_id: str, key: str, doc: dict[str, Any]) -> dict[str, Any]:
        def run(tx: Tx) -> dict[str, Any]:
            found = self._sql["org_of"].run(tx, kind=kind, id=record_id)
            if not found:
                raise NotFound(f"{kind} {record_id!r} not found")
            held = self._sql["holder"].run(tx, kind=kind, org_id=found[0][0], key=key)
            if held and orjson.loads(held[0][0])["id"] != record_id:
                raise Conflict(f"another {kind} already has the name {doc.get('name')!r}")
            self._sql["update"].run(tx, kind=kind, id=record_id, key=key, doc=_dumps(doc))
            return doc

        return self._backend.write(run)

    def delete(self, kind: RecordKind, record_id: str) -> dict[str, Any] | None:
        def run(tx: Tx) -> dict[str, Any] | None:
            rows = self._sql["delete"].run(tx, kind=kind, id=record_id)
            if kind == "view":
                self._sql["forget_view"].run(tx, view_id=record_id)
            return orjson.loads(rows[0][0]) if rows else None

        return self._backend.write(run)

    # -- default views --------------------------------------------------------------------
    def set_default(
        self, org_id: str, scope: DefaultScope, scope_id: str, view_type: str, view_id: str
    ) -> None:
        def run(tx: Tx) -> None:
            self._sql["other_scope"].run(tx, view_id=view_id, scope=scope)
            self._sql["set_default"].run(
                tx, scope=scope, scope_id=scope_id, view_type=view_type, view_id=view_id, org_id=org_id
            )

        self._backend.write(run)

    def clear_default(self, scope: DefaultScope, scope_id: str, view_type: str) -> None:
        self._backend.write(
            lambda tx: self._sql["clear_default"].run(tx, scope=scope, scope_id=scope_id, view_type=view_type)
        )

    def get_default(self, scope: DefaultScope, scope_id: str, view_type: str) -> str | None:
        rows = self._backend.read(
            lambda tx: self._sql["get_default"].run(tx, scope=scope, scope_id=scope_id, view_type=view_type)
        )
        return str(rows[0][0]) if rows else None

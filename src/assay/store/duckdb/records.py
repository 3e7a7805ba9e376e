"""`RecordStore` on DuckDB: groups, roles, ACLs and views as JSON documents, and default views.

Also seeds a new organization with its built-in groups and their grants (`assay.model.access`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import duckdb
import orjson

from assay.model.access import BUILTIN_GROUPS, acl_doc, acl_key
from assay.model.errors import Conflict, NotFound
from assay.model.objects import utcnow
from assay.store.records import DefaultScope, IfExists, Record, RecordKind

if TYPE_CHECKING:
    from assay.store.duckdb.writer import WriterThread

Reader = Callable[[], duckdb.DuckDBPyConnection]


def _dumps(doc: dict[str, Any]) -> str:
    return orjson.dumps(doc).decode()


def _holder(con: duckdb.DuckDBPyConnection, kind: str, org_id: str, key: str) -> dict[str, Any] | None:
    found = con.execute(
        "SELECT doc FROM records WHERE kind = ? AND org_id = ? AND key = ?", [kind, org_id, key]
    ).fetchone()
    return orjson.loads(found[0]) if found else None


def put(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    org_id: str,
    scope: str | None,
    key: str,
    doc: dict[str, Any],
    if_exists: IfExists,
) -> tuple[dict[str, Any], bool]:
    existing = _holder(con, kind, org_id, key)
    if existing is not None:
        if if_exists == "return":
            return existing, False
        if if_exists == "error":
            raise Conflict(f"a {kind} with the same {'name' if kind != 'acl' else 'content'} already exists")
        doc = {**doc, "id": existing["id"], "created": existing.get("created")}
        con.execute(
            "UPDATE records SET doc = ?, scope = ? WHERE kind = ? AND id = ?",
            [_dumps(doc), scope, kind, existing["id"]],
        )
        return doc, False
    con.execute(
        "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?)",
        [kind, doc["id"], org_id, scope, key, doc.get("created") or utcnow().isoformat(), _dumps(doc)],
    )
    return doc, True


def seed_org(con: duckdb.DuckDBPyConnection, org_id: str) -> dict[str, str]:
    """The built-in groups of a new organization and the grant of each; returns name -> group id."""
    ids: dict[str, str] = {}
    now = utcnow().isoformat()
    for group in BUILTIN_GROUPS:
        existing = _holder(con, "group", org_id, group.name)
        if existing is not None:
            ids[group.name] = existing["id"]
            continue
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
        put(con, "group", org_id, None, group.name, doc, "return")
        acl = acl_doc(org_id, group.object_type, org_id, group_id=gid, role_id=group.role.id)
        put(con, "acl", org_id, org_id, acl_key(acl), acl, "return")
        ids[group.name] = gid
    return ids


class DuckDBRecords:
    def __init__(self, reader: Reader, writer: WriterThread) -> None:
        self._read, self._writer = reader, writer

    def put(
        self,
        kind: RecordKind,
        org_id: str,
        scope: str | None,
        key: str,
        doc: dict[str, Any],
        if_exists: IfExists,
    ) -> tuple[dict[str, Any], bool]:
        result: tuple[dict[str, Any], bool] = self._writer.submit(
            lambda con: put(con, kind, org_id, scope, key, doc, if_exists)
        )
        return result

    def get(self, kind: RecordKind, record_id: str) -> Record | None:
        row = (
            self._read()
            .execute(
                "SELECT org_id, scope, key, doc FROM records WHERE kind = ? AND id = ?", [kind, record_id]
            )
            .fetchone()
        )
        return Record(kind, row[0], row[1], row[2], orjson.loads(row[3])) if row else None

    def list_of(self, kind: RecordKind, org_id: str, scope: str | None = None) -> list[dict[str, Any]]:
        sql, params = "SELECT doc FROM records WHERE kind = ? AND org_id = ?", [kind, org_id]
        if scope is not None:
            sql, params = sql + " AND scope = ?", [*params, scope]
        rows = self._read().execute(sql + " ORDER BY created DESC, id DESC", params).fetchall()
        return [orjson.loads(r[0]) for r in rows]

    def update(self, kind: RecordKind, record_id: str, key: str, doc: dict[str, Any]) -> dict[str, Any]:
        def job(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
            row = con.execute(
                "SELECT org_id FROM records WHERE kind = ? AND id = ?", [kind, record_id]
            ).fetchone()
            if row is None:
                raise NotFound(f"{kind} {record_id!r} not found")
            holder = _holder(con, kind, row[0], key)
            if holder is not None and holder["id"] != record_id:
                raise Conflict(f"another {kind} already has the name {doc.get('name')!r}")
            con.execute(
                "UPDATE records SET key = ?, doc = ? WHERE kind = ? AND id = ?",
                [key, _dumps(doc), kind, record_id],
            )
            return doc

        result: dict[str, Any] = self._writer.submit(job)
        return result

    def delete(self, kind: RecordKind, record_id: str) -> dict[str, Any] | None:
        def job(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
            rows = con.execute(
                "DELETE FROM records WHERE kind = ? AND id = ? RETURNING doc", [kind, record_id]
            ).fetchall()
            if kind == "view":
                con.execute("DELETE FROM view_defaults WHERE view_id = ?", [record_id])
            return orjson.loads(rows[0][0]) if rows else None

        result: dict[str, Any] | None = self._writer.submit(job)
        return result

    # -- default views --------------------------------------------------------------------
    def set_default(
        self, org_id: str, scope: DefaultScope, scope_id: str, view_type: str, view_id: str
    ) -> None:
        def job(con: duckdb.DuckDBPyConnection) -> None:
            con.execute("DELETE FROM view_defaults WHERE view_id = ? AND scope != ?", [view_id, scope])
            con.execute(
                """INSERT INTO view_defaults VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (scope, scope_id, view_type) DO UPDATE SET view_id = excluded.view_id""",
                [scope, scope_id, view_type, view_id, org_id],
            )

        self._writer.submit(job)

    def clear_default(self, scope: DefaultScope, scope_id: str, view_type: str) -> None:
        self._writer.submit(
            lambda con: con.execute(
                "DELETE FROM view_defaults WHERE scope = ? AND scope_id = ? AND view_type = ?",
                [scope, scope_id, view_type],
            )
        )

    def get_default(self, scope: DefaultScope, scope_id: str, view_type: str) -> str | None:
        row = (
            self._read()
            .execute(
                "SELECT view_id FROM view_defaults WHERE scope = ? AND scope_id = ? AND view_type = ?",
                [scope, scope_id, view_type],
            )
            .fetchone()
        )
        return str(row[0]) if row else None

"""`RecordStore` on PostgreSQL: groups, roles, ACLs and views as JSON documents, and default views.

Uniqueness by key is the `records (kind, org_id, key)` unique index, so two servers storing the
same view or ACL at once end with one (the second finds the first). Also seeds a new
organization with its built-in groups and their grants (`assay.model.access`).
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson
import psycopg
from psycopg_pool import ConnectionPool

from assay.model.access import BUILTIN_GROUPS, acl_doc, acl_key
from assay.model.errors import Conflict, NotFound
from assay.model.objects import utcnow
from assay.store.postgres.connections import connection
from assay.store.records import DefaultScope, IfExists, Record, RecordKind


def _dumps(doc: dict[str, Any]) -> str:
    return orjson.dumps(doc).decode()


def _holder(
    con: psycopg.Connection, kind: str, org_id: str, key: str, lock: bool = False
) -> dict[str, Any] | None:
    found = con.execute(
        "SELECT doc::text FROM records WHERE kind = %s AND org_id = %s AND key = %s"
        + (" FOR UPDATE" if lock else ""),
        [kind, org_id, key],
    ).fetchone()
    return orjson.loads(found[0]) if found else None


def put(
    con: psycopg.Connection,
    kind: str,
    org_id: str,
    scope: str | None,
    key: str,
    doc: dict[str, Any],
    if_exists: IfExists,
) -> tuple[dict[str, Any], bool]:
    """Inside the caller's transaction."""
    made = con.execute(
        """INSERT INTO records VALUES (%s, %s, %s, %s, %s, %s, %s)
           ON CONFLICT (kind, org_id, key) DO NOTHING RETURNING id""",
        [kind, doc["id"], org_id, scope, key, doc.get("created") or utcnow().isoformat(), _dumps(doc)],
    ).fetchone()
    if made is not None:
        return doc, True
    existing = _holder(con, kind, org_id, key, lock=True)
    assert existing is not None
    if if_exists == "return":
        return existing, False
    if if_exists == "error":
        raise Conflict(f"a {kind} with the same {'name' if kind != 'acl' else 'content'} already exists")
    doc = {**doc, "id": existing["id"], "created": existing.get("created")}
    con.execute(
        "UPDATE records SET doc = %s, scope = %s WHERE kind = %s AND id = %s",
        [_dumps(doc), scope, kind, existing["id"]],
    )
    return doc, False


def seed_org(con: psycopg.Connection, org_id: str) -> dict[str, str]:
    """The built-in groups of a new organization and the grant of each; returns name -> group id."""
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
        stored, new = put(con, "group", org_id, None, group.name, doc, "return")
        ids[group.name] = stored["id"]
        if new:
            acl = acl_doc(org_id, group.object_type, org_id, group_id=gid, role_id=group.role.id)
            put(con, "acl", org_id, org_id, acl_key(acl), acl, "return")
    return ids


class PostgresRecords:
    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool

    def put(
        self,
        kind: RecordKind,
        org_id: str,
        scope: str | None,
        key: str,
        doc: dict[str, Any],
        if_exists: IfExists,
    ) -> tuple[dict[str, Any], bool]:
        with connection(self._pool) as con, con.transaction():
            return put(con, kind, org_id, scope, key, doc, if_exists)

    def get(self, kind: RecordKind, record_id: str) -> Record | None:
        with connection(self._pool) as con:
            row = con.execute(
                "SELECT org_id, scope, key, doc::text FROM records WHERE kind = %s AND id = %s",
                [kind, record_id],
            ).fetchone()
        return Record(kind, row[0], row[1], row[2], orjson.loads(row[3])) if row else None

    def list_of(self, kind: RecordKind, org_id: str, scope: str | None = None) -> list[dict[str, Any]]:
        with connection(self._pool) as con:
            rows = con.execute(
                """SELECT doc::text FROM records WHERE kind = %s AND org_id = %s
                   AND (%s::text IS NULL OR scope = %s::text) ORDER BY created DESC, id DESC""",
                [kind, org_id, scope, scope],
            ).fetchall()
        return [orjson.loads(r[0]) for r in rows]

    def update(self, kind: RecordKind, record_id: str, key: str, doc: dict[str, Any]) -> dict[str, Any]:
        with connection(self._pool) as con, con.transaction():
            row = con.execute(
                "SELECT org_id FROM records WHERE kind = %s AND id = %s FOR UPDATE", [kind, record_id]
            ).fetchone()
            if row is None:
                raise NotFound(f"{kind} {record_id!r} not found")
            holder = _holder(con, kind, row[0], key)
            if holder is not None and holder["id"] != record_id:
                raise Conflict(f"another {kind} already has the name {doc.get('name')!r}")
            con.execute(
                "UPDATE records SET key = %s, doc = %s WHERE kind = %s AND id = %s",
                [key, _dumps(doc), kind, record_id],
            )
            return doc

    def delete(self, kind: RecordKind, record_id: str) -> dict[str, Any] | None:
        with connection(self._pool) as con, con.transaction():
            rows = con.execute(
                "DELETE FROM records WHERE kind = %s AND id = %s RETURNING doc::text", [kind, record_id]
            ).fetchall()
            if kind == "view":
                con.execute("DELETE FROM view_defaults WHERE view_id = %s", [record_id])
        return orjson.loads(rows[0][0]) if rows else None

    # -- default views --------------------------------------------------------------------
    def set_default(
        self, org_id: str, scope: DefaultScope, scope_id: str, view_type: str, view_id: str
    ) -> None:
        with connection(self._pool) as con, con.transaction():
            con.execute("DELETE FROM view_defaults WHERE view_id = %s AND scope != %s", [view_id, scope])
            con.execute(
                """INSERT INTO view_defaults VALUES (%s, %s, %s, %s, %s)
                   ON CONFLICT (scope, scope_id, view_type) DO UPDATE SET view_id = excluded.view_id""",
                [scope, scope_id, view_type, view_id, org_id],
            )

    def clear_default(self, scope: DefaultScope, scope_id: str, view_type: str) -> None:
        with connection(self._pool) as con, con.transaction():
            con.execute(
                "DELETE FROM view_defaults WHERE scope = %s AND scope_id = %s AND view_type = %s",
                [scope, scope_id, view_type],
            )

    def get_default(self, scope: DefaultScope, scope_id: str, view_type: str) -> str | None:
        with connection(self._pool) as con:
            row = con.execute(
                "SELECT view_id FROM view_defaults WHERE scope = %s AND scope_id = %s AND view_type = %s",
                [scope, scope_id, view_type],
            ).fetchone()
        return str(row[0]) if row else None

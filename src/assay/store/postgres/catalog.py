"""Organizations and catalog objects (projects, experiments, datasets) in PostgreSQL.

As in the DuckDB backend, objects are JSON documents (exactly what the API returns) with the
columns needed to look them up. Several servers may create or rename objects at once: a
transaction-level advisory lock on the parent (organization or project) and kind serialises the
name check with the insert, so names stay unique among non-deleted objects without a retry.
"""

from __future__ import annotations

import secrets
import uuid
import zlib
from typing import Any

import orjson
import psycopg

from assay.model.errors import Conflict, NotFound
from assay.model.objects import ObjectKind, Organization, utcnow
from assay.store.postgres.records import seed_org

NAME_LOCK_SPACE = 3  # advisory locks (NAME_LOCK_SPACE, hash of kind and parent)


def shared_secret(con: psycopg.Connection, name: str) -> bytes:
    """The secret `name`, made by whichever server asks first (the others read the same)."""
    con.execute(
        "INSERT INTO secrets VALUES (%s, %s) ON CONFLICT (name) DO NOTHING", [name, secrets.token_urlsafe(48)]
    )
    found = con.execute("SELECT value FROM secrets WHERE name = %s", [name]).fetchone()
    assert found is not None
    return str(found[0]).encode()


def _org(row: tuple[Any, ...] | None) -> Organization | None:
    return Organization(id=row[0], name=row[1], created=row[2]) if row else None


def ensure_org(con: psycopg.Connection, name: str) -> Organization:
    """Inside the caller's transaction: the organization, made with its built-in groups the first time."""
    made = con.execute(
        "INSERT INTO orgs VALUES (%s, %s, %s) ON CONFLICT (name) DO NOTHING RETURNING id",
        [str(uuid.uuid4()), name, utcnow().isoformat()],
    ).fetchone()
    org = _org(con.execute("SELECT id, name, created FROM orgs WHERE name = %s", [name]).fetchone())
    assert org is not None
    if made is not None:
        seed_org(con, org.id)
    return org


def get_org(con: psycopg.Connection, org_id: str) -> Organization | None:
    return _org(con.execute("SELECT id, name, created FROM orgs WHERE id = %s", [org_id]).fetchone())


def list_orgs(con: psycopg.Connection) -> list[Organization]:
    rows = con.execute("SELECT id, name, created FROM orgs ORDER BY created").fetchall()
    return [Organization(id=r[0], name=r[1], created=r[2]) for r in rows]


def _lock_names(con: psycopg.Connection, kind: ObjectKind, parent: str) -> None:
    key = zlib.crc32(f"{kind}/{parent}".encode()) - 2**31
    con.execute("SELECT pg_advisory_xact_lock(%s, %s)", [NAME_LOCK_SPACE, key])


def _name_taken(
    con: psycopg.Connection,
    kind: ObjectKind,
    org_id: str,
    project_id: str | None,
    name: str,
    exclude_id: str | None = None,
) -> dict[str, Any] | None:
    parent_column = "org_id" if kind == "project" else "project_id"
    found = con.execute(
        f"""SELECT doc::text FROM objects WHERE kind = %s AND NOT deleted AND name = %s
            AND {parent_column} = %s AND id IS DISTINCT FROM %s""",  # one of two columns
        [kind, name, org_id if kind == "project" else project_id, exclude_id],
    ).fetchone()
    return orjson.loads(found[0]) if found else None


def create_object(
    con: psycopg.Connection, kind: ObjectKind, org_id: str, doc: dict[str, Any], if_exists: str
) -> tuple[dict[str, Any], bool]:
    """Inside the caller's transaction."""
    project_id = None if kind == "project" else doc["project_id"]
    _lock_names(con, kind, org_id if project_id is None else project_id)
    existing = _name_taken(con, kind, org_id, project_id, doc["name"])
    if existing is not None:
        if if_exists == "return":
            return existing, False
        base, n = doc["name"], 1
        while _name_taken(con, kind, org_id, project_id, f"{base}-{n}") is not None:
            n += 1
        doc = {**doc, "name": f"{base}-{n}"}
    con.execute(
        "INSERT INTO objects VALUES (%s, %s, %s, %s, %s, %s, false, %s)",
        [kind, doc["id"], org_id, project_id, doc["name"], doc["created"], orjson.dumps(doc).decode()],
    )
    return doc, True


def update_object(con: psycopg.Connection, kind: ObjectKind, doc: dict[str, Any]) -> dict[str, Any]:
    """Inside the caller's transaction."""
    found = con.execute(
        "SELECT org_id, project_id FROM objects WHERE kind = %s AND id = %s", [kind, doc["id"]]
    ).fetchone()
    if not found:
        raise NotFound(f"{kind} {doc['id']} not found")
    _lock_names(con, kind, found[0] if kind == "project" else found[1])
    if not doc.get("deleted_at") and _name_taken(
        con, kind, found[0], found[1], doc["name"], exclude_id=doc["id"]
    ):
        raise Conflict(f"a {kind} named {doc['name']!r} already exists")
    con.execute(
        "UPDATE objects SET name = %s, deleted = %s, doc = %s WHERE kind = %s AND id = %s",
        [doc["name"], bool(doc.get("deleted_at")), orjson.dumps(doc).decode(), kind, doc["id"]],
    )
    return doc


def get_object(con: psycopg.Connection, kind: ObjectKind, object_id: str) -> dict[str, Any] | None:
    found = con.execute(
        "SELECT doc::text FROM objects WHERE kind = %s AND id = %s", [kind, object_id]
    ).fetchone()
    return orjson.loads(found[0]) if found else None


def locate(con: psycopg.Connection, kind: ObjectKind, object_id: str) -> tuple[dict[str, Any], str] | None:
    found = con.execute(
        "SELECT doc::text, org_id FROM objects WHERE kind = %s AND id = %s", [kind, object_id]
    ).fetchone()
    return (orjson.loads(found[0]), found[1]) if found else None


def object_org(con: psycopg.Connection, object_id: str) -> str | None:
    found = con.execute("SELECT org_id FROM objects WHERE id = %s", [object_id]).fetchone()
    return found[0] if found else None


def list_objects(
    con: psycopg.Connection,
    kind: ObjectKind,
    org_id: str | None,
    project_id: str | None,
    name: str | None,
    ids: list[str] | None,
) -> list[dict[str, Any]]:
    found = con.execute(
        """SELECT doc::text FROM objects WHERE kind = %(kind)s AND NOT deleted
             AND (%(org)s::text IS NULL OR org_id = %(org)s::text)
             AND (%(project)s::text IS NULL OR project_id = %(project)s::text)
             AND (%(name)s::text IS NULL OR name = %(name)s::text)
             AND (%(ids)s::text[] IS NULL OR id = ANY(%(ids)s::text[]))
           ORDER BY created DESC, id DESC""",
        {"kind": kind, "org": org_id, "project": project_id, "name": name, "ids": ids},
    ).fetchall()
    return [orjson.loads(r[0]) for r in found]

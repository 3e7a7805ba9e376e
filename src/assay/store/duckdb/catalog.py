"""Organizations and catalog objects (projects, experiments, datasets) in DuckDB.

Objects are stored as JSON documents with the columns needed to look them up; the documents are
exactly what the API returns.
"""

from __future__ import annotations

import uuid
from typing import Any

import duckdb
import orjson

from assay.model.errors import Conflict, NotFound
from assay.model.objects import ObjectKind, Organization, utcnow
from assay.store.codec import dumps_checked
from assay.store.duckdb.records import seed_org


def ensure_org(con: duckdb.DuckDBPyConnection, name: str) -> Organization:
    found = con.execute("SELECT id, name, created FROM orgs WHERE name = ?", [name]).fetchone()
    if found:
        return Organization(id=found[0], name=found[1], created=found[2])
    org = Organization(id=str(uuid.uuid4()), name=name, created=utcnow().isoformat())
    con.execute("INSERT INTO orgs VALUES (?, ?, ?)", [org.id, org.name, org.created])
    seed_org(con, org.id)
    return org


def _parent(kind: ObjectKind, doc: dict[str, Any]) -> tuple[str, str | None]:
    return ("org_id", None) if kind == "project" else ("project_id", doc["project_id"])


def _name_taken(
    con: duckdb.DuckDBPyConnection,
    kind: ObjectKind,
    org_id: str,
    project_id: str | None,
    name: str,
    exclude_id: str | None = None,
) -> dict[str, Any] | None:
    found = con.execute(
        """SELECT doc FROM objects WHERE kind = ? AND NOT deleted AND name = ?
           AND (CASE WHEN ? = 'project' THEN org_id = ? ELSE project_id = ? END) AND id IS DISTINCT FROM ?""",
        [kind, name, kind, org_id, project_id, exclude_id],
    ).fetchone()
    return orjson.loads(found[0]) if found else None


def create_object(
    con: duckdb.DuckDBPyConnection, kind: ObjectKind, org_id: str, doc: dict[str, Any], if_exists: str
) -> tuple[dict[str, Any], bool]:
    project_id = None if kind == "project" else doc["project_id"]
    existing = _name_taken(con, kind, org_id, project_id, doc["name"])
    if existing is not None:
        if if_exists == "return":
            return existing, False
        base, n = doc["name"], 1
        while _name_taken(con, kind, org_id, project_id, f"{base}-{n}") is not None:
            n += 1
        doc = {**doc, "name": f"{base}-{n}"}
    con.execute(
        "INSERT INTO objects VALUES (?, ?, ?, ?, ?, ?, false, ?)",
        [
            kind,
            doc["id"],
            org_id,
            project_id,
            doc["name"],
            doc["created"],
            dumps_checked(doc, f"{kind} {doc['name']!r}"),
        ],
    )
    return doc, True


def update_object(con: duckdb.DuckDBPyConnection, kind: ObjectKind, doc: dict[str, Any]) -> dict[str, Any]:
    found = con.execute(
        "SELECT org_id, project_id FROM objects WHERE kind = ? AND id = ?", [kind, doc["id"]]
    ).fetchone()
    if not found:
        raise NotFound(f"{kind} {doc['id']} not found")
    if not doc.get("deleted_at") and _name_taken(
        con, kind, found[0], found[1], doc["name"], exclude_id=doc["id"]
    ):
        raise Conflict(f"a {kind} named {doc['name']!r} already exists")
    con.execute(
        "UPDATE objects SET name = ?, deleted = ?, doc = ? WHERE kind = ? AND id = ?",
        [
            doc["name"],
            bool(doc.get("deleted_at")),
            dumps_checked(doc, f"{kind} {doc['name']!r}"),
            kind,
            doc["id"],
        ],
    )
    return doc


def get_object(con: duckdb.DuckDBPyConnection, kind: ObjectKind, object_id: str) -> dict[str, Any] | None:
    found = con.execute("SELECT doc FROM objects WHERE kind = ? AND id = ?", [kind, object_id]).fetchone()
    return orjson.loads(found[0]) if found else None


def locate(
    con: duckdb.DuckDBPyConnection, kind: ObjectKind, object_id: str
) -> tuple[dict[str, Any], str] | None:
    found = con.execute(
        "SELECT doc, org_id FROM objects WHERE kind = ? AND id = ?", [kind, object_id]
    ).fetchone()
    return (orjson.loads(found[0]), found[1]) if found else None


def object_org(con: duckdb.DuckDBPyConnection, object_id: str) -> str | None:
    found = con.execute("SELECT org_id FROM objects WHERE id = ?", [object_id]).fetchone()
    return found[0] if found else None


def list_objects(
    con: duckdb.DuckDBPyConnection,
    kind: ObjectKind,
    org_id: str | None,
    project_id: str | None,
    name: str | None,
    ids: list[str] | None,
) -> list[dict[str, Any]]:
    sql = "SELECT doc FROM objects WHERE kind = ? AND NOT deleted"
    params: list[Any] = [kind]
    for column, value in (("org_id", org_id), ("project_id", project_id), ("name", name)):
        if value is not None:
            sql += f" AND {column} = ?"
            params.append(value)
    if ids is not None:
        sql += " AND list_contains(?, id)"
        params.append(ids)
    sql += " ORDER BY created DESC, id DESC"
    return [orjson.loads(r[0]) for r in con.execute(sql, params).fetchall()]

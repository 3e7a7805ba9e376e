"""Versioned schema migrations for the DuckDB backend.

Each migration runs once, in order, inside a transaction, and records its number in
`schema_version`. Add a migration; never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from assay.store.columns import ROW_COLUMNS, Column
from assay.store.duckdb.jobs import SCHEMA as JOBS_SCHEMA
from assay.store.duckdb.people import add_member, placeholder_owner
from assay.store.duckdb.records import seed_org
from assay.store.duckdb.summaries import ensure_table

SQL_TYPES = {
    "text": "VARCHAR",
    "int": "BIGINT",
    "bool": "BOOLEAN",
    "timestamp": "TIMESTAMPTZ",
    "json": "JSON",
    "number_map": "MAP(VARCHAR, DOUBLE)",
    "text_list": "VARCHAR[]",
    "number": "DOUBLE",
}


def column_ddl(col: Column) -> str:
    return f'"{col.name}" {SQL_TYPES[col.kind]}'


def _v1(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        CREATE TABLE orgs (id VARCHAR PRIMARY KEY, name VARCHAR UNIQUE NOT NULL, created VARCHAR NOT NULL);
        CREATE TABLE api_keys (
            id VARCHAR PRIMARY KEY, org_id VARCHAR NOT NULL, name VARCHAR NOT NULL,
            key_hash VARCHAR UNIQUE NOT NULL, created VARCHAR NOT NULL);
        CREATE TABLE objects (
            kind VARCHAR NOT NULL, id VARCHAR PRIMARY KEY, org_id VARCHAR NOT NULL,
            project_id VARCHAR, name VARCHAR NOT NULL, created VARCHAR NOT NULL,
            deleted BOOLEAN NOT NULL DEFAULT false, doc JSON NOT NULL);
        CREATE TABLE events (
            xact_id BIGINT NOT NULL, seq INTEGER NOT NULL, object_type VARCHAR NOT NULL,
            object_id VARCHAR NOT NULL, row_id VARCHAR NOT NULL, pagination_key VARCHAR,
            body JSON NOT NULL);
        CREATE TABLE comments (
            object_type VARCHAR NOT NULL, object_id VARCHAR NOT NULL, id VARCHAR NOT NULL,
            target_id VARCHAR NOT NULL, _xact_id BIGINT NOT NULL, created TIMESTAMPTZ,
            body JSON NOT NULL, PRIMARY KEY (object_id, id));
        """
    )
    cols = ", ".join(column_ddl(c) for c in ROW_COLUMNS)
    con.execute(f"CREATE TABLE rows ({cols}, PRIMARY KEY (_key))")


def _v2(con: duckdb.DuckDBPyConnection) -> None:
    """`row_keys`: every row key ever written, so the writer can tell new rows from stored ones
    through a primary-key index probe (`INSERT OR IGNORE … RETURNING`); an IN-list on
    `rows._key` is a scan that grows with the table. It may hold keys of deleted rows."""
    con.execute("CREATE TABLE row_keys (_key VARCHAR PRIMARY KEY)")
    con.execute("INSERT INTO row_keys SELECT _key FROM rows")


def _v3(con: duckdb.DuckDBPyConnection) -> None:
    """`row_keys` becomes `row_hashes`: a 64-bit hash of each key (the low half of its MD5, a
    stable function) instead of the key, at a fraction of the disk. It is only a filter: a hash
    never seen means a new row; a seen one (or a rare collision) sends the key to the exact lookup."""
    con.execute("DROP TABLE row_keys")
    con.execute("CREATE TABLE row_hashes (h UBIGINT PRIMARY KEY)")
    con.execute("INSERT INTO row_hashes SELECT DISTINCT md5_number_lower(_key) FROM rows")


def _v4(con: duckdb.DuckDBPyConnection) -> None:
    """Bookkeeping for materialised trace summaries (see `summaries.py`): the traces a write
    changed since their summary was last computed, and the version of each derived table."""
    con.execute("CREATE TABLE dirty_traces (object_type VARCHAR, object_id VARCHAR, root_span_id VARCHAR)")
    con.execute("CREATE TABLE cache_versions (name VARCHAR PRIMARY KEY, version INTEGER NOT NULL)")


def _v5(con: duckdb.DuckDBPyConnection) -> None:
    """Background jobs and their leased chunks (`jobs.py`)."""
    con.execute(JOBS_SCHEMA)


def _v6(con: duckdb.DuckDBPyConnection) -> None:
    """Each summary mark carries the `_xact_id` of the write that made it, so a refresh scans
    only the rows written since the traces it recomputes began (see `summaries.py`); marks made
    before this version have none and mean a full scan."""
    con.execute("ALTER TABLE dirty_traces ADD COLUMN xact BIGINT")


def _v7(con: duckdb.DuckDBPyConnection) -> None:
    """`row_hashes` goes: the writer keeps the hashes of the stored keys in memory instead
    (`known_keys.py`, rebuilt from `rows` when the store opens), which saves the SDK's small
    requests one index statement each."""
    con.execute("DROP TABLE row_hashes")


def _v8(con: duckdb.DuckDBPyConnection) -> None:
    """People and the access model: users, memberships, sessions, one-time links, documents
    (groups, roles, ACLs, views) and default views. Every organization gets its built-in groups;
    API keys now belong to a user, and the keys of an older database become an owner's."""
    con.execute(
        """
        CREATE TABLE users (
            id VARCHAR PRIMARY KEY, email VARCHAR NOT NULL, email_key VARCHAR UNIQUE NOT NULL,
            name VARCHAR NOT NULL, created VARCHAR NOT NULL, kind VARCHAR NOT NULL, password_hash VARCHAR);
        CREATE TABLE members (
            org_id VARCHAR NOT NULL, user_id VARCHAR NOT NULL, joined VARCHAR NOT NULL,
            PRIMARY KEY (org_id, user_id));
        CREATE TABLE sessions (
            id VARCHAR PRIMARY KEY, user_id VARCHAR NOT NULL, csrf VARCHAR NOT NULL, created VARCHAR NOT NULL,
            expires VARCHAR NOT NULL, last_seen VARCHAR NOT NULL);
        CREATE TABLE signin_links (
            token_hash VARCHAR PRIMARY KEY, user_id VARCHAR NOT NULL, org_id VARCHAR NOT NULL,
            purpose VARCHAR NOT NULL, created VARCHAR NOT NULL, expires VARCHAR NOT NULL, used VARCHAR);
        CREATE TABLE records (
            kind VARCHAR NOT NULL, id VARCHAR NOT NULL, org_id VARCHAR NOT NULL, scope VARCHAR,
            key VARCHAR NOT NULL, created VARCHAR NOT NULL, doc JSON NOT NULL,
            PRIMARY KEY (kind, id), UNIQUE (kind, org_id, key));
        CREATE TABLE view_defaults (
            scope VARCHAR NOT NULL, scope_id VARCHAR NOT NULL, view_type VARCHAR NOT NULL,
            view_id VARCHAR NOT NULL, org_id VARCHAR NOT NULL, PRIMARY KEY (scope, scope_id, view_type));
        ALTER TABLE api_keys ADD COLUMN user_id VARCHAR;
        ALTER TABLE api_keys ADD COLUMN preview VARCHAR;
        """
    )
    for (org_id,) in con.execute("SELECT id FROM orgs ORDER BY created").fetchall():
        groups = seed_org(con, org_id)
        keys = con.execute("SELECT id FROM api_keys WHERE org_id = ?", [org_id]).fetchall()
        if keys:
            owner = placeholder_owner(con)
            add_member(con, org_id, owner.id, [groups["Owners"]])
            con.execute(
                "UPDATE api_keys SET user_id = ?, preview = 'sk-assay-…' WHERE org_id = ?", [owner.id, org_id]
            )


MIGRATIONS: list[Callable[[duckdb.DuckDBPyConnection], None]] = [_v1, _v2, _v3, _v4, _v5, _v6, _v7, _v8]


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the database to the latest schema; return the version reached."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = con.execute("SELECT max(version) FROM schema_version").fetchone()
    current = (row[0] if row else None) or 0
    for number, step in enumerate(MIGRATIONS, start=1):
        if number <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            step(con)
            con.execute("INSERT INTO schema_version VALUES (?)", [number])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    con.execute("BEGIN TRANSACTION")
    ensure_table(con)
    con.execute("COMMIT")
    return len(MIGRATIONS)

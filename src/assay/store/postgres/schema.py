"""Versioned schema migrations for the PostgreSQL backend.

Each migration runs once, in order, in one transaction, and records its number in
`schema_version`. Several servers may start at once on one database: the migrating transaction
holds an advisory lock, so exactly one of them migrates and the others find the work done. Add a
migration; never edit one that has shipped.

Type choices (from measurements while this backend was written, not recorded in docs/):
- JSON fields are `json`, PostgreSQL's validated text: values read back exactly as written (key
  order, number spelling), as in DuckDB, whose JSON is text too. At 1M rows `jsonb` filters a
  path ~2x faster but takes ~2x longer to ingest and to return whole values, and reorders keys.
- Maps of numbers (`scores`, `metrics`) are `jsonb`: flat objects whose key order carries no
  meaning, read by key; the type also tells a query's result decoder that a column is a map.
- Keys and ids collate as "C" (byte order, as DuckDB compares), whatever the database's locale.
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg
from psycopg import sql

from assay.store.columns import ROW_COLUMNS, Column
from assay.store.postgres.jobs import SCHEMA as JOBS_SCHEMA

FIRST_XACT = 10**18  # 19-digit ids: lexicographic order equals numeric order
MIGRATION_LOCK = 7_244_100  # advisory lock key held while migrating (any fixed number)

SQL_TYPES = {
    "text": 'text COLLATE "C"',
    "int": "bigint",
    "bool": "boolean",
    "timestamp": "timestamptz",
    "json": "json",
    "number_map": "jsonb",
    "text_list": 'text[] COLLATE "C"',
    "number": "double precision",
}


def column_ddl(col: Column) -> sql.Composable:
    return sql.SQL("{} {}").format(sql.Identifier(col.name), sql.SQL(SQL_TYPES[col.kind]))


def _run(con: psycopg.Connection, statements: str) -> None:
    for statement in statements.split(";\n"):
        if statement.strip():
            con.execute(statement)  # fixed DDL of this module


def _v1(con: psycopg.Connection) -> None:
    _run(
        con,
        """
        CREATE TABLE orgs (
            id text COLLATE "C" PRIMARY KEY, name text UNIQUE NOT NULL, created text NOT NULL);
        CREATE TABLE api_keys (
            id text COLLATE "C" PRIMARY KEY, org_id text COLLATE "C" NOT NULL, name text NOT NULL,
            key_hash text COLLATE "C" UNIQUE NOT NULL, created text NOT NULL);
        CREATE TABLE objects (
            kind text COLLATE "C" NOT NULL, id text COLLATE "C" PRIMARY KEY,
            org_id text COLLATE "C" NOT NULL, project_id text COLLATE "C", name text COLLATE "C" NOT NULL,
            created text COLLATE "C" NOT NULL, deleted boolean NOT NULL DEFAULT false, doc json NOT NULL);
        CREATE INDEX objects_by_parent ON objects (kind, org_id, project_id) WHERE NOT deleted;
        CREATE TABLE events (
            xact_id bigint NOT NULL, seq integer NOT NULL, object_type text COLLATE "C" NOT NULL,
            object_id text COLLATE "C" NOT NULL, row_id text COLLATE "C" NOT NULL,
            pagination_key text COLLATE "C", body json NOT NULL);
        CREATE INDEX events_by_object ON events (object_id, xact_id);
        CREATE TABLE comments (
            object_type text COLLATE "C" NOT NULL, object_id text COLLATE "C" NOT NULL,
            id text COLLATE "C" NOT NULL, target_id text COLLATE "C" NOT NULL, _xact_id bigint NOT NULL,
            created timestamptz, body json NOT NULL, PRIMARY KEY (object_id, id));
        CREATE INDEX comments_by_target ON comments (object_id, target_id);
        CREATE TABLE xact_clock (last bigint NOT NULL);
        CREATE TABLE cache_versions (name text PRIMARY KEY, version integer NOT NULL);
        CREATE TABLE secrets (name text PRIMARY KEY, value text NOT NULL);
        CREATE TABLE dirty_traces (
            object_type text COLLATE "C" NOT NULL, object_id text COLLATE "C" NOT NULL,
            root_span_id text COLLATE "C");
        CREATE INDEX dirty_traces_by_object ON dirty_traces (object_id)
        """,
    )
    con.execute("INSERT INTO xact_clock VALUES (%s)", [FIRST_XACT])
    _functions(con)
    cols = sql.SQL(", ").join(column_ddl(c) for c in ROW_COLUMNS)
    con.execute(sql.SQL("CREATE TABLE rows ({}, PRIMARY KEY (_key))").format(cols))
    # Indexes for what reads ask: a trace at a time, a page of traces by key.
    con.execute("CREATE INDEX rows_by_trace ON rows (object_id, root_span_id)")
    con.execute("CREATE INDEX rows_by_page ON rows (object_id, _pagination_key)")


def _functions(con: psycopg.Connection) -> None:
    """What compiled queries call that PostgreSQL lacks: stopping a statement with a message
    (`Dialect.fail`) and conversions that yield NULL instead of failing (`Dialect.cast`)."""
    con.execute(
        """CREATE FUNCTION assay_error(message text) RETURNS text LANGUAGE plpgsql AS
           $$ BEGIN RAISE EXCEPTION '%', message USING ERRCODE = 'data_exception'; END $$"""
    )
    for name, to in (("date", "date"), ("timestamptz", "timestamptz"), ("interval", "interval")):
        con.execute(
            f"""CREATE FUNCTION assay_try_cast_{name}(value text) RETURNS {to} LANGUAGE plpgsql STABLE AS
                $$ BEGIN RETURN value::{to}; EXCEPTION WHEN others THEN RETURN NULL; END $$"""
        )


def _v2(con: psycopg.Connection) -> None:
    """Background jobs and their leased chunks (`jobs.py`)."""
    _run(con, JOBS_SCHEMA)


def _v3(con: psycopg.Connection) -> None:
    """People and the access model (as DuckDB's migration 6): users, memberships, sessions,
    one-time links, documents (groups, roles, ACLs, views) and default views. Every organization
    gets its built-in groups; API keys belong to a user, and older keys become an owner's."""
    from assay.store.postgres.people import add_member, placeholder_owner
    from assay.store.postgres.records import seed_org

    _run(
        con,
        """
        CREATE TABLE users (
            id text COLLATE "C" PRIMARY KEY, email text NOT NULL, email_key text COLLATE "C" UNIQUE NOT NULL,
            name text NOT NULL, created text NOT NULL, kind text NOT NULL, password_hash text);
        CREATE TABLE members (
            org_id text COLLATE "C" NOT NULL, user_id text COLLATE "C" NOT NULL, joined text COLLATE "C" NOT NULL,
            PRIMARY KEY (org_id, user_id));
        CREATE TABLE sessions (
            id text COLLATE "C" PRIMARY KEY, user_id text COLLATE "C" NOT NULL, csrf text NOT NULL,
            created text NOT NULL, expires text NOT NULL, last_seen text NOT NULL);
        CREATE INDEX sessions_by_user ON sessions (user_id);
        CREATE TABLE signin_links (
            token_hash text COLLATE "C" PRIMARY KEY, user_id text COLLATE "C" NOT NULL,
            org_id text COLLATE "C" NOT NULL, purpose text NOT NULL, created text NOT NULL,
            expires text COLLATE "C" NOT NULL, used text);
        CREATE TABLE records (
            kind text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL, org_id text COLLATE "C" NOT NULL,
            scope text COLLATE "C", key text COLLATE "C" NOT NULL, created text COLLATE "C" NOT NULL,
            doc json NOT NULL, PRIMARY KEY (kind, id), UNIQUE (kind, org_id, key));
        CREATE TABLE view_defaults (
            scope text COLLATE "C" NOT NULL, scope_id text COLLATE "C" NOT NULL,
            view_type text COLLATE "C" NOT NULL, view_id text COLLATE "C" NOT NULL,
            org_id text COLLATE "C" NOT NULL, PRIMARY KEY (scope, scope_id, view_type));
        ALTER TABLE api_keys ADD COLUMN user_id text COLLATE "C";
        ALTER TABLE api_keys ADD COLUMN preview text
        """,
    )
    for (org_id,) in con.execute("SELECT id FROM orgs ORDER BY created").fetchall():
        groups = seed_org(con, org_id)
        if con.execute("SELECT 1 FROM api_keys WHERE org_id = %s LIMIT 1", [org_id]).fetchone():
            owner = placeholder_owner(con)
            add_member(con, org_id, owner.id, [groups["Owners"]])
            con.execute(
                "UPDATE api_keys SET user_id = %s, preview = 'sk-assay-…' WHERE org_id = %s",
                [owner.id, org_id],
            )


MIGRATIONS: list[Callable[[psycopg.Connection], None]] = [_v1, _v2, _v3]


def migrate(con: psycopg.Connection) -> int:
    """Bring the database to the latest schema; return the version reached. `con` is in
    autocommit mode; each migration gets its own transaction."""
    with con.transaction():
        con.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
        con.execute("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)")
    for number, step in enumerate(MIGRATIONS, start=1):
        with con.transaction():
            con.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
            found = con.execute("SELECT max(version) FROM schema_version").fetchone()
            if ((found[0] if found else None) or 0) >= number:
                continue
            step(con)
            con.execute("INSERT INTO schema_version VALUES (%s)", [number])
    from assay.store.postgres.summaries import ensure_table

    with con.transaction():
        con.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
        ensure_table(con)
    return len(MIGRATIONS)

"""`RecordStore` on PostgreSQL: `SqlRecords` (the logic and statements, shared with DuckDB), each
call one transaction on a pooled connection; reads that guard a write take row locks."""

from __future__ import annotations

import psycopg
from psycopg_pool import ConnectionPool

from assay.store import sql_records
from assay.store.postgres.sql_backend import PostgresSql, PostgresTx
from assay.store.sql_records import SqlRecords


def postgres_records(pool: ConnectionPool) -> SqlRecords:
    """`store.records` of a `PostgresStore`."""
    return SqlRecords(PostgresSql(pool))


def seed_org(con: psycopg.Connection, org_id: str) -> dict[str, str]:
    """`sql_records.seed_org` in a transaction the caller holds (a migration, a new organization)."""
    return sql_records.seed_org(
        PostgresTx(con), sql_records.statements(PostgresSql.dialect, PostgresSql.locks), org_id
    )

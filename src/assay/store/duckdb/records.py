"""`RecordStore` on DuckDB: `SqlRecords` (the logic and statements, shared with PostgreSQL) on a
reader cursor for reads and in the single writer's transaction for changes."""

from __future__ import annotations

import duckdb

from assay.store import sql_records
from assay.store.duckdb.sql_backend import DuckDBSql, DuckDBTx, Runs
from assay.store.sql_records import SqlRecords


def duckdb_records(read: Runs, write: Runs) -> SqlRecords:
    """`store.records` of a `DuckDBStore`."""
    return SqlRecords(DuckDBSql(read, write))


def seed_org(con: duckdb.DuckDBPyConnection, org_id: str) -> dict[str, str]:
    """`sql_records.seed_org` in a transaction the caller holds (a migration, a new organization)."""
    return sql_records.seed_org(
        DuckDBTx(con), sql_records.statements(DuckDBSql.dialect, DuckDBSql.locks), org_id
    )

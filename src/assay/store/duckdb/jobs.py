"""`JobStore` on DuckDB: `SqlJobs` (the logic and statements, shared with PostgreSQL) run on a
reader cursor for reads and in the single writer's transaction for changes.

The single writer makes each claim atomic (no other change can interleave with it), so the
statements take no row locks; lease times are this machine's clock (DuckDB runs in this process).
"""

from __future__ import annotations

from assay.store.duckdb.sql_backend import DuckDBSql, Runs
from assay.store.sql_jobs import SqlJobs


def duckdb_jobs(read: Runs, write: Runs) -> SqlJobs:
    """`store.jobs` of a `DuckDBStore`: `read` runs on a reader cursor, `write` on the writer."""
    return SqlJobs(DuckDBSql(read, write))


SCHEMA = """
CREATE TABLE jobs (
    id VARCHAR PRIMARY KEY, org_id VARCHAR NOT NULL, project_id VARCHAR NOT NULL, object_id VARCHAR,
    kind VARCHAR NOT NULL, state VARCHAR NOT NULL, created VARCHAR NOT NULL, updated VARCHAR NOT NULL,
    total INTEGER NOT NULL, done INTEGER NOT NULL, failed INTEGER NOT NULL, chunks INTEGER NOT NULL,
    chunks_done INTEGER NOT NULL, doc JSON NOT NULL);
CREATE TABLE job_chunks (
    job_id VARCHAR NOT NULL, chunk INTEGER NOT NULL, items JSON, state VARCHAR NOT NULL, token VARCHAR,
    lease_until DOUBLE, attempts INTEGER NOT NULL, PRIMARY KEY (job_id, chunk));
"""

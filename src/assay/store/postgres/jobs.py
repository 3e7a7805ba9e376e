"""`JobStore` on PostgreSQL: `SqlJobs` (the logic and statements, shared with DuckDB) on pooled
connections, shared by every server of the database.

Workers in several servers claim chunks at once, so the statements take row locks (a claim's pick
skips chunks another claim holds) and lease times are the database's clock (`clock_timestamp()`),
so servers with skewed clocks agree on when a lease has expired.
"""

from __future__ import annotations

from psycopg_pool import ConnectionPool

from assay.store.postgres.sql_backend import PostgresSql
from assay.store.sql_jobs import SqlJobs

SCHEMA = """
CREATE TABLE jobs (
    id text COLLATE "C" PRIMARY KEY, org_id text COLLATE "C" NOT NULL, project_id text COLLATE "C" NOT NULL,
    object_id text COLLATE "C", kind text NOT NULL, state text NOT NULL, created text NOT NULL,
    updated text NOT NULL, total integer NOT NULL, done integer NOT NULL, failed integer NOT NULL,
    chunks integer NOT NULL, chunks_done integer NOT NULL, doc json NOT NULL);
CREATE INDEX jobs_by_org ON jobs (org_id, created);
CREATE TABLE job_chunks (
    job_id text COLLATE "C" NOT NULL, chunk integer NOT NULL, items json, state text NOT NULL,
    token text, lease_until double precision, attempts integer NOT NULL, PRIMARY KEY (job_id, chunk));
CREATE INDEX job_chunks_open ON job_chunks (job_id, chunk) WHERE state <> 'done'
"""


def postgres_jobs(pool: ConnectionPool) -> SqlJobs:
    """`store.jobs` of a `PostgresStore`: each call is one transaction on a pooled connection."""
    return SqlJobs(PostgresSql(pool))

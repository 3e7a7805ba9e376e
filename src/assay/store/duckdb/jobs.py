"""`JobStore` on DuckDB: `SqlJobs` (the logic and statements, shared with PostgreSQL) run on a
reader cursor for reads and in the single writer's transaction for changes.

The single writer makes each claim atomic (no other change can interleave with it), so the
statements take no row locks; lease times are this machine's clock (DuckDB runs in this process).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

import duckdb
from sqlglot import exp

from assay.store.sql_jobs import SqlJobs, Tx

T = TypeVar("T")


class Runs(Protocol):
    """Runs a function of a connection (on a reader cursor, or in the writer's transaction)."""

    def __call__(self, fn: Callable[[duckdb.DuckDBPyConnection], T]) -> T: ...


class _Tx:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def rows(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        return self._con.execute(sql, dict(params)).fetchall()

    def many(self, sql: str, params: Sequence[Mapping[str, Any]]) -> None:
        self._con.executemany(sql, [dict(p) for p in params])


class _Backend:
    dialect = "duckdb"
    locks = False
    clock: exp.Expr | None = None

    def __init__(self, read: Runs, write: Runs) -> None:
        self._read, self._write = read, write

    def read(self, fn: Callable[[Tx], T]) -> T:
        return self._read(lambda con: fn(_Tx(con)))

    def write(self, fn: Callable[[Tx], T]) -> T:
        return self._write(lambda con: fn(_Tx(con)))


def duckdb_jobs(read: Runs, write: Runs) -> SqlJobs:
    """`store.jobs` of a `DuckDBStore`: `read` runs on a reader cursor, `write` on the writer."""
    return SqlJobs(_Backend(read, write))


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

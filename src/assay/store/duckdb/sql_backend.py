"""`SqlBackend` on DuckDB: reads on this thread's reader cursor, writes in the single writer's
transaction (which serialises them, so statements take no row locks), this machine's clock."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

import duckdb
from sqlglot import exp

from assay.store.sql_backend import Tx

T = TypeVar("T")


class Runs(Protocol):
    """Runs a function of a connection (on a reader cursor, or in the writer's transaction)."""

    def __call__(self, fn: Callable[[duckdb.DuckDBPyConnection], T]) -> T: ...


class DuckDBTx:
    """A DuckDB connection as a `Tx` (also for migrations, which hold a bare connection)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def rows(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        cur = self._con.execute(sql, dict(params))
        return cur.fetchall() if cur.description is not None else []

    def many(self, sql: str, params: Sequence[Mapping[str, Any]]) -> None:
        self._con.executemany(sql, [dict(p) for p in params])


class DuckDBSql:
    dialect = "duckdb"
    locks = False
    clock: exp.Expr | None = None

    def __init__(self, read: Runs, write: Runs) -> None:
        self._read, self._write = read, write

    def read(self, fn: Callable[[Tx], T]) -> T:
        return self._read(lambda con: fn(DuckDBTx(con)))

    def write(self, fn: Callable[[Tx], T]) -> T:
        return self._write(lambda con: fn(DuckDBTx(con)))

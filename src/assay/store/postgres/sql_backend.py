"""`SqlBackend` on PostgreSQL: each call on a pooled connection (a transaction for writes), shared
by every server of the database, so reads that guard a write take row locks and the clock is the
database's (`clock_timestamp()`), which servers with skewed clocks agree on."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import psycopg
import sqlglot
from psycopg_pool import ConnectionPool
from sqlglot import exp

from assay.store.postgres.connections import connection
from assay.store.sql_backend import Tx

T = TypeVar("T")


class PostgresTx:
    """A psycopg connection as a `Tx` (also for migrations, which hold a bare connection)."""

    def __init__(self, con: psycopg.Connection) -> None:
        self._con = con

    def rows(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        cur = self._con.execute(sql, params)
        return cur.fetchall() if cur.description is not None else []

    def many(self, sql: str, params: Sequence[Mapping[str, Any]]) -> None:
        with self._con.cursor() as cur:
            cur.executemany(sql, params)


class PostgresSql:
    dialect = "postgres"
    locks = True
    clock: exp.Expr | None = sqlglot.parse_one("extract(epoch FROM clock_timestamp())", dialect="postgres")

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool

    def read(self, fn: Callable[[Tx], T]) -> T:
        with connection(self._pool) as con:
            return fn(PostgresTx(con))

    def write(self, fn: Callable[[Tx], T]) -> T:
        with connection(self._pool) as con, con.transaction():
            return fn(PostgresTx(con))

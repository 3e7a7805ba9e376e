"""The connection pool of a PostgreSQL store, and how each of its connections is set up.

Connections are in autocommit mode: a statement outside `con.transaction()` commits alone, and
every multi-statement unit of work says where its transaction begins and ends. Each connection
works in UTC and reads `json` as its text (decoded by the shared codec, exactly as DuckDB's
JSON text is) and `jsonb`, used only for maps of numbers, as a dict of floats.

A connection the server dropped (restart, failover, network) is noticed by the pool's check
when it is handed out and replaced; a statement caught by the drop fails once with
`StoreUnavailable` (503) and the next request gets a fresh connection.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import orjson
import psycopg
from psycopg.adapt import Buffer, Loader
from psycopg_pool import ConnectionPool, PoolTimeout

from assay.store.base import StoreUnavailable

APPLICATION_NAME = "assay"


class JsonText(Loader):
    """`json` values as their text."""

    def load(self, data: Buffer) -> str:
        return bytes(data).decode()


class NumberMap(Loader):
    """`jsonb` maps of numbers as a dict of floats (DuckDB's MAP(VARCHAR, DOUBLE) reads so)."""

    def load(self, data: Buffer) -> Any:
        value = orjson.loads(bytes(data))
        if isinstance(value, dict):
            return {k: None if v is None else float(v) for k, v in value.items()}
        return value


def configure(con: psycopg.Connection) -> None:
    con.adapters.register_loader("json", JsonText)
    con.adapters.register_loader("jsonb", NumberMap)


def open_pool(url: str, *, max_size: int) -> ConnectionPool:
    """A pool of up to `max_size` connections to `url`, opened and checked once."""
    pool = ConnectionPool(
        url,
        min_size=1,
        max_size=max_size,
        kwargs={"autocommit": True, "options": "-c TimeZone=UTC", "application_name": APPLICATION_NAME},
        configure=configure,
        check=ConnectionPool.check_connection,
        open=False,
        name="assay",
    )
    try:
        pool.open(wait=True, timeout=15)
    except PoolTimeout:
        pool.close()
        raise StoreUnavailable(f"cannot connect to the PostgreSQL database {_safe(url)}") from None
    return pool


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    info.pop("password", None)
    return " ".join(f"{k}={v}" for k, v in info.items())


@contextlib.contextmanager
def connection(pool: ConnectionPool) -> Iterator[psycopg.Connection]:
    """A pooled connection; a dropped connection or an unreachable server is `StoreUnavailable`."""
    try:
        with pool.connection(timeout=30) as con:
            yield con
    except PoolTimeout:
        raise StoreUnavailable("no database connection became free within 30 s") from None
    except psycopg.OperationalError as exc:
        if exc.sqlstate is None or exc.sqlstate.startswith("08") or exc.sqlstate.startswith("57P"):
            raise StoreUnavailable(f"the database connection failed: {str(exc).strip()[:300]}") from None
        raise

"""The connection pool of a PostgreSQL store, and how each of its connections is set up.

Connections are in autocommit mode: a statement outside `con.transaction()` commits alone, and
every multi-statement unit of work says where its transaction begins and ends. Each connection
works in UTC and reads `json` as its text (decoded by the shared codec, exactly as DuckDB's
JSON text is) and `jsonb`, used only for maps of numbers, as a dict of floats.

What the PostgreSQL equivalents of the DuckDB backend's failure modes are:
- a connection the server dropped (restart, failover, network) is noticed by the pool's check
  when it is handed out and replaced; a request caught by the drop fails once with `StoreFailed`
  (503, retry) and the next one gets a fresh connection: no reopening, nothing to heal locally;
- a full disk on the database server (SQLSTATE 53100) is `StorageFull` (507); the transaction
  rolled back, so nothing of the request was written, and writes resume once there is room;
- a value past one of PostgreSQL's own limits (SQLSTATE class 54, e.g. a key too long for an
  index) is `InvalidInput` (400), never a 500.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import orjson
import psycopg
from psycopg.adapt import Buffer, Loader
from psycopg_pool import ConnectionPool, PoolTimeout

from assay.model.errors import InvalidInput, StorageFull, StoreFailed
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


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().split("\n")[0][:300]


@contextlib.contextmanager
def connection(pool: ConnectionPool) -> Iterator[psycopg.Connection]:
    """A pooled connection, with the database's failures turned into the domain's errors."""
    try:
        with pool.connection(timeout=30) as con:
            yield con
    except PoolTimeout:
        raise StoreFailed("no database connection became free within 30 s; retry") from None
    except psycopg.errors.DiskFull as exc:
        raise StorageFull(
            f"the database server's disk is full ({_first_line(exc)}). Nothing of this request was "
            "written and nothing acknowledged is lost; free some space there and retry"
        ) from None
    except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
        state = getattr(exc, "sqlstate", None)
        if state and state.startswith("54"):
            raise InvalidInput(f"a value is too large for the database: {_first_line(exc)}") from None
        if state is None or state.startswith(("08", "57P")):
            raise StoreFailed(f"the database connection failed ({_first_line(exc)}); retry") from None
        raise

"""Running compiled statements on PostgreSQL, bounded in time and memory (`Store.execute`).

Each statement runs in a read-only transaction of its own on a pooled connection:

- time: `statement_timeout` for that transaction; the server cancels the statement at the
  deadline (SQLSTATE 57014), reported as `QueryTimeout`.
- memory: `work_mem` for that transaction is the query memory (PostgreSQL's budget for each sort
  and hash before it spills to disk). The answer is read through a server-side cursor in batches
  and refused once it passes `memory` bytes, as on DuckDB.
- an error of the statement is a `QueryError` (400); running out of memory or disk is
  `QueryTooLarge`. The connection goes back to the pool clean (the transaction is rolled back).

Results become Arrow columns with the same neutral kinds the DuckDB backend reports: `json`
columns as their JSON text, `jsonb` (the number maps) as Arrow maps of doubles.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any

import psycopg
import pyarrow as pa
from psycopg import errors

from assay.query.compile import Compiled
from assay.query.errors import QueryError, QueryTimeout, QueryTooLarge
from assay.store.base import ResultSet, ValueKind
from assay.store.postgres.json_text import json_columns

BATCH_ROWS = 256  # rows per fetch; small, so the size check runs often on wide rows

# PostgreSQL type OIDs (pg_type) -> neutral kind and Arrow type.
TYPES: dict[int, tuple[ValueKind, pa.DataType]] = {
    25: ("text", pa.string()),  # text
    1043: ("text", pa.string()),  # varchar
    19: ("text", pa.string()),  # name
    16: ("bool", pa.bool_()),
    701: ("number", pa.float64()),
    700: ("number", pa.float64()),
    1700: ("number", pa.float64()),  # numeric
    20: ("integer", pa.int64()),
    23: ("integer", pa.int64()),
    21: ("integer", pa.int64()),
    114: ("json", pa.string()),
    3802: ("number_map", pa.map_(pa.string(), pa.float64())),
    1082: ("date", pa.date32()),
    1184: ("timestamp", pa.timestamp("us", tz="UTC")),
    1114: ("timestamp", pa.timestamp("us")),
    1186: ("interval", pa.month_day_nano_interval()),
    1009: ("text_list", pa.list_(pa.string())),
}
OTHER: tuple[ValueKind, pa.DataType] = ("other", pa.string())


def _interval(value: dt.timedelta) -> pa.MonthDayNano:
    micros = (value.seconds * 10**6) + value.microseconds
    return pa.MonthDayNano([0, value.days, micros * 1000])


def _map(value: Any) -> list[tuple[str, float | None]]:
    return [(k, None if v is None else float(v)) for k, v in value.items()]


def _number(value: Any) -> float:
    return float(value)


CONVERT: dict[ValueKind, Callable[[Any], Any]] = {
    "interval": _interval,
    "number_map": _map,
    "number": _number,
}


def _mib(n: int) -> str:
    return f"{n / 2**20:g} MiB"


def _column(values: list[Any], kind: ValueKind, arrow_type: pa.DataType) -> pa.Array:
    convert = CONVERT.get(kind)
    if kind == "other":
        values = [
            None if v is None else (v.isoformat() if hasattr(v, "isoformat") else str(v)) for v in values
        ]
    elif convert is not None:
        values = [None if v is None else convert(v) for v in values]
    return pa.array(values, type=arrow_type)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().split("\n")[0][:500]


def run(
    connect: Callable[[], AbstractContextManager[psycopg.Connection]],
    compiled: Compiled,
    *,
    timeout: float,
    memory: int,
) -> ResultSet:
    """Run `compiled` within `timeout` seconds and `memory` bytes on a connection from `connect()`."""
    work_mem_kb = max(64, min(memory // 1024, 2**31 - 1))
    deadline = time.monotonic() + timeout
    try:
        with connect() as con, con.transaction():
            con.execute("SET TRANSACTION READ ONLY")
            con.execute(
                "SELECT set_config('statement_timeout', %s, true), set_config('work_mem', %s, true)",
                [str(max(1, int(timeout * 1000))), f"{int(work_mem_kb)}kB"],
            )
            with con.cursor(name=f"q{uuid.uuid4().hex}") as cur:
                cur.itersize = BATCH_ROWS
                cur.execute(compiled.sql.encode())
                description = cur.description or []
                names = [d.name for d in description]
                json = json_columns(compiled.statement)
                types = [
                    TYPES[114] if i < len(json) and json[i] else TYPES.get(d.type_code, OTHER)
                    for i, d in enumerate(description)
                ]
                columns: list[list[Any]] = [[] for _ in names]
                size = 0
                while batch := cur.fetchmany(BATCH_ROWS):
                    for row in batch:
                        for i, value in enumerate(row):
                            columns[i].append(value)
                            size += _size(value)
                    if size > memory:
                        raise QueryTooLarge(
                            f"the answer is larger than the query memory limit of {_mib(memory)} "
                            "(ASSAY_QUERY_MEMORY_BYTES); select fewer columns or add a LIMIT"
                        )
            if time.monotonic() > deadline:  # finished, but later than allowed (a limit under 1 ms)
                raise errors.QueryCanceled("deadline passed")
    except errors.QueryCanceled:
        raise QueryTimeout(f"the query ran longer than the time limit of {timeout:g} s") from None
    except (
        errors.OutOfMemory,
        errors.DiskFull,
        errors.ProgramLimitExceeded,
        errors.ConfigurationLimitExceeded,
    ):
        raise QueryTooLarge(
            f"the query needs more memory or disk than the database allows (query limit {_mib(memory)}, "
            "ASSAY_QUERY_MEMORY_BYTES); add a filter, a LIMIT or fewer GROUP BY keys"
        ) from None
    except (errors.OperationalError, errors.InterfaceError):
        raise  # the connection, not the statement: `connections.connection` reports it
    except psycopg.Error as exc:
        raise QueryError(f"the query failed: {_first_line(exc)}") from None
    arrays = [
        _column(values, kind, arrow_type) for values, (kind, arrow_type) in zip(columns, types, strict=True)
    ]
    table = pa.Table.from_arrays(arrays, names=names) if names else pa.table({})
    return ResultSet(table, [kind for kind, _ in types])


def _size(value: Any) -> int:
    if value is None:
        return 1
    if isinstance(value, str | bytes):
        return len(value) + 8
    if isinstance(value, dict | list):
        return 16 + sum(_size(v) for v in (value.values() if isinstance(value, dict) else value))
    if isinstance(value, Decimal):
        return 16
    return 8

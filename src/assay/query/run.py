"""Running a compiled query: time limit, row cap, decoding rows to API values, the result schema."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import duckdb
import orjson
import pyarrow as pa

from assay.query.compile import KEY_COLUMN, Compiled, compile_query, encode_cursor
from assay.query.errors import QueryError, QueryTimeout
from assay.query.parse import parse_query
from assay.query.sources import Source
from assay.services.auth import Principal
from assay.services.context import Services
from assay.store import codec
from assay.store.base import ObjectRef
from assay.store.columns import COLUMNS_BY_NAME

DEFAULT_TIMEOUT_S = 30.0


@dataclass
class QueryResult:
    """One page of results: `rows` as API values, `schema` the JSON Schema of a row, `cursor` for more."""

    columns: list[str]
    rows: list[dict[str, Any]]
    schema: dict[str, Any]
    cursor: str | None = None
    warnings: list[str] = field(default_factory=list)
    arrow: pa.Table | None = None  # the raw page, for parquet output
    sql: str = ""


def run_query(
    svc: Services,
    who: Principal,
    query: Any,
    *,
    cursor: str | None = None,
    limit: int | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    arrow: bool = False,
    version: int | None = None,
) -> QueryResult:
    """Parse, check, compile and run `query` (SQL, pipe text or JSON tree) as `who`.

    `version` pins the read to a transaction id. Queries read the current rows, so a version older
    than any source's latest write is refused (the fetch routes replay history instead)."""
    compiled = compile_query(svc, who, parse_query(query), cursor=cursor, limit=limit)
    if version is not None:
        _check_version(svc, compiled.source, version)
    return execute(svc, compiled, timeout=timeout, arrow=arrow)


def _check_version(svc: Services, source: Source, version: int) -> None:
    for object_id in source.object_ids:
        latest = svc.store.max_xact_id(ObjectRef(source.object_type, object_id))
        if latest is not None and int(latest) > version:
            raise QueryError(
                f"version {version} is older than the latest write to {source.object_type} {object_id} "
                f"({latest}); queries read the current state: use POST /v1/{source.object_type}/<id>/fetch "
                "with this version to read history"
            )


def execute(svc: Services, compiled: Compiled, *, timeout: float, arrow: bool = False) -> QueryResult:
    source = compiled.source
    if source.shape == "summary":
        svc.store.refresh_summaries(
            source.object_type, [*source.object_ids, *filter(None, [source.compare_id])]
        )
    con = _cursor(svc)
    timer = threading.Timer(timeout, con.interrupt)
    deadline = time.monotonic() + timeout
    timer.start()
    try:
        relation = con.sql(compiled.sql)
        names = list(relation.columns)
        types = [str(t) for t in relation.types]
        table = relation.to_arrow_table() if arrow else None
        records = (
            table.to_pylist()
            if table is not None
            else [dict(zip(names, r, strict=True)) for r in relation.fetchall()]
        )
        if time.monotonic() > deadline:  # the interrupt can land before the query starts
            raise duckdb.InterruptException("deadline passed")
    except duckdb.InterruptException:
        raise QueryTimeout(f"the query ran longer than the time limit of {timeout:g} s") from None
    except duckdb.Error as exc:
        raise QueryError(f"the query failed: {_first_line(exc)}") from None
    finally:
        timer.cancel()
        con.close()
    kinds = dict(zip(names, types, strict=True))
    next_cursor = _next_cursor(compiled, records)
    if table is not None and KEY_COLUMN in table.column_names:
        table = table.drop_columns([KEY_COLUMN])
    decoders = _decoders(compiled, kinds)
    rows = [_decode(compiled, r, decoders) for r in records]
    if compiled.star and compiled.source.shape != "summary":
        svc.store.attach_comments(compiled.source.object_type, rows)  # as the fetch routes do
    return QueryResult(
        compiled.columns, rows, _schema(compiled, kinds), next_cursor, compiled.warnings, table, compiled.sql
    )


def _cursor(svc: Services) -> duckdb.DuckDBPyConnection:
    reader = getattr(svc.store, "reader", None)
    if reader is None:
        raise QueryError("this database backend does not run SQL queries yet")
    cur: duckdb.DuckDBPyConnection = reader().cursor()  # its own connection, so interrupt hits only it
    return cur


def _first_line(exc: Exception) -> str:
    return str(exc).strip().split("\n")[0][:500]


def _next_cursor(compiled: Compiled, records: list[dict[str, Any]]) -> str | None:
    if compiled.limit == 0 or len(records) < compiled.limit:
        return None
    if compiled.keyed:
        return encode_cursor({"k": records[-1][KEY_COLUMN]})
    return encode_cursor({"o": compiled.offset + len(records)})


def _timestamp(value: Any) -> Any:
    return value.astimezone(UTC).isoformat() if getattr(value, "tzinfo", None) else value.isoformat()


def _map(value: Any) -> Any:
    # Python results give maps as dicts, Arrow results as lists of pairs; values may be Decimals.
    items = value.items() if isinstance(value, dict) else value
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in items}


def _other(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime) or hasattr(value, "isoformat"):
        return _timestamp(value)
    if hasattr(value, "total_seconds"):
        return value.total_seconds()
    return value


def decoder(kind: str) -> Callable[[Any], Any] | None:
    """How a result column of backend type `kind` becomes an API value (None: as it is)."""
    if kind == "JSON":
        return orjson.loads
    if kind.startswith("TIMESTAMP") or kind == "DATE":
        return _timestamp
    if kind.startswith("MAP"):
        return _map
    if kind in ("VARCHAR", "BOOLEAN", "DOUBLE", "BIGINT", "INTEGER", "VARCHAR[]"):
        return None
    return _other


def _decoders(compiled: Compiled, kinds: dict[str, str]) -> list[tuple[str, Callable[[Any], Any] | None]]:
    out = [(name, decoder(kinds[name])) for name in compiled.columns]
    return [(name, str if name == "_xact_id" else fn) for name, fn in out]


def _decode(
    compiled: Compiled, record: dict[str, Any], decoders: list[tuple[str, Callable[[Any], Any] | None]]
) -> dict[str, Any]:
    record.pop(KEY_COLUMN, None)
    if compiled.star and compiled.source.shape != "summary":
        return codec.api_event(record)
    out = {}
    for name, fn in decoders:
        value = record[name]
        out[name] = value if fn is None or value is None else fn(value)
    return out


JSON_TYPES = {
    "VARCHAR": {"type": "string"},
    "BOOLEAN": {"type": "boolean"},
    "DOUBLE": {"type": "number"},
    "FLOAT": {"type": "number"},
    "BIGINT": {"type": "integer"},
    "INTEGER": {"type": "integer"},
    "HUGEINT": {"type": "integer"},
    "JSON": {},
    "DATE": {"type": "string", "format": "date"},
    "TIMESTAMP WITH TIME ZONE": {"type": "string", "format": "date-time"},
    "TIMESTAMP": {"type": "string", "format": "date-time"},
    "VARCHAR[]": {"type": "array", "items": {"type": "string"}},
    "MAP(VARCHAR, DOUBLE)": {"type": "object", "additionalProperties": {"type": "number"}},
}


def _schema(compiled: Compiled, kinds: dict[str, str]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    star_spans = compiled.star and compiled.source.shape != "summary"
    for name in compiled.columns:
        column = COLUMNS_BY_NAME.get(name)
        if star_spans and (column is None or not column.api):
            continue
        kind = kinds.get(name, "")
        props[name] = JSON_TYPES.get(kind) or ({"type": "number"} if kind.startswith("DECIMAL") else {})
        if name == "_xact_id":
            props[name] = {"type": "string"}
    if star_spans:
        props["_xact_id"] = {"type": "string"}
        props["is_root"] = {"type": "boolean"}
        owner = {"experiment": "experiment_id", "dataset": "dataset_id"}.get(
            compiled.source.object_type, "log_id"
        )
        props[owner] = {"type": "string"}
    return {"type": "array", "items": {"type": "object", "properties": props}}

"""A page of query results as API values: the one place result columns are decoded.

`Store.execute` answers Arrow columns and a neutral kind per column; this module turns them into
JSON-ready rows (JSON text parsed, timestamps in ISO-8601 UTC, maps as objects), describes a row
as JSON Schema, and works out the cursor of the next page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from decimal import Decimal
from typing import Any

import orjson
import pyarrow as pa

from assay.model.objects import OBJECT_TYPES
from assay.query.compile import KEY_COLUMN, Compiled, encode_cursor
from assay.store import codec
from assay.store.base import ResultSet, ValueKind
from assay.store.columns import COLUMNS_BY_NAME
from assay.store.duckdb import arrow_text


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


def _timestamp(value: Any) -> Any:
    return value.astimezone(UTC).isoformat() if getattr(value, "tzinfo", None) else value.isoformat()


def _number(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def _integer(value: Any) -> Any:
    # HUGEINT sums arrive as Decimals; JSON clients read 64-bit integers exactly, not more.
    if isinstance(value, Decimal):
        value = int(value)
    return value if -(2**63) <= value < 2**64 else float(value)


def _map(value: Any) -> Any:
    # Arrow gives maps as lists of (key, value) pairs; values may be Decimals.
    items = value.items() if isinstance(value, dict) else value
    return {k: _number(v) for k, v in items}


def _interval(value: Any) -> float:
    # Arrow's month-day-nanosecond interval, in seconds (a month counts 30 days, as in DuckDB).
    return (value.months * 30 + value.days) * 86400 + value.nanoseconds / 1e9


def _other(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "isoformat"):
        return _timestamp(value)
    return value


DECODERS: dict[ValueKind, Callable[[Any], Any] | None] = {
    "text": None,
    "bool": None,
    "integer": _integer,
    "text_list": None,
    "number": _number,
    "json": orjson.loads,
    "timestamp": _timestamp,
    "date": _timestamp,
    "interval": _interval,
    "number_map": _map,
    "other": _other,
}
JSON_TYPES: dict[ValueKind, dict[str, Any]] = {
    "text": {"type": "string"},
    "bool": {"type": "boolean"},
    "number": {"type": "number"},
    "integer": {"type": "integer"},
    "json": {},
    "date": {"type": "string", "format": "date"},
    "timestamp": {"type": "string", "format": "date-time"},
    "interval": {"type": "number"},
    "text_list": {"type": "array", "items": {"type": "string"}},
    "number_map": {"type": "object", "additionalProperties": {"type": "number"}},
    "other": {},
}


@dataclass
class QueryText:
    """One page of results whose rows the database wrote as JSON text: `rows` holds each row's
    JSON object, joined by the separator the caller asked for (see `encode`)."""

    columns: list[str]
    rows: bytes  # UTF-8
    schema: dict[str, Any]
    cursor: str | None = None
    warnings: list[str] = field(default_factory=list)


def encode(compiled: Compiled, result: ResultSet, separator: str) -> QueryText | None:
    """The page `result` of `compiled` as JSON text written by DuckDB from its Arrow columns,
    spelled as `decode` and `encode_json` would spell it (`store.duckdb.arrow_text`), without a
    Python object per value: a 100,000-row answer costs a fraction of decoding it. None when
    the rows are span events (their shape is built in Python, with comments attached) or hold a
    column that only the Python path spells right; the caller then decodes."""
    if compiled.star and compiled.source.shape != "summary":
        return None
    text = arrow_text.json_rows(result, compiled.columns, separator)
    if text is None:
        return None
    kinds = dict(zip(result.table.column_names, result.kinds, strict=True))
    cursor = _next_cursor(compiled, result.table)
    return QueryText(compiled.columns, text, _schema(compiled, kinds), cursor, compiled.warnings)


def decode(compiled: Compiled, result: ResultSet) -> QueryResult:
    """The page `result` of `compiled` as API rows, with its schema and the next page's cursor."""
    table = result.table
    kinds = dict(zip(table.column_names, result.kinds, strict=True))
    records = table.to_pylist()
    cursor = _next_cursor(compiled, table)
    if KEY_COLUMN in table.column_names:
        table = table.drop_columns([KEY_COLUMN])
    span_events = compiled.star and compiled.source.shape != "summary"
    if span_events:
        rows = [_event(r, compiled.exclude) for r in records]
    else:
        decoders = [(n, str if n == "_xact_id" else DECODERS[kinds[n]]) for n in compiled.columns]
        rows = [_row(r, decoders) for r in records]
    schema = _schema(compiled, kinds)
    return QueryResult(compiled.columns, rows, schema, cursor, compiled.warnings, table, compiled.sql)


def _row(record: dict[str, Any], decoders: list[tuple[str, Callable[[Any], Any] | None]]) -> dict[str, Any]:
    out = {}
    for name, fn in decoders:
        value = record[name]
        out[name] = value if fn is None or value is None else fn(value)
    return out


def _event(record: dict[str, Any], exclude: list[str]) -> dict[str, Any]:
    record.pop(KEY_COLUMN, None)
    event = codec.api_event(record)
    for name in exclude:
        event.pop(name, None)
    return event


def _next_cursor(compiled: Compiled, table: pa.Table) -> str | None:
    if compiled.limit == 0 or table.num_rows < compiled.limit:
        return None
    if compiled.keyed:
        return encode_cursor({"k": table.column(KEY_COLUMN)[-1].as_py()})
    return encode_cursor({"o": compiled.offset + table.num_rows})


def _schema(compiled: Compiled, kinds: dict[str, ValueKind]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    span_events = compiled.star and compiled.source.shape != "summary"
    for name in compiled.columns:
        column = COLUMNS_BY_NAME.get(name)
        if span_events and (column is None or not column.api or name in compiled.exclude):
            continue
        props[name] = {"type": "string"} if name == "_xact_id" else JSON_TYPES[kinds.get(name, "other")]
    if span_events:
        owner = OBJECT_TYPES[compiled.source.object_type].id_field
        extra = {"_xact_id": {"type": "string"}, "is_root": {"type": "boolean"}}
        extra["log_id" if owner == "project_id" else owner] = {"type": "string"}
        props.update({k: v for k, v in extra.items() if k not in compiled.exclude})
    return {"type": "array", "items": {"type": "object", "properties": props}}

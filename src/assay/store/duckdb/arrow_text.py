"""JSON and CSV text of a page of query results, written by an in-memory DuckDB from its Arrow table.

An export built a Python dict per row (`services.query_results.decode`), picked its fields and
encoded it again: about 100 µs a span, minutes for a large experiment. Here DuckDB reads the
page's Arrow columns in place (whichever backend answered it) and writes each row's JSON object,
or CSV line, and the page comes back as one string. Values are spelled as the Python path spells
them (JSON text parsed, timestamps in ISO-8601, maps as objects, `_xact_id` as a string; a CSV
cell is a string as it is and anything else as JSON); a test holds the two ways equal
(`tests/api/test_export_text.py`). A page with a column this does not cover (intervals, 128-bit
integers, an unknown kind, a year before 1000, a number that is not finite) gets None, and the
caller takes the Python path.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from assay.store.base import ResultSet, ValueKind
from assay.store.duckdb.dialect import parse, render

_PAGE = "page"
# `created` as Python's isoformat writes it: microseconds only when there are some.
_ISO = parse(
    "strftime(ts, '%Y-%m-%dT%H:%M:%S') || CASE WHEN date_part('microseconds', ts) % 1000000 = 0 "
    "THEN '' ELSE '.' || lpad(CAST(date_part('microseconds', ts) % 1000000 AS VARCHAR), 6, '0') END"
)
_STRING_KINDS: frozenset[ValueKind] = frozenset({"text", "timestamp", "date"})


def iso_timestamp(node: exp.Expr, utc: bool) -> exp.Expr:
    """`node` (a TIMESTAMPTZ when `utc`, else a TIMESTAMP) as Python's `isoformat` writes it; in
    UTC with `+00:00` when `utc`."""
    ts = exp.Anonymous(this="timezone", expressions=[exp.Literal.string("UTC"), node]) if utc else node
    text = _ISO.transform(lambda n: ts.copy() if isinstance(n, exp.Column) and n.name == "ts" else n)
    return exp.DPipe(this=text, expression=exp.Literal.string("+00:00")) if utc else text


Column = tuple[str, ValueKind, pa.DataType]  # name, kind, Arrow type: what the SQL depends on


def json_rows(result: ResultSet, names: Sequence[str], separator: str = ",\n") -> bytes | None:
    """The page's rows as JSON objects of the fields `names` (absent ones null), joined by
    `separator`, in UTF-8; None where the Python path must write them."""
    sql = _json_sql(_columns(result), tuple(names), separator) if _writable(result) else None
    return None if sql is None else _texts(result.table, sql, len(separator.encode()))


def csv_lines(result: ResultSet, names: Sequence[str]) -> bytes | None:
    """The page's rows as CSV lines (`\\r\\n` after each, quoted where Python's `csv` quotes),
    in UTF-8; None where the Python path must write them."""
    sql = _csv_sql(_columns(result), tuple(names)) if _writable(result) else None
    return None if sql is None else _texts(result.table, sql, 0)


def _columns(result: ResultSet) -> tuple[Column, ...]:
    table = result.table
    return tuple(zip(table.column_names, result.kinds, table.schema.types, strict=True))


@functools.lru_cache(maxsize=64)
def _json_sql(columns: tuple[Column, ...], names: tuple[str, ...], separator: str) -> str | None:
    """Each row's JSON object with `separator` after it (`_texts` leaves out the last one)."""
    values = _values(columns)
    if values is None:
        return None
    args: list[exp.Expr] = []
    for name in names:
        args += [exp.Literal.string(name), values.get(name, exp.Null())]
    row = exp.cast(exp.func("json_object", *args), exp.DataType.build("VARCHAR"))
    return render(exp.select(_then(row, separator)).from_(_PAGE))


@functools.lru_cache(maxsize=64)
def _csv_sql(columns: tuple[Column, ...], names: tuple[str, ...]) -> str | None:
    values = _values(columns)
    if values is None:
        return None
    kinds = {name: kind for name, kind, _ in columns}
    # Each cell computed once, in a subquery; the line quotes and joins them.
    cells: list[exp.Expr] = []
    parts: list[exp.Expr] = []
    for i, name in enumerate(names):
        if name not in values:
            parts.append(exp.Literal.string(""))
            continue
        cells.append(exp.alias_(_cell(values[name], kinds[name], name), f"c{i}"))
        parts.append(exp.func("coalesce", _quoted(exp.column(f"c{i}")), exp.Literal.string("")))
    # As written (sqlglot spells `concat_ws` with a NULL check over every part); no part is NULL.
    line = exp.Anonymous(this="concat_ws", expressions=[exp.Literal.string(","), *parts])
    cells_of_page = exp.select(*cells).from_(_PAGE).subquery("cells")
    return render(exp.select(_then(line, "\r\n")).from_(cells_of_page))


def _then(text: exp.Expr, separator: str) -> exp.Expr:
    """`text` with `separator` after it: the page's texts then lie end to end in one buffer."""
    return exp.Anonymous(this="concat", expressions=[text, exp.Literal.string(separator)])


def _values(columns: tuple[Column, ...]) -> dict[str, exp.Expr] | None:
    """Per column, its API value as a DuckDB expression over the page; None if one has no such."""
    out: dict[str, exp.Expr] = {}
    for name, kind, arrow_type in columns:
        value = _value(exp.column(name, quoted=True), kind, arrow_type, name)
        if value is None:
            return None
        out[name] = value
    return out


def _value(col: exp.Expr, kind: ValueKind, t: pa.DataType, name: str) -> exp.Expr | None:
    if name == "_xact_id":
        return exp.cast(col, exp.DataType.build("VARCHAR"))
    if pa.types.is_null(t):
        return exp.Null()
    if kind in ("text", "bool", "text_list"):
        return col
    if kind == "integer":
        return col if pa.types.is_integer(t) else None
    if kind == "number":
        if pa.types.is_floating(t) or pa.types.is_integer(t):
            return col
        return exp.cast(col, exp.DataType.build("DOUBLE")) if pa.types.is_decimal(t) else None
    if kind == "json":
        return exp.cast(col, exp.DataType.build("JSON")) if pa.types.is_string(t) else None
    if kind == "timestamp" and pa.types.is_timestamp(t):
        return iso_timestamp(col, utc=t.tz is not None)
    if kind == "date" and pa.types.is_date(t):
        return exp.func("strftime", col, exp.Literal.string("%Y-%m-%d"))
    if kind == "number_map" and pa.types.is_map(t) and pa.types.is_floating(t.item_type):
        return col
    return None


def _writable(result: ResultSet) -> bool:
    """The values SQL would spell differently from Python are absent: numbers that are not finite
    (JSON has none; Python writes null) and years before 1000 (Python pads them)."""
    for data in result.table.columns:
        t = data.type
        if pa.types.is_map(t) and data.num_chunks:
            data = pa.chunked_array([chunk.items for chunk in data.chunks], type=t.item_type)
            t = t.item_type
        if pa.types.is_floating(t) and pc.any(pc.invert(pc.is_finite(data))).as_py():
            return False
        if pa.types.is_timestamp(t) or pa.types.is_date(t):
            least = pc.min(data).as_py()
            if least is not None and least.year < 1000:
                return False
    return True


def _cell(value: exp.Expr, kind: ValueKind, name: str) -> exp.Expr:
    """A CSV cell: a string as it is, anything else as its JSON text (NULL for no value)."""
    if kind in _STRING_KINDS or name == "_xact_id":
        return value
    if kind == "json":  # a JSON string is written as the string, JSON null as an empty cell
        return exp.Case(
            this=exp.func("json_type", value.copy()),
            ifs=[
                exp.If(
                    this=exp.Literal.string("VARCHAR"),
                    true=exp.JSONExtractScalar(this=value.copy(), expression=exp.Literal.string("$")),
                ),
                exp.If(this=exp.Literal.string("NULL"), true=exp.Null()),
            ],
            default=exp.cast(exp.func("json", value.copy()), exp.DataType.build("VARCHAR")),
        )
    return exp.cast(exp.func("to_json", value), exp.DataType.build("VARCHAR"))


def _quoted(cell: exp.Expr) -> exp.Expr:
    """`cell` in double quotes (its quotes doubled) when it holds a comma, a quote or a line break."""
    special = exp.or_(
        *[
            exp.func("contains", cell.copy(), char)
            for char in (
                exp.Literal.string(","),
                exp.Literal.string('"'),
                exp.func("chr", 13),
                exp.func("chr", 10),
            )
        ]
    )
    quote = exp.Literal.string('"')
    doubled = exp.func("replace", cell.copy(), quote.copy(), exp.Literal.string('""'))
    wrapped = exp.DPipe(this=exp.DPipe(this=quote.copy(), expression=doubled), expression=quote.copy())
    return exp.Case(ifs=[exp.If(this=special, true=wrapped)], default=cell.copy())


_DATABASE: duckdb.DuckDBPyConnection | None = None
_LOCK = threading.Lock()
TEXT_THREADS = 2  # threads writing a page's texts: the 2-core machine's both, at most two anywhere
_VECTOR = 2048  # rows in one DuckDB vector: the unit its scan hands to a thread


def _texts(table: pa.Table, sql: str, trim: int) -> bytes:
    """The one text column of `sql` over the page, in the page's order, as one UTF-8 text without
    its last `trim` bytes. Each row's text ends with its separator (`_then`), so the page is the
    column's data buffers end to end, copied once, with no Python string per row (joining those
    took about a quarter of a spans export's server time).

    The page is cut into batches of one DuckDB vector each, so that `TEXT_THREADS` threads can
    share the scan (one thread took ~1.6x as long on a page of 10,000 spans);
    `preserve_insertion_order` keeps a projection's output in its input's order on any number of
    threads, without sorting the texts. Each call reads through a cursor of its own over one
    in-memory database (opening a database costs more than writing a page)."""
    if table.num_rows == 0:
        return b""
    global _DATABASE
    with _LOCK:
        if _DATABASE is None:
            config: dict[str, str | bool | int | float | list[str]] = {
                "threads": TEXT_THREADS,
                "preserve_insertion_order": True,
            }
            _DATABASE = duckdb.connect(":memory:", config=config)
        con = _DATABASE.cursor()
    try:
        con.register(_PAGE, pa.Table.from_batches(table.to_batches(max_chunksize=_VECTOR), table.schema))
        texts = con.sql(sql).to_arrow_table().column(0)
    finally:
        con.close()
    pieces = [_data(chunk) for chunk in texts.chunks if len(chunk)]
    if trim:
        pieces[-1] = pieces[-1][: len(pieces[-1]) - trim]
    return b"".join(pieces)


def _data(chunk: pa.Array) -> memoryview | bytes:
    """The bytes of a string array's values end to end (without a copy for DuckDB's usual
    `string` and `large_string` arrays)."""
    if pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type):
        offsets = memoryview(chunk.buffers()[1]).cast("q" if pa.types.is_large_string(chunk.type) else "i")
        return memoryview(chunk.buffers()[2])[offsets[chunk.offset] : offsets[chunk.offset + len(chunk)]]
    return "".join(chunk.to_pylist()).encode()

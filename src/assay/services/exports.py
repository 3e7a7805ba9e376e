"""Serialising table rows to CSV or JSON chunk by chunk.

Rows arrive page by page from `tables.export_pages`; each is flattened to the chosen columns (dotted
paths such as `scores.Levenshtein`), so the CSV has one column per visible table column. An export
of all fields has DuckDB write each page's text from its Arrow columns (`store.duckdb.arrow_text`);
the rest (chosen columns, aggregate scores) is written here, row by row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from assay.model.json_encode import encode_json
from assay.services.auth import Principal
from assay.services.context import Services
from assay.services.table_query import AGGREGATE_PREFIX, TableQuery
from assay.services.tables import ExportPage, export_pages
from assay.store.columns import TABLE_FIELDS
from assay.store.duckdb import arrow_text

ALL_FIELDS = TABLE_FIELDS["spans"]  # "all fields": everything a span row carries
_CHUNK_BYTES = 64 * 1024


def pick(row: dict[str, Any], path: str) -> Any:
    """The value at a dotted path (`metadata.category`, `scores."My score"`); None when absent."""
    if path in row:
        return row[path]
    value: Any = row
    for part in _split(path):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _split(path: str) -> list[str]:
    parts, buf, quoted = [], "", False
    for ch in path:
        if ch == '"':
            quoted = not quoted
        elif ch == "." and not quoted:
            parts.append(buf)
            buf = ""
        else:
            buf += ch
    parts.append(buf)
    return parts


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return encode_json(value).decode()


def stream(
    svc: Services, who: Principal, experiment_id: str, q: TableQuery, fmt: str, columns: list[str] | None
) -> Iterator[bytes]:
    """Validate now (a mistake must be a 400, not a broken download: `export_pages` runs the
    first page before returning), then stream lazily.

    A failure on a later page (the experiment deleted meanwhile, the database gone) propagates
    out of the iterator: the server then closes the connection without ending the chunked body,
    so the client sees an incomplete download, never a shorter file that looks whole."""
    names = columns or [*ALL_FIELDS, *(c.name for c in q.custom_columns)]
    pages = export_pages(svc, who, experiment_id, q)
    body = _json(pages, names, columns is None) if fmt == "json" else _csv(pages, names, columns is None)
    return _pieces(body)


def _pieces(body: Iterator[bytes]) -> Iterator[bytes]:
    """The body in pieces of about `_CHUNK_BYTES`: each piece the server sends costs a hop to a
    worker thread and a socket write, which one piece per row (as JSON was) paid for every row;
    a page's text is cut so the server never holds a whole page in its socket buffers."""
    pending: list[bytes] = []
    size = 0
    for part in body:
        pending.append(part)
        size += len(part)
        if size < _CHUNK_BYTES:
            continue
        joined = b"".join(pending)
        for start in range(0, len(joined), _CHUNK_BYTES * 16):
            yield joined[start : start + _CHUNK_BYTES * 16]
        pending, size = [], 0
    yield b"".join(pending)


def _fast(page: ExportPage, whole: bool) -> bool:
    """Whether DuckDB can write this page's text: every field at the top level (`whole`), and no
    aggregate score to merge into `scores`."""
    return whole and not any(c.startswith(AGGREGATE_PREFIX) for c in page.result.table.column_names)


def _json(pages: Iterator[ExportPage], names: list[str], whole: bool) -> Iterator[bytes]:
    yield b"["
    separator = b"\n"
    for page in pages:
        text = arrow_text.json_rows(page.result, names) if _fast(page, whole) else None
        if text is not None:
            if text:
                yield separator
                yield text
                separator = b",\n"
            continue
        for row in page.rows():
            yield separator + encode_json({n: pick(row, n) for n in names}, default=str)
            separator = b",\n"
    yield b"\n]\n"


def _csv(pages: Iterator[ExportPage], names: list[str], whole: bool) -> Iterator[bytes]:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(names)
    yield buf.getvalue().encode()
    for page in pages:
        text = arrow_text.csv_lines(page.result, names) if _fast(page, whole) else None
        if text is not None:
            yield text
            continue
        buf.seek(0)
        buf.truncate()
        for row in page.rows():
            writer.writerow([_cell(pick(row, n)) for n in names])
        yield buf.getvalue().encode()

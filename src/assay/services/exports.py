"""Serialising table rows to CSV or JSON chunk by chunk.

Rows arrive page by page from `tables.export_rows`; each is flattened to the chosen columns (dotted
paths such as `scores.Levenshtein`), so the CSV has one column per visible table column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from assay.model.json_encode import encode_json
from assay.services.auth import Principal
from assay.services.context import Services
from assay.services.table_query import TableQuery
from assay.services.tables import export_rows
from assay.store.columns import TABLE_FIELDS

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
    """Validate now (a mistake must be a 400, not a broken download: `export_rows` runs the
    first page before returning), then stream lazily.

    A failure on a later page (the experiment deleted meanwhile, the database gone) propagates
    out of the iterator: the server then closes the connection without ending the chunked body,
    so the client sees an incomplete download, never a shorter file that looks whole."""
    return _chunks(export_rows(svc, who, experiment_id, q), q, fmt, columns)


def _chunks(
    rows: Iterator[dict[str, Any]], q: TableQuery, fmt: str, columns: list[str] | None
) -> Iterator[bytes]:
    """The body in pieces of about `_CHUNK_BYTES`: each piece the server sends costs a hop to a
    worker thread and a socket write, which one piece per row (as JSON was) paid for every row."""
    names = columns or [*ALL_FIELDS, *(c.name for c in q.custom_columns)]
    if fmt == "json":
        parts, size = [b"["], 1
        for i, row in enumerate(rows):
            picked = {n: pick(row, n) for n in names}
            part = (b",\n" if i else b"\n") + encode_json(picked, default=str)
            parts.append(part)
            size += len(part)
            if size >= _CHUNK_BYTES:
                yield b"".join(parts)
                parts, size = [], 0
        parts.append(b"\n]\n")
        yield b"".join(parts)
        return
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(names)
    for row in rows:
        writer.writerow([_cell(pick(row, n)) for n in names])
        if buf.tell() >= _CHUNK_BYTES:
            yield buf.getvalue().encode()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode()

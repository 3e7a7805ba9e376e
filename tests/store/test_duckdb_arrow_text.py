"""Texts written by DuckDB from a page's Arrow columns keep the page's order on every thread."""

from __future__ import annotations

import csv
import io
import json

import pyarrow as pa

from assay.store.base import ResultSet
from assay.store.duckdb import arrow_text


def page(rows: int) -> ResultSet:
    """A page of `rows` rows cut into uneven chunks, as a paged read hands them over."""
    ids = [f"row-{i:06d}" for i in range(rows)]
    table = pa.table({"id": ids, "n": list(range(rows)), "note": ["x" * (i % 97) for i in range(rows)]})
    table = pa.Table.from_batches(table.to_batches(max_chunksize=3_001))
    return ResultSet(table, ["text", "integer", "text"])


def test_json_rows_of_a_page_many_vectors_long_keep_its_order() -> None:
    rows = 3 * arrow_text.TEXT_THREADS * 2048 + 17
    text = arrow_text.json_rows(page(rows), ["id", "n", "note"])
    assert text is not None
    decoded = json.loads("[" + text + "]")
    assert [r["n"] for r in decoded] == list(range(rows))
    assert decoded[1234] == {"id": "row-001234", "n": 1234, "note": "x" * (1234 % 97)}


def test_csv_lines_of_a_page_many_vectors_long_keep_its_order() -> None:
    rows = 3 * arrow_text.TEXT_THREADS * 2048 + 17
    text = arrow_text.csv_lines(page(rows), ["id", "n", "note"])
    assert text is not None
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert [int(r[1]) for r in parsed] == list(range(rows))
    assert parsed[-1][0] == f"row-{rows - 1:06d}"

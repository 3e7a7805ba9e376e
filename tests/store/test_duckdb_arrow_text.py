"""Texts written by DuckDB from a page's Arrow columns keep the page's order on every thread."""

from __future__ import annotations

import csv
import io
import json

import pyarrow as pa
import pytest

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
    decoded = json.loads(b"[" + text + b"]")
    assert [r["n"] for r in decoded] == list(range(rows))
    assert decoded[1234] == {"id": "row-001234", "n": 1234, "note": "x" * (1234 % 97)}


def test_csv_lines_of_a_page_many_vectors_long_keep_its_order() -> None:
    rows = 3 * arrow_text.TEXT_THREADS * 2048 + 17
    text = arrow_text.csv_lines(page(rows), ["id", "n", "note"])
    assert text is not None
    parsed = list(csv.reader(io.StringIO(text.decode(), newline="")))
    assert [int(r[1]) for r in parsed] == list(range(rows))
    assert parsed[-1][0] == f"row-{rows - 1:06d}"


def test_texts_of_a_page_with_wide_characters_and_one_row() -> None:
    """The page's text is the UTF-8 bytes of its rows end to end: a multi-byte character at the
    end of a row, and a page of one row (the separator after it left out), come out whole."""
    table = pa.table({"id": ["é✓", "ß"], "n": [1, 2], "note": ["→", "末"]})
    two = ResultSet(table, ["text", "integer", "text"])
    text = arrow_text.json_rows(two, ["id", "note"])
    assert text is not None and json.loads(b"[" + text + b"]") == [
        {"id": "é✓", "note": "→"},
        {"id": "ß", "note": "末"},
    ]
    one = ResultSet(table.slice(1), ["text", "integer", "text"])
    assert arrow_text.json_rows(one, ["note"], separator="\n") == '{"note":"末"}'.encode()
    assert arrow_text.csv_lines(one, ["id", "note"]) == "ß,末\r\n".encode()


@pytest.mark.parametrize("kind", [pa.string(), pa.large_string(), pa.string_view()])
def test_the_values_of_a_sliced_text_array_end_to_end(kind: pa.DataType) -> None:
    """What `_texts` reads of each chunk DuckDB hands over: just the chunk's values, also when the
    chunk is a slice of a larger buffer, whatever kind of text array it is."""
    chunk = pa.array(["skip", "cé", "d"], kind).slice(1)
    assert bytes(arrow_text._data(chunk)) == "céd".encode()

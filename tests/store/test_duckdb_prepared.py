"""Rows encoded before the writer thread (`prepared.py`) are stored exactly as the writer's general
path stores them: same rows, same event log, same summary marks, whatever mix of new rows,
repeated keys, merges, deletes and replays a commit group holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from assay.store.base import ObjectRef, RowWrite, WriteRequest, WriteResult
from assay.store.duckdb.prepared import prepare
from assay.store.duckdb.row_writes import RowWriter
from assay.store.duckdb.schema import migrate

pytestmark = pytest.mark.duckdb_only  # the embedded DuckDB store's own machinery

E1, E2 = ObjectRef("experiment", "e1"), ObjectRef("experiment", "e2")
CREATED = "2026-01-01T00:00:00+00:00"


def span(ref: ObjectRef, row_id: str, trace: str, **fields: Any) -> RowWrite:
    body = {"id": row_id, "span_id": row_id, "root_span_id": trace, "created": CREATED, **fields}
    return RowWrite(ref, "p", row_id, body)


def groups() -> list[list[WriteRequest]]:
    """Commit groups (each a list of requests) exercising both paths."""
    llm = {"metadata": {"model": "gpt-4o"}, "metrics": {"prompt_tokens": 41, "completion_tokens": 12}}
    return [
        [
            WriteRequest(
                rows=[
                    span(E1, "root", "t1", input={"q": "x"}, span_attributes={"type": "eval", "name": "e"}),
                    span(E1, "llm", "t1", span_parents=["root"], **llm),
                    span(E1, "score", "t1", span_parents=["root"], scores={"a": 0.5}, tags=["x"]),
                    RowWrite(E1, "p", "bare", {"id": "bare", "created": CREATED, "weird": {"k": 1}}),
                ]
            ),
            WriteRequest(
                rows=[
                    span(E2, "root", "t2", input=[1, 2]),  # same id, other object
                    span(E1, "twice", "t3", output=1),
                    span(E1, "twice", "t3", _is_merge=True, metadata={"m": 1}),  # repeated in a request
                ]
            ),
            WriteRequest(rows=[span(E1, "later", "t3", output="x")]),
        ],
        [
            WriteRequest(rows=[span(E1, "later", "t3", output="x")]),  # a replay: no transaction id
            WriteRequest(rows=[span(E1, "root", "t1", _is_merge=True, output="done")]),  # stored: merged
            WriteRequest(rows=[span(E1, "gone", "t4", _object_delete=True), span(E1, "fresh", "t4")]),
            WriteRequest(rows=[span(E1, "score", "t1", _object_delete=True)]),
        ],
        [
            WriteRequest(rows=[span(E1, "in-two", "t5", input=1)]),
            WriteRequest(rows=[span(E1, "in-two", "t5")]),
        ],
    ]


def run(
    tmp_path: Path, name: str, prepared: bool
) -> tuple[list[Any], list[Any], list[Any], list[WriteResult]]:
    con = duckdb.connect(str(tmp_path / f"{name}.duckdb"))
    migrate(con)
    writer = RowWriter(10**18)
    results = []
    for group in groups():
        con.execute("BEGIN TRANSACTION")
        results += writer.apply(con, [(r, prepare(r) if prepared else None) for r in group])
        con.execute("COMMIT")
    rows = con.execute("SELECT * FROM rows ORDER BY _key").fetchall()
    events = con.execute("SELECT * FROM events ORDER BY xact_id, seq").fetchall()
    marks = con.execute("SELECT DISTINCT * FROM dirty_traces ORDER BY ALL").fetchall()
    return rows, events, marks, results


def test_prepared_rows_are_stored_like_merged_ones(tmp_path: Path) -> None:
    fast = run(tmp_path, "fast", prepared=True)
    general = run(tmp_path, "general", prepared=False)
    for got, want in zip(fast, general, strict=True):
        assert got == want
    rows, events, marks, results = fast
    assert [r.xact_id is None for r in results] == [
        False,
        False,
        False,
        True,
        False,
        False,
        False,
        False,
        False,
    ]
    assert len(rows) == 8 and len(events) == 13  # "score" deleted; "gone" never was
    assert len({mark[:3] for mark in marks}) == 6

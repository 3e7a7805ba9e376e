"""DuckDB writes fetch pages' events as JSON itself (`fetch_pages.py`); every event must equal what
`codec.api_event` (the shape's definition) builds from the stored row, and pages must hold whole
traces, newest first, whether or not the trace summaries are fresh."""

from __future__ import annotations

from typing import Any

import pytest

from assay.store import codec
from assay.store.base import CommentWrite, ObjectRef, WriteRequest
from assay.store.duckdb.row_reads import attach_comments
from tests.store.conftest import Env

pytestmark = pytest.mark.duckdb_only  # the embedded DuckDB store's own machinery


@pytest.fixture
def env(duckdb_env: Env) -> Env:
    return duckdb_env


def python_events(env: Env, ref: ObjectRef, org_id: str | None) -> dict[str, dict[str, Any]]:
    con = env.store._reader()  # type: ignore[attr-defined]
    cur = con.execute(
        "SELECT * FROM rows WHERE object_type = ? AND object_id = ?", [ref.object_type, ref.object_id]
    )
    names = [d[0] for d in cur.description]
    events = [codec.api_event(dict(zip(names, r, strict=True)), org_id) for r in cur.fetchall()]
    attach_comments(con, ref, events, None)
    return {e["id"]: e for e in events}


ROWS: list[dict[str, Any]] = [
    {
        "id": "r",
        "span_id": "r",
        "root_span_id": "r",
        "created": "2026-01-02T03:04:05+00:00",
        "input": {"q": "é ✓ \u0001"},
    },
    {
        "id": "a",
        "span_id": "a",
        "root_span_id": "r",
        "span_parents": ["r"],
        "created": "2026-01-02T03:04:05.000123Z",
        "scores": {"acc": 0.1, "none": None},
        "metrics": {"start": 1.5, "end": 1e-7, "tokens": 41},
        "tags": ["x", "y"],
        "output": [1, 2.5, None, True, "s"],
        "expected": 123456789012,
        "error": {"e": [{"deep": [[[1]]]}]},
        "metadata": {"model": "gpt-4o", "n": None},
        "span_attributes": {"type": "llm", "name": "n"},
        "context": {"c": 1},
        "origin": {"id": "o"},
    },
    {"id": "x", "span_id": "x", "root_span_id": "x", "custom_field": {"k": 1}},  # a field without a column
    {
        "id": "t",
        "span_id": "t",
        "root_span_id": "t",
        "created": "1999-12-31T23:59:59.999999+00:00",
        "output": "later",
    },
]


def test_fetched_events_equal_the_python_shape(env: Env) -> None:
    for ref in (env.experiment(), ObjectRef("project_logs", env.project["id"])):
        env.write(ref, *[dict(r) for r in ROWS])
        env.store.write(
            WriteRequest(
                comments=[
                    CommentWrite(
                        ref, "c1", "t", {"comment": {"text": "hi"}, "created": "2026-01-01T00:00:00+00:00"}
                    )
                ]
            )
        )
        org_id = env.org.id if ref.object_type == "project_logs" else None
        want = python_events(env, ref, org_id)
        for fresh in (False, True):  # trace keys from the rows, then from the summaries
            if fresh:
                env.store.refresh_summaries(ref.object_type, [ref.object_id])
            page = env.store.fetch(ref, limit=100)
            got = {e["id"]: e for e in page.events}
            assert got == want
            assert got["t"]["comments"][0]["comment"] == {"text": "hi"}


def test_pages_hold_whole_traces_newest_first(env: Env) -> None:
    ref = env.experiment()
    for t in range(7):  # one request per trace: later traces have larger keys
        env.write(
            ref,
            *[
                {
                    "id": f"{t}-{s}",
                    "span_id": f"{t}-{s}",
                    "root_span_id": f"t{t}",
                    "span_parents": None if s == 0 else [f"{t}-0"],
                }
                for s in range(3)
            ],
        )
    env.write(ref, {"id": "0-1", "_is_merge": True, "output": "moved"})  # an old span rewritten last
    # A new span of the oldest trace, written last: its key is the largest of all, far above the
    # keys of the page its trace is on, and the page must still read it.
    env.write(ref, {"id": "0-late", "span_id": "0-late", "root_span_id": "t0", "span_parents": ["0-0"]})
    sizes = {f"t{t}": 4 if t == 0 else 3 for t in range(7)}
    for fresh in (False, True):
        if fresh:
            env.store.refresh_summaries(ref.object_type, [ref.object_id])
        traces, cursor = [], None
        while True:
            page = env.store.fetch(ref, limit=3, cursor=cursor)
            order = list(dict.fromkeys(e["root_span_id"] for e in page.events))
            traces += order
            assert all(sum(e["root_span_id"] == t for e in page.events) == sizes[t] for t in order)
            cursor = page.cursor
            if not cursor:
                break
        assert traces == [f"t{t}" for t in reversed(range(7))]

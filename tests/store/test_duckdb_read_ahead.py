"""The DuckDB store writes the next fetch page while the client reads the last one
(`store/duckdb/read_ahead.py`); a page read ahead must never hide a write committed after it was
read: rows, merges and comments written between two pages are on the next page."""

from __future__ import annotations

from typing import Any

import pytest

from assay.store.base import CommentWrite, FetchPage, ObjectRef, WriteRequest
from assay.store.duckdb.read_ahead import ReadAhead
from tests.store.conftest import Env

pytestmark = pytest.mark.duckdb_only  # the embedded DuckDB store's own machinery


@pytest.fixture
def env(duckdb_env: Env) -> Env:
    return duckdb_env


def _traces(env: Env, ref: ObjectRef, count: int) -> None:
    for t in range(count):  # one request per trace: later traces have larger keys (newer first)
        env.write(
            ref, *[{"id": f"{t}-{s}", "span_id": f"{t}-{s}", "root_span_id": f"t{t}"} for s in range(2)]
        )


def _read_ahead_done(env: Env) -> None:
    """Wait for the page being read ahead (so that the write after this comes after its read)."""
    held = env.store._read_ahead._held  # type: ignore[attr-defined]
    assert held is not None, "a page with a cursor starts reading the next one"
    held[2].result()


def _ids(page: FetchPage) -> set[str]:
    return {e["id"] for e in page.events}


def test_paging_reads_every_span_once(env: Env) -> None:
    ref = env.experiment()
    _traces(env, ref, 9)
    seen: list[str] = []
    cursor = None
    while True:
        page = env.store.fetch(ref, limit=2, cursor=cursor)
        seen += [e["id"] for e in page.events]
        cursor = page.cursor
        if not cursor:
            break
    assert sorted(seen) == sorted(f"{t}-{s}" for t in range(9) for s in range(2))


@pytest.mark.parametrize("change", ["new span", "merge", "comment"])
def test_a_write_between_two_pages_is_on_the_next_one(env: Env, change: str) -> None:
    ref = env.experiment()
    _traces(env, ref, 4)
    first = env.store.fetch(ref, limit=2)
    assert {e["root_span_id"] for e in first.events} == {"t3", "t2"}
    _read_ahead_done(env)
    if change == "new span":  # into t0, a trace of the second page
        env.write(ref, {"id": "0-new", "span_id": "0-new", "root_span_id": "t0"})
    elif change == "merge":
        env.write(ref, {"id": "1-0", "_is_merge": True, "output": "rewritten"})
    else:
        comment = {"comment": {"text": "look"}, "created": "2026-01-01T00:00:00+00:00"}
        env.store.write(WriteRequest(comments=[CommentWrite(ref, "c1", "0-1", comment)]))
    second = env.store.fetch(ref, limit=2, cursor=first.cursor)
    events: dict[str, Any] = {e["id"]: e for e in second.events}
    if change == "new span":
        assert _ids(second) == {"0-0", "0-1", "0-new", "1-0", "1-1"}
    elif change == "merge":
        assert events["1-0"]["output"] == "rewritten"
    else:
        assert [c["comment"] for c in events["0-1"]["comments"]] == [{"text": "look"}]


def test_a_page_read_ahead_is_served_only_while_nothing_was_committed() -> None:
    stamp = [(0, 0)]
    ahead = ReadAhead(lambda: stamp[0])
    page = FetchPage(['{"id":"a"}'], None)
    try:
        ahead.start("k", lambda: page)
        assert ahead.take("other") is None  # another page: read it afresh
        assert ahead.take("k") is page
        assert ahead.take("k") is None  # served once
        ahead.start("k", lambda: page)
        stamp[0] = (1, 0)  # a commit since it was read
        assert ahead.take("k") is None

        def fails() -> FetchPage:
            raise RuntimeError("database gone")

        ahead.start("k", fails)
        assert ahead.take("k") is None  # the request reads the page itself
    finally:
        ahead.close()

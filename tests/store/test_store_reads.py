"""Store contract: paged fetches, versions, counts and trace aggregates."""

from __future__ import annotations

import pytest

from assay.store.base import CommentWrite, WriteRequest
from tests.store.conftest import Env


def trace(root: str, *children: str, **root_fields: object) -> list[dict]:
    """A root row `root` (span and trace id = root) with child spans under it."""
    rows = [{"id": root, "span_id": root, "root_span_id": root, "span_parents": None, **root_fields}]
    rows += [{"id": c, "span_id": c, "root_span_id": root, "span_parents": [root]} for c in children]
    return rows


def test_fetch_pages_whole_traces_newest_first_until_the_cursor_ends(env: Env) -> None:
    ref = env.experiment()
    for i in range(7):
        env.write(ref, *trace(f"t{i}", f"t{i}-a", f"t{i}-b"))
    # A late child of an old trace stays with its trace.
    env.write(ref, {"id": "t0-late", "span_id": "t0-late", "root_span_id": "t0", "span_parents": ["t0"]})
    pages, cursor = [], None
    while True:
        page = env.store.fetch(ref, limit=3, cursor=cursor)
        pages.append(page.events)
        cursor = page.cursor
        if cursor is None:
            break
        assert len(pages) < 10, "the cursor never ends"
    roots_per_page = [list(dict.fromkeys(e["root_span_id"] for e in events)) for events in pages]
    assert [len(r) for r in roots_per_page] in ([3, 3, 1], [3, 3, 1, 0])
    assert [r for page in roots_per_page for r in page] == [f"t{i}" for i in reversed(range(7))]
    ids = [e["id"] for events in pages for e in events]
    assert len(ids) == len(set(ids)) == 22
    by_root = {}
    for events in pages:
        for e in events:
            by_root.setdefault(e["root_span_id"], set()).add(e["id"])
    assert by_root["t0"] == {"t0", "t0-a", "t0-b", "t0-late"}


def test_limit_counts_traces_not_rows(env: Env) -> None:
    ref = env.experiment()
    for i in range(3):
        env.write(ref, *trace(f"t{i}", *(f"t{i}-{j}" for j in range(5))))
    page = env.store.fetch(ref, limit=2)
    assert {e["root_span_id"] for e in page.events} == {"t2", "t1"}
    assert len(page.events) == 12
    assert page.cursor is not None


def test_fetch_of_an_empty_object_has_no_cursor(env: Env) -> None:
    page = env.store.fetch(env.experiment(), limit=5)
    assert page.events == [] and page.cursor is None


def test_fetch_returns_server_fields(env: Env) -> None:
    ref = env.experiment()
    env.write(ref, *trace("r", "c"))
    rows = env.rows(ref)
    assert rows["r"]["is_root"] is True and rows["c"]["is_root"] is False
    assert rows["r"]["experiment_id"] == ref.object_id
    assert rows["r"]["project_id"] == env.project["id"]


def test_version_reads_the_state_as_of_that_xact(env: Env) -> None:
    ref = env.experiment()
    v1 = env.write(ref, *trace("a", input="first", metadata={"k": 1})).xact_id
    v2 = env.write(ref, {"id": "a", "_is_merge": True, "output": "merged", "metadata": {"j": 2}}).xact_id
    v3 = env.write(ref, *trace("b")).xact_id
    v4 = env.write(ref, {"id": "a", "_object_delete": True}).xact_id
    assert v1 and v2 and v3 and v4
    assert set(env.rows(ref)) == {"b"}
    at1 = env.rows(ref, version=int(v1))
    assert set(at1) == {"a"}
    assert at1["a"]["metadata"] == {"k": 1} and at1["a"].get("output") is None
    at2 = env.rows(ref, version=int(v2))
    assert at2["a"]["metadata"] == {"k": 1, "j": 2} and at2["a"]["output"] == "merged"
    assert at2["a"]["_xact_id"] == v2
    assert set(env.rows(ref, version=int(v3))) == {"a", "b"}
    assert set(env.rows(ref, version=int(v4))) == {"b"}
    assert env.rows(ref, version=int(v1) - 1) == {}


def test_version_pages_like_the_current_state(env: Env) -> None:
    ref = env.experiment()
    for i in range(5):
        env.write(ref, *trace(f"t{i}", f"t{i}-c"))
    version = env.store.max_xact_id(ref)
    env.write(ref, *trace("later"))
    seen, cursor = [], None
    for _ in range(10):
        page = env.store.fetch(ref, limit=2, cursor=cursor, version=int(version))  # type: ignore[arg-type]
        seen += [e["id"] for e in page.events if e["is_root"]]
        cursor = page.cursor
        if cursor is None:
            break
    assert seen == ["t4", "t3", "t2", "t1", "t0"]


def test_comments_follow_the_version(env: Env) -> None:
    ref = env.experiment()
    v1 = env.write(ref, *trace("a")).xact_id
    body = {"comment": {"text": "hm"}, "created": "2025-01-01T00:00:00+00:00"}
    env.store.write(WriteRequest(comments=[CommentWrite(ref, "c1", "a", body)]))
    assert "comments" not in env.rows(ref, version=int(v1))["a"]  # type: ignore[arg-type]
    assert [c["id"] for c in env.rows(ref)["a"]["comments"]] == ["c1"]


def test_invalid_cursor_is_rejected(env: Env) -> None:
    from assay.model.errors import InvalidInput

    with pytest.raises(InvalidInput):
        env.store.fetch(env.experiment(), cursor="%%% not a cursor")


def test_count_rows_and_max_xact_id(env: Env) -> None:
    ref = env.experiment()
    assert env.store.count_rows(ref) == 0 and env.store.max_xact_id(ref) is None
    env.write(ref, *trace("a", "a1", "a2"), *trace("b", "b1"))
    last = env.write(ref, *trace("c")).xact_id
    assert env.store.count_rows(ref) == 6
    assert env.store.count_rows(ref, roots_only=True) == 3
    assert env.store.max_xact_id(ref) == last


def scored(root: str, scores: list[dict], start: float, end: float, tokens: list[int], **root_fields):
    """A trace whose child spans carry `scores` and token counts; the root spans [start, end]."""
    rows = trace(root, **root_fields)
    rows[0]["metrics"] = {"start": start, "end": end}
    for i, (s, t) in enumerate(zip(scores, tokens, strict=True)):
        rows.append(
            {
                "id": f"{root}-{i}",
                "span_id": f"{root}-{i}",
                "root_span_id": root,
                "span_parents": [root],
                "scores": s,
                "metrics": {"start": start + 1, "end": end + 1, "prompt_tokens": t, "completion_tokens": 1},
                "span_attributes": {"type": "llm" if t else "score", "name": "x"},
            }
        )
    return rows


def test_trace_stats_average_spans_then_traces(env: Env) -> None:
    ref = env.experiment()
    # Trace A: acc spans 1.0 and 0.0 -> 0.5; trace B: acc 1.0 -> 1.0 (None ignored). Mean: 0.75.
    env.write(ref, *scored("A", [{"acc": 1.0}, {"acc": 0.0}], 10.0, 12.0, [5, 7]))
    env.write(ref, *scored("B", [{"acc": 1.0}, {"acc": None, "f": 0.2}], 20.0, 24.0, [1, 0]))
    stats = env.store.trace_stats(ref)
    assert stats.traces == 2
    assert stats.scores["acc"] == pytest.approx(0.75)
    assert stats.scores["f"] == pytest.approx(0.2)
    # duration = last end - first start: A: 13-10 = 3, B: 25-20 = 5 -> 4.
    assert stats.metrics["duration"] == pytest.approx(4.0)
    # prompt tokens summed per trace: A 12, B 1 -> 6.5.
    assert stats.metrics["prompt_tokens"] == pytest.approx(6.5)
    assert stats.metrics["completion_tokens"] == pytest.approx(2.0)


def test_trace_stats_follow_every_later_write(env: Env) -> None:
    """Trace summaries may be cached by a backend; each read must still see every committed write."""
    ref = env.experiment()
    env.write(ref, *scored("A", [{"acc": 1.0}], 0, 1, [5]))
    env.write(ref, *scored("B", [{"acc": 0.0}], 0, 1, [5]))
    assert env.store.trace_stats(ref).scores["acc"] == pytest.approx(0.5)
    # A re-scoring span added to trace B, a merge changing A's score, then trace A deleted.
    env.write(
        ref,
        {
            "id": "B-new",
            "span_id": "B-new",
            "root_span_id": "B",
            "span_parents": ["B"],
            "scores": {"acc": 1.0},
        },
    )
    assert env.store.trace_stats(ref).scores["acc"] == pytest.approx((1.0 + 0.5) / 2)
    env.write(ref, {"id": "A-0", "_is_merge": True, "scores": {"acc": 0.0}})
    assert env.store.trace_stats(ref).scores["acc"] == pytest.approx((0.0 + 0.5) / 2)
    env.write(ref, *[{"id": i, "_object_delete": True} for i in ("A", "A-0")])
    stats = env.store.trace_stats(ref)
    assert stats.traces == 1 and stats.scores["acc"] == pytest.approx(0.5)


def test_trace_stats_of_an_empty_object(env: Env) -> None:
    stats = env.store.trace_stats(env.experiment())
    assert stats.traces == 0 and stats.scores == {}

"""DuckDB-only: trace summaries are stored and refreshed; idle time catches up without a read."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assay.store import Store, open_store
from tests.store.conftest import Env
from tests.store.test_store_reads import scored

pytestmark = pytest.mark.duckdb_only  # the embedded DuckDB store's own machinery


@pytest.fixture
def env(duckdb_env: Env) -> Env:
    return duckdb_env


def dirty_count(store: Store) -> int:
    row = store._reader().execute("SELECT count(*) FROM dirty_traces").fetchone()  # type: ignore[attr-defined]
    return int(row[0])


def test_idle_writer_refreshes_summaries_without_a_read(tmp_path: Path) -> None:
    store = open_store(f"duckdb:///{tmp_path / 'idle.duckdb'}")
    try:
        _check_idle_refresh(store)
    finally:
        store.close()


def _check_idle_refresh(store: Store) -> None:
    env = Env(store)
    ref = env.experiment()
    env.write(ref, *scored("A", [{"acc": 1.0}], 0, 1, [5]), *scored("B", [{"acc": 0.0}], 0, 1, [5]))
    deadline = time.monotonic() + 10
    while dirty_count(store) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert dirty_count(store) == 0
    stored = (
        store._reader()
        .execute(  # type: ignore[attr-defined]
            "SELECT root_span_id, scores['acc'] FROM trace_summaries WHERE object_id = ? ORDER BY 1",
            [ref.object_id],
        )
        .fetchall()
    )
    assert stored == [("A", 1.0), ("B", 0.0)]
    assert store.trace_stats(ref).scores["acc"] == pytest.approx(0.5)


def _summary(store: Store, ref_id: str, trace: str) -> tuple:
    return (
        store._reader()  # type: ignore[attr-defined]
        .execute(
            "SELECT span_count, scores['acc'], metrics['duration'] FROM trace_summaries "
            "WHERE object_id = ? AND root_span_id = ?",
            [ref_id, trace],
        )
        .fetchone()
    )


def test_a_refresh_after_later_writes_still_sees_every_span_of_an_old_trace(env: Env) -> None:
    """A refresh scans only rows written since the oldest span of the traces it recomputes; the
    old spans of a trace changed long after it was written must still count."""
    ref = env.experiment()
    env.write(ref, *scored("A", [{"acc": 1.0}], 0, 4, [5]))
    env.store.refresh_summaries("experiment", [ref.object_id])
    assert _summary(env.store, ref.object_id, "A") == (2, 1.0, 5.0)
    for name in ("B", "C", "D"):
        env.write(ref, *scored(name, [{"acc": 0.5}], 0, 1, [5]))
    env.store.refresh_summaries("experiment", [ref.object_id])
    late = {
        "id": "A-late",
        "span_id": "A-late",
        "root_span_id": "A",
        "span_parents": ["A"],
        "scores": {"acc": 0.0},
    }
    env.write(ref, late)  # a re-scoring span, written after every other trace
    env.store.refresh_summaries("experiment", [ref.object_id])
    assert _summary(env.store, ref.object_id, "A") == (3, 0.5, 5.0)
    env.write(ref, {"id": "A", "_is_merge": True, "output": "edited"})  # the root moves to the end
    env.store.refresh_summaries("experiment", [ref.object_id])
    assert _summary(env.store, ref.object_id, "A") == (3, 0.5, 5.0)
    assert env.store.trace_stats(ref).scores["acc"] == pytest.approx((0.5 + 0.5 * 3) / 4)

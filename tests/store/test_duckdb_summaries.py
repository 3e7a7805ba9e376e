"""DuckDB-only: trace summaries are stored and refreshed; idle time catches up without a read."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assay.store import Store, open_store
from tests.store.conftest import Env
from tests.store.test_store_reads import scored


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

"""DuckDB-only: writes announced while a commit group forms join it (one transaction, one
commit), and a write whose encoding fails withdraws without holding anything up for good."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

from assay.model.errors import InvalidInput
from assay.store import open_store
from assay.store.base import ObjectRef, RowWrite, WriteRequest
from assay.store.duckdb import writer
from tests.store.conftest import Env

pytestmark = pytest.mark.duckdb_only  # the embedded DuckDB store's own machinery


def txid(con: duckdb.DuckDBPyConnection) -> Any:
    found = con.execute("SELECT txid_current()").fetchone()
    return found[0] if found else None


def test_an_announced_job_joins_the_group_that_is_forming(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "LINGER_S", 30.0)  # generous: the test must not depend on timing
    store = open_store(f"duckdb:///{tmp_path / 'g.duckdb'}")
    try:
        thread = store._writer  # type: ignore[attr-defined]
        results: dict[str, Any] = {}
        thread.announce()  # the second job is "being encoded" while the first one is queued
        first = threading.Thread(target=lambda: results.update(first=thread.submit(txid)))
        first.start()
        time.sleep(0.2)  # the writer has taken the first job and waits for the announced one
        results["second"] = thread.submit(txid, announced=True)
        first.join()
        assert results["first"] == results["second"]  # one transaction for both
    finally:
        store.close()


def test_a_write_that_fails_to_encode_withdraws_and_later_writes_commit(tmp_path: Path) -> None:
    store = open_store(f"duckdb:///{tmp_path / 'w.duckdb'}")
    try:
        env = Env(store)
        ref = env.experiment()
        # Past the nesting limit: refused while the request is encoded, before the writer sees it.
        bad = WriteRequest(rows=[RowWrite(ref, env.project["id"], "x", {"id": "x", "input": _deep(200)})])
        with pytest.raises(InvalidInput):
            store.write(bad)
        assert store._writer._incoming == 0  # type: ignore[attr-defined]
        env.write(ref, {"id": "a", "input": 1})
        assert set(env.rows(ref)) == {"a"}
        assert store.count_rows(ObjectRef("experiment", ref.object_id)) == 1
    finally:
        store.close()


def _deep(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value

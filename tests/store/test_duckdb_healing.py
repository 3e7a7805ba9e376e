"""DuckDB-only: the store survives a full disk and an invalidated database without a restart,
and loses nothing it acknowledged. Real disks: a small tmpfs filled for real."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

from assay.model.errors import StorageFull, StoreFailed
from assay.store import Store, open_store
from assay.store.base import ObjectRef
from tests.store.conftest import Env
from tests.tmpfs import fill, tmpfs

pytestmark = pytest.mark.duckdb_only  # the embedded DuckDB store's own machinery

MiB = 1 << 20


def payload(n: int) -> dict[str, Any]:
    return {"id": f"r{n}", "input": os.urandom(40_000).hex()}  # ~80 KB, not compressible


def write_until_refused(env: Env, ref: ObjectRef, acked: list[str], limit: int = 2000) -> Exception:
    for n in range(len(acked), limit):
        try:
            env.write(ref, payload(n))
        except (StorageFull, StoreFailed) as exc:
            return exc
        acked.append(f"r{n}")
    raise AssertionError(f"{limit} writes and the disk is still not full")


def stored_ids(url: str, ref: ObjectRef) -> set[str]:
    store = open_store(url)
    try:
        return {e["id"] for e in store.fetch(ref, limit=100_000).events}
    finally:
        store.close()


def test_a_full_disk_refuses_writes_with_507_reads_go_on_and_writes_resume(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", 64) as disk:
        url = f"duckdb://{disk / 'assay.duckdb'}"
        store = open_store(url, disk_reserve=8 * MiB)
        try:
            env = Env(store)
            ref = env.experiment()
            filler = fill(disk, leave=30 * MiB)
            acked: list[str] = []
            refused = write_until_refused(env, ref, acked)
            assert isinstance(refused, StorageFull) and refused.status_code == 507
            assert str(disk) in refused.message and "free some space" in refused.message
            assert acked, "some writes fit before the disk was full"
            assert {e["id"] for e in store.fetch(ref, limit=100_000).events} == set(acked)  # reads go on
            assert store._db.generation == 0  # type: ignore[attr-defined]  # never invalidated
            filler.unlink()
            for n in range(10):
                env.write(ref, {"id": f"after-{n}", "input": n})
                acked.append(f"after-{n}")
        finally:
            store.close()
        assert stored_ids(url, ref) == set(acked)


def test_an_invalidated_database_is_reopened_and_loses_nothing_acknowledged(tmp_path: Path) -> None:
    """Without the reserve, DuckDB itself runs out of disk: its checkpoint fails and invalidates
    the database. The store reopens it, and once space is freed every request succeeds."""
    with tmpfs(tmp_path / "disk", 64) as disk:
        url = f"duckdb://{disk / 'assay.duckdb'}"
        store = open_store(url, disk_reserve=0)
        try:
            env = Env(store)
            ref = env.experiment()
            # room for the WAL to grow to a checkpoint, not for the checkpoint (the schema of
            # people and access makes the file larger than it was)
            filler = fill(disk, leave=28 * MiB)
            acked: list[str] = []
            refused = write_until_refused(env, ref, acked)
            assert refused.status_code in (503, 507), refused
            # The first failure may be a commit that found no room (a 507, nothing invalidated);
            # the idle writer's checkpoint then fails on the full disk and invalidates the
            # database (its reopen may fail too while the disk is full: `_down`).
            deadline = time.monotonic() + 60
            while (
                store._db.generation < 1  # type: ignore[attr-defined]
                and store._writer._down is None  # type: ignore[attr-defined]
                and time.monotonic() < deadline
            ):
                time.sleep(0.1)
            filler.unlink()
            for n in range(50):
                env.write(ref, {"id": f"after-{n}", "input": n})
                acked.append(f"after-{n}")
                assert f"after-{n}" in env.rows(ref)
            # Reopening may fail while the disk is still full (it is retried on the next write),
            # so only once space is back must the instance have been replaced.
            assert store._db.generation >= 1  # type: ignore[attr-defined]  # it was reopened
        finally:
            store.close()
        assert stored_ids(url, ref) >= set(acked)  # the refused request may have been durable too


def invalidate_behind_the_writers_back(store: Store, disk: Path) -> None:
    """A checkpoint on a full disk invalidates the database. It runs on this thread's reader
    cursor, so the writer does not see it: only the next read finds out."""

    def ballast(con: duckdb.DuckDBPyConnection) -> None:  # something in the WAL to checkpoint
        con.execute("CREATE TABLE IF NOT EXISTS ballast (s VARCHAR)")
        con.execute("INSERT INTO ballast SELECT md5(random()::VARCHAR) || repeat('x', 500) FROM range(20000)")

    store._writer.submit(ballast)  # type: ignore[attr-defined]
    filler = fill(disk, leave=64 * 1024)
    with pytest.raises(duckdb.FatalException, match="No space left"):
        store._db.reader().execute("CHECKPOINT")  # type: ignore[attr-defined]
    filler.unlink()


def test_a_read_that_finds_the_database_invalidated_reopens_it(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", 64) as disk:
        url = f"duckdb://{disk / 'assay.duckdb'}"
        store = open_store(url, disk_reserve=0)
        try:
            env = Env(store)
            ref = env.experiment()
            env.write(ref, {"id": "kept", "input": 1})
            invalidate_behind_the_writers_back(store, disk)
            with pytest.raises(StoreFailed) as failed:
                store.fetch(ref)
            assert failed.value.status_code == 503 and "retry" in failed.value.message
            written = {"kept"}
            for n in range(20):
                assert set(env.rows(ref)) == written
                env.write(ref, {"id": f"new-{n}", "input": 2})
                written.add(f"new-{n}")
        finally:
            store.close()

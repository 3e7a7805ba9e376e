"""Copying a whole database (the store methods behind `assay migrate`): from DuckDB into each
backend and back. The copy reads the same through the Store interface, its summaries are
rebuilt, it keeps writing with later `_xact_id`s, and verification notices a copy that differs."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from assay.model.errors import InvalidInput
from assay.model.objects import utcnow
from assay.services import migration
from assay.store import Store, open_store
from assay.store.base import CommentWrite, ObjectRef, RowWrite, WriteRequest
from assay.store.jobs import Job
from tests.store.conftest import Env, Opener


def _fill(source: Store) -> tuple[Env, ObjectRef]:
    env = Env(source)
    ref = env.experiment("copied")
    env.write(
        ref,
        {"id": "root", "span_id": "root", "root_span_id": "root", "input": {"q": "2+2", "ß": [1, 2.5]}},
        {"id": "child", "span_id": "child", "root_span_id": "root", "span_parents": ["root"], "output": 4},
    )
    env.write(ref, {"id": "root", "_is_merge": True, "scores": {"exact": 1.0}, "metrics": {"tokens": 7}})
    env.write(ref, {"id": "other", "input": "x", "tags": ["a", "b"], "scores": {"exact": 0.0}})
    comment = {"comment": {"text": "good"}, "created": "2025-01-02T00:00:00+00:00"}
    source.write(WriteRequest(comments=[CommentWrite(ref, "c1", "root", comment)]))
    now = utcnow().isoformat()
    job = Job(
        str(uuid.uuid4()),
        env.org.id,
        env.project["id"],
        "score",
        "queued",
        {"object_id": ref.object_id},
        now,
        now,
    )
    source.jobs.create(job, ["root", "other"], 1)
    return env, ref


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Store]:
    db = open_store(f"duckdb:///{tmp_path / 'source.duckdb'}")
    yield db
    db.close()


def test_a_copy_reads_back_the_same_and_keeps_working(source: Store, store: Store) -> None:
    env, ref = _fill(source)
    moved = migration.copy(source, store, lambda *_: None, batch=2)
    migration.verify(source, store, lambda *_: None, batch=2)
    assert moved.rows["rows"] == 3 and moved.rows["events"] >= 4 and moved.rows["comments"] == 1
    assert moved.rows["job_chunks"] == 2

    assert store.list_orgs() == source.list_orgs()
    assert store.list_objects("experiment") == source.list_objects("experiment")
    assert store.fetch(ref, limit=100) == source.fetch(ref, limit=100)
    assert store.trace_stats(ref) == source.trace_stats(ref)  # summaries rebuilt from the copied rows
    assert store.max_xact_id(ref) == source.max_xact_id(ref)
    assert store.jobs.list_jobs(env.org.id) == source.jobs.list_jobs(env.org.id)

    row = RowWrite(ref, env.project["id"], "new", {"id": "new", "input": 1})
    written = store.write(WriteRequest(rows=[row]))
    assert written.xact_id is not None and written.xact_id > (source.max_xact_id(ref) or "")
    assert store.fetch(ref, limit=1).events[0]["id"] == "new"
    claim = store.jobs.claim("w", 30)  # the copied job is claimable on the copy
    assert claim is not None and claim.items == ["root"]


def test_verification_notices_a_copy_that_differs(source: Store, store: Store) -> None:
    _, ref = _fill(source)
    migration.copy(source, store, lambda *_: None)
    Env(store).write(ref, {"id": "other", "_is_merge": True, "output": "changed"})
    with pytest.raises(migration.CopyMismatch, match=r"^events: the source has fewer rows"):
        migration.verify(source, store, lambda *_: None)


def test_a_copy_goes_only_into_an_empty_database(source: Store, store: Store) -> None:
    Env(store)
    _fill(source)
    with pytest.raises(InvalidInput, match="not empty"):
        migration.copy(source, store, lambda *_: None)


def test_a_copy_goes_back_to_duckdb(source: Store, open_backend: Opener, tmp_path: Path) -> None:
    _, ref = _fill(source)
    middle = open_backend()
    back = open_store(f"duckdb:///{tmp_path / 'back.duckdb'}")
    try:
        migration.copy(source, middle, lambda *_: None)
        migration.copy(middle, back, lambda *_: None)
        migration.verify(source, back, lambda *_: None)
        assert back.fetch(ref, limit=100) == source.fetch(ref, limit=100)
    finally:
        middle.close()
        back.close()

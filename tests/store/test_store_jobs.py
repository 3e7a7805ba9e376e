"""The job queue's contract (`store.jobs`), on every backend: chunks leased one holder at a time,
expired leases taken over, counts added once, cancellation, and a chunk that keeps killing its
worker given up rather than retried forever."""

from __future__ import annotations

import threading
import time
import uuid

from assay.model.objects import utcnow
from assay.store import Store
from assay.store.jobs import MAX_ATTEMPTS, Job
from tests.store.conftest import Env, Opener


def _job(env: Env, kind: str = "score", **spec: object) -> Job:
    now = utcnow().isoformat()
    return Job(
        id=str(uuid.uuid4()),
        org_id=env.org.id,
        project_id=env.project["id"],
        kind=kind,
        state="queued",
        spec={"object_id": "exp-1", **spec},
        created=now,
        updated=now,
        created_by={"key_id": "k"},
    )


def test_items_are_split_into_chunks_and_claimed_in_order(store: Store, env: Env) -> None:
    job = store.jobs.create(_job(env), [f"r{i}" for i in range(7)], 3)
    assert (job.state, job.total, job.chunks) == ("queued", 7, 3)
    first = store.jobs.claim("w1", 30)
    assert first is not None and first.items == ["r0", "r1", "r2"] and first.attempt == 1
    assert store.jobs.get(job.id).state == "running"  # type: ignore[union-attr]
    second = store.jobs.claim("w2", 30)
    assert second is not None and second.items == ["r3", "r4", "r5"]
    third = store.jobs.claim("w1", 30)
    assert third is not None and third.items == ["r6"]
    assert store.jobs.claim("w3", 30) is None  # every chunk is held

    store.jobs.finish(first, 3, 0)
    store.jobs.finish(second, 2, 1)
    assert store.jobs.get(job.id).state == "running"  # type: ignore[union-attr]
    done = store.jobs.finish(third, 1, 0)
    assert done is not None and (done.state, done.done, done.failed, done.chunks_done) == ("done", 6, 1, 3)
    assert done.finished is not None


def test_an_expired_lease_is_taken_over_and_the_old_holder_counts_nothing(store: Store, env: Env) -> None:
    job = store.jobs.create(_job(env), ["a", "b"], 10)
    dead = store.jobs.claim("dies", 0.2)
    assert dead is not None
    assert store.jobs.claim("other", 30) is None
    time.sleep(0.3)
    alive = store.jobs.claim("other", 30)
    assert alive is not None and alive.items == ["a", "b"] and alive.attempt == 2
    assert store.jobs.renew(dead, 30) is False  # the old holder learns it lost the chunk
    assert store.jobs.finish(dead, 2, 0) is None
    assert store.jobs.renew(alive, 30) is True
    finished = store.jobs.finish(alive, 2, 0)
    assert finished is not None and (finished.done, finished.state) == (2, "done")
    assert store.jobs.get(job.id).done == 2  # type: ignore[union-attr]  # counted once


def test_renewing_keeps_the_chunk(store: Store, env: Env) -> None:
    store.jobs.create(_job(env), ["a"], 10)
    held = store.jobs.claim("w", 0.3)
    assert held is not None
    for _ in range(3):
        time.sleep(0.15)
        assert store.jobs.renew(held, 0.3)
    assert store.jobs.claim("thief", 30) is None


def test_concurrent_claims_never_share_a_chunk(store: Store, env: Env) -> None:
    store.jobs.create(_job(env), [str(i) for i in range(40)], 1)
    got: list[str] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        while (claim := store.jobs.claim(name, 30)) is not None:
            with lock:
                got.extend(claim.items)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got, key=int) == [str(i) for i in range(40)]


def test_cancel_stops_claims_and_keeps_finished_jobs(store: Store, env: Env) -> None:
    job = store.jobs.create(_job(env), ["a", "b", "c"], 1)
    held = store.jobs.claim("w", 30)
    assert held is not None
    cancelled = store.jobs.cancel(job.id)
    assert cancelled is not None and cancelled.state == "cancelled"
    assert store.jobs.claim("w", 30) is None
    assert store.jobs.renew(held, 30) is False  # the worker in flight is told to stop
    other = store.jobs.create(_job(env), [], 1)
    assert other.state == "done" and other.total == 0
    assert store.jobs.cancel(other.id).state == "done"  # type: ignore[union-attr]
    assert store.jobs.cancel("no-such-job") is None


def test_a_chunk_that_keeps_killing_its_worker_is_given_up(store: Store, env: Env) -> None:
    store.jobs.create(_job(env), ["poison", "x"], 1)
    for _ in range(MAX_ATTEMPTS):
        claim = store.jobs.claim("w", 0.01)
        assert claim is not None and claim.items == ["poison"]
        time.sleep(0.02)  # the worker dies: its lease runs out
    claim = store.jobs.claim("w", 30)
    assert claim is not None and claim.items == ["x"]  # the poison chunk was failed instead
    finished = store.jobs.finish(claim, 1, 0)
    assert finished is not None and (finished.state, finished.done, finished.failed) == ("done", 1, 1)


def test_complete_fails_or_finishes_with_a_result(store: Store, env: Env) -> None:
    a = store.jobs.create(_job(env, "topics"), ["x"], 1)
    done = store.jobs.complete(a.id, result={"topics": [1]})
    assert done is not None and (done.state, done.result) == ("done", {"topics": [1]})
    b = store.jobs.create(_job(env), ["x"], 1)
    failed = store.jobs.complete(b.id, error="experiment deleted")
    assert failed is not None and (failed.state, failed.error) == ("failed", "experiment deleted")


def test_jobs_list_newest_first_and_survive_a_reopen(open_backend: Opener) -> None:
    db = open_backend()
    env = Env(db)
    first = db.jobs.create(_job(env, object_id="e1"), ["a"], 1)
    second = db.jobs.create(_job(env, object_id="e2"), ["b"], 1)
    held = db.jobs.claim("w", 0.2)
    assert held is not None
    db.close()
    db = open_backend()
    try:
        assert [j.id for j in db.jobs.list_jobs(env.org.id)] == [second.id, first.id]
        assert [j.id for j in db.jobs.list_jobs(env.org.id, object_id="e1")] == [first.id]
        assert db.jobs.list_jobs("other-org") == []
        time.sleep(0.25)
        again = db.jobs.claim("after-restart", 30)  # the dead server's chunk, resumed
        assert again is not None and again.job.id == first.id and again.items == ["a"]
        assert again.job.spec == {"object_id": "e1"} and again.job.created_by == {"key_id": "k"}
    finally:
        db.close()

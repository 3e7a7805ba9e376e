"""Job workers: threads that claim chunks from the store, do them, and finish them.

Each server runs `job_workers` of them (started with the app, stopped at shutdown). A worker
claims one chunk at a time under a lease (`job_lease_s`) and renews it from a heartbeat while
it works; when the renewal fails — the job was cancelled, or the lease expired and another
worker took the chunk over — it stops and counts nothing. A worker that dies (a crash, a
restart) leaves its lease to expire, and the chunk is claimed again, by this server after a
restart or by any other sharing the database: jobs survive restarts and resume where they were.

A chunk that fails as a whole because the job cannot go on (its experiment was deleted, its
creator lost access) fails the job; any other failure leaves the lease to expire so the chunk
is retried (`store.jobs.MAX_ATTEMPTS` times at most).
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Callable
from dataclasses import fields

from assay.model.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from assay.services import topics
from assay.services.auth import Principal
from assay.services.context import Services
from assay.services.jobs import scoring
from assay.store.jobs import Claim, Job

log = logging.getLogger("assay.jobs")
IDLE_POLL_S = 0.5
PERMANENT = (NotFound, Forbidden, Unauthorized, InvalidInput)

Handler = Callable[[Services, Principal, Job, list[str], Callable[[], bool]], tuple[int, int]]


def _topics(
    svc: Services, who: Principal, job: Job, items: list[str], keep_going: Callable[[], bool]
) -> tuple[int, int]:
    return topics.run_topics_job(svc, who, job, keep_going)


HANDLERS: dict[str, Handler] = {"score": scoring.process_chunk, "topics": _topics}


def acting_as(svc: Services, job: Job) -> Principal:
    """The job's creator, as the policy sees them now: the job writes with their access."""
    record = job.created_by
    for_user = getattr(svc.policy, "for_user", None)
    if record.get("user_id") and callable(for_user):
        found: Principal = for_user(record["user_id"], record.get("org_name"))
        return found
    names = {f.name for f in fields(Principal)}
    return Principal(**{k: v for k, v in record.items() if k in names})


class Worker:
    """One worker thread of this server."""

    def __init__(self, svc: Services, index: int = 0) -> None:
        self.svc = svc
        self.name = f"{os.uname().nodename}:{os.getpid()}:{index}:{uuid.uuid4().hex[:6]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"assay-jobs-{index}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                worked = self.run_once()
            except Exception:  # a store outage: wait and try again
                log.exception("job worker %s failed to claim work", self.name)
                worked = False
            if not worked:
                self._stop.wait(IDLE_POLL_S)

    def run_once(self) -> bool:
        """Claim and do one chunk; whether there was one."""
        settings = self.svc.settings
        claim = self.svc.store.jobs.claim(self.name, settings.job_lease_s)
        if claim is None:
            return False
        self._work(claim)
        return True

    def _work(self, claim: Claim) -> None:
        store, lease = self.svc.store, self.svc.settings.job_lease_s
        held = threading.Event()
        held.set()
        beat_stop = threading.Event()

        def heartbeat() -> None:
            while not beat_stop.wait(lease / 3):
                try:
                    if not store.jobs.renew(claim, lease):
                        held.clear()
                        return
                except Exception:
                    log.exception("could not renew the lease of job %s", claim.job.id)

        beat = threading.Thread(target=heartbeat, name="assay-jobs-lease", daemon=True)
        beat.start()

        def keep_going() -> bool:
            return held.is_set() and not self._stop.is_set()

        try:
            handler = HANDLERS[claim.job.kind]
            done, failed = handler(
                self.svc, acting_as(self.svc, claim.job), claim.job, claim.items, keep_going
            )
        except PERMANENT as exc:
            log.warning("job %s cannot go on: %s", claim.job.id, exc)
            store.jobs.complete(claim.job.id, error=getattr(exc, "message", str(exc)))
            return
        except Exception:
            log.exception("job %s: chunk %s failed; it will be retried", claim.job.id, claim.chunk)
            return
        finally:
            beat_stop.set()
            beat.join()
        if keep_going():
            store.jobs.finish(claim, done, failed)


class Workers:
    """The workers of one server (`job_workers` of them)."""

    def __init__(self, svc: Services) -> None:
        self.workers = [Worker(svc, i) for i in range(svc.settings.job_workers)]

    def start(self) -> None:
        for w in self.workers:
            w.start()

    def stop(self) -> None:
        for w in self.workers:
            w.stop()


def drain(svc: Services, limit: int = 10_000) -> int:
    """Do every pending chunk in this thread (scripts, benches, tests); how many were done."""
    worker = Worker(svc, 99)
    n = 0
    while n < limit and worker.run_once():
        n += 1
    return n

"""The `JobStore` interface: durable background jobs, worked on in leased chunks.

Part of the `Store` (as `store.jobs`); every backend implements it and passes the same
conformance tests (`tests/store/test_store_jobs.py`). Its docstrings are the specification.

A job (retrospective scoring, topics) is stored with its work items — row ids, in order —
split into chunks. Workers, in any number of servers sharing one database, `claim` a chunk at a
time under a lease, renew the lease while they work, and `finish` it with its counts. A worker
that dies leaves its lease to expire; the chunk is then claimed again (by any server) and redone,
so the work must be idempotent per item (scoring writes spans with deterministic ids). Claims
never hand the same chunk to two live leases: on PostgreSQL a row lock taken with `FOR UPDATE
SKIP LOCKED`; on DuckDB, the single writer. Lease times are the database's clock, so servers
with skewed clocks agree.

States: `queued` → `running` (a chunk was claimed) → `done` (every chunk finished), `cancelled`
(no chunk is claimed after it; finishing a chunk in flight still counts), or `failed` (`fail`:
the job cannot go on, e.g. its experiment was deleted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

JobState = Literal["queued", "running", "done", "cancelled", "failed"]
ACTIVE_STATES: tuple[JobState, ...] = ("queued", "running")
MAX_ATTEMPTS = 5  # a chunk claimed this often without finishing is given up (its items fail)


@dataclass
class Job:
    """One job. `spec` is the caller's request (what to run, over which object); `result` what
    the job produced beyond its per-item work (e.g. topics); `total`/`done`/`failed` count items."""

    id: str
    org_id: str
    project_id: str
    kind: str  # "score" | "topics"
    state: JobState
    spec: dict[str, Any]
    created: str
    updated: str
    created_by: dict[str, Any] = field(default_factory=dict)  # who asked: the job acts as them
    total: int = 0
    done: int = 0
    failed: int = 0
    chunks: int = 0
    chunks_done: int = 0
    error: str | None = None
    result: dict[str, Any] | None = None
    finished: str | None = None


@dataclass
class Claim:
    """A leased chunk: its job, its position and items, and the lease `token` that `renew` and
    `finish` must present. `attempt` counts claims of this chunk, this one included."""

    job: Job
    chunk: int
    items: list[str]
    token: str
    attempt: int


class JobStore(Protocol):
    def create(self, job: Job, items: list[str], chunk_size: int) -> Job:
        """Store `job` (state `queued`) with `items` split in order into chunks of at most
        `chunk_size`; `total` and `chunks` are set from them. A job without items is stored
        `done` at once (with `result` as given). Job ids are the caller's (unique)."""

    def get(self, job_id: str) -> Job | None: ...

    def list_jobs(
        self, org_id: str, *, project_id: str | None = None, object_id: str | None = None, limit: int = 50
    ) -> list[Job]:
        """The organization's jobs, newest first; only the project's, or only those whose
        `spec.object_id` is `object_id`, when given."""

    def claim(self, worker: str, lease_s: float) -> Claim | None:
        """Lease the next chunk to work on, for `lease_s` seconds, or None when there is none: of
        the oldest active job, a chunk never claimed or one whose lease has expired (its worker
        is gone). The job becomes `running`. A chunk claimed `MAX_ATTEMPTS` times without being
        finished is not claimed again: it is finished with all its items failed (so one item
        that kills its worker cannot stall the job)."""

    def renew(self, claim: Claim, lease_s: float) -> bool:
        """Extend the lease by `lease_s` seconds from now. False when it is no longer held (it
        expired and another worker claimed the chunk, or the job is no longer active): the
        worker should stop working on it."""

    def finish(self, claim: Claim, done: int, failed: int) -> Job | None:
        """Mark the chunk finished and add its counts to the job, if the lease is still held
        (otherwise nothing changes and None is returned: the new holder will count it). The job
        becomes `done` when it was running and this was its last unfinished chunk."""

    def cancel(self, job_id: str) -> Job | None:
        """Stop an active job (`cancelled`); chunks in flight may still finish. A finished job is
        returned unchanged; None when unknown."""

    def complete(
        self, job_id: str, *, result: dict[str, Any] | None = None, error: str | None = None
    ) -> Job | None:
        """End an active job: `failed` with `error`, else `done` (with `result`, e.g. topics)."""

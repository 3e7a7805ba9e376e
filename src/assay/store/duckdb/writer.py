"""The single writer: one thread owns the read-write connection and runs every write.

DuckDB allows one writing connection per file, and a write must not be acknowledged before it
commits. Callers submit jobs and block on a future; the thread drains the queue and runs
consecutive jobs inside one transaction (group commit), which amortises the commit's fsync
over many requests. If the group fails, its jobs are retried one by one, so a bad job fails
alone and never takes its neighbours down with it.

A caller that is still encoding a job announces it (`announce`): when the queue runs dry while
announced jobs are on their way, the writer waits for them (at most `LINGER_S`) so that they join
the group. Concurrent small writes, such as the SDK's two parallel 100-row requests, then share
one transaction and one commit instead of queueing for one each.

The writer also keeps the database alive (see `lifecycle.Database`):

- before a group it checks the disk has room (`Database.check_space`); if not, the group's jobs
  fail with 507 and DuckDB is not touched, so it never runs out of space mid-checkpoint;
- when DuckDB invalidates the database, the jobs that failed get a 503/507 (or their results,
  when the commit was durable and only its checkpoint failed), and the writer reopens the
  file; if that fails too, later jobs fail fast and each retries the reopen (at most once per
  `RETRY_REOPEN_S`), so writes resume by themselves once the cause (a full disk) is gone.

When no job has arrived for `IDLE_AFTER_S`, the thread runs an optional idle task (deferred
maintenance such as refreshing derived tables) in its own transaction, one slice at a time, for as
long as the task says work remains; the next job waits at most for one slice. Once the task is
done it checkpoints the WAL if it has grown past `CHECKPOINT_AFTER_BYTES`. While jobs keep coming
it also runs one slice (without the checkpoint) every `BUSY_SLICE_EVERY_S`, so the maintenance
keeps up with a long ingest instead of piling up in front of the first read after it.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import duckdb

from assay.model.errors import AssayError
from assay.store.duckdb.health import committed_durably, first_line, is_disk_full, is_fatal, store_error
from assay.store.duckdb.lifecycle import CHECKPOINT_AFTER_BYTES, Database

MAX_GROUP = 64
LINGER_S = 0.02  # how long a group waits for announced jobs still being encoded
IDLE_AFTER_S = 0.5
BUSY_SLICE_EVERY_S = 1.0
RETRY_REOPEN_S = 1.0
log = logging.getLogger("assay.store")


@dataclass(frozen=True)
class Batched:
    """A job whose work can be shared with its neighbours: `run(con, items)` returns one result
    per item. Consecutive `Batched` jobs with the same `run` in a group are applied by one call,
    so a commit group of row writes costs one lookup and one bulk insert, not one per request."""

    run: Callable[[duckdb.DuckDBPyConnection, list[Any]], list[Any]]
    item: Any


@dataclass(frozen=True)
class Recover:
    """Reopen the database if it is still at `generation` (a reader saw it invalidated)."""

    generation: int


Job = Callable[[duckdb.DuckDBPyConnection], Any] | Batched


def _run_alone(job: Job, con: duckdb.DuckDBPyConnection) -> Any:
    return job.run(con, [job.item])[0] if isinstance(job, Batched) else job(con)


def _run_together(jobs: list[Job], con: duckdb.DuckDBPyConnection) -> list[Any]:
    results: list[Any] = []
    i = 0
    while i < len(jobs):
        job = jobs[i]
        if not isinstance(job, Batched):
            results.append(job(con))
            i += 1
            continue
        j = i
        while j < len(jobs) and isinstance(jobs[j], Batched) and jobs[j].run == job.run:  # type: ignore[union-attr]
            j += 1
        results += job.run(con, [b.item for b in jobs[i:j]])  # type: ignore[union-attr]
        i = j
    return results


def _pass_on(outcome: Future[Any], real: Future[Any]) -> None:
    """Give the caller's future the outcome its job had (`_run_group` holds them back)."""
    error = outcome.exception() if outcome.done() else RuntimeError("the writer stopped before this job ran")
    if error is not None:
        real.set_exception(error)
    else:
        real.set_result(outcome.result())


class _Fatal(Exception):
    """The database was invalidated during a transaction; `results` are set when its commit was
    durable nonetheless (only its automatic checkpoint failed)."""

    def __init__(self, cause: BaseException, results: list[Any] | None = None) -> None:
        super().__init__(str(cause))
        self.cause, self.results = cause, results


class WriterThread:
    def __init__(
        self,
        db: Database,
        name: str = "assay-writer",
        idle: Callable[[duckdb.DuckDBPyConnection], bool] | None = None,
    ) -> None:
        self.db = db
        self._idle = idle
        self._idle_pending = True  # work may be left from before a restart; and the WAL to fold
        self._down: AssayError | None = None  # why the database could not be reopened
        self._next_reopen = 0.0
        self._last_slice = time.monotonic()
        self._incoming = 0  # announced jobs not yet submitted (see `announce`)
        self._incoming_lock = threading.Lock()
        self._changes = 0  # see `change_count`; counted by this thread only, read by any
        self._commits = 0  # see `commit_count`; likewise
        self._queue: queue.Queue[tuple[Job | Recover, Future[Any]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    @property
    def change_count(self) -> int:
        """A number that moves whenever a job other than a row write (`Batched`) has run, or the
        database was reopened: users, keys, access rules and the catalog only change that way, so
        what was read of them under an unchanged count still holds (`services.access` caches on it).
        It moves after the job's commit and before its caller learns the outcome."""
        return self._changes

    @property
    def commit_count(self) -> int:
        """A number that moves after every committed job, row writes included, before its caller
        learns the outcome (the idle summary refresh does not move it: it changes no row). What
        was read under an unchanged `(commit_count, change_count)` is what a read now would find."""
        return self._commits

    def announce(self) -> None:
        """A job is on its way: the caller is encoding it and will `submit(job, announced=True)`
        (or `withdraw()` if encoding fails). A group formed meanwhile waits for it."""
        with self._incoming_lock:
            self._incoming += 1

    def withdraw(self) -> None:
        with self._incoming_lock:
            self._incoming -= 1

    def _next_for_group(
        self, deadline: float | None
    ) -> tuple[tuple[Job | Recover, Future[Any]] | None, float | None]:
        """The next queued item for the group being formed and the deadline of its wait: while
        announced jobs are on their way it waits for them, until `deadline` (set on the first
        wait); raises `queue.Empty` when the group is complete."""
        try:
            return self._queue.get_nowait(), deadline
        except queue.Empty:
            if not self._incoming:
                raise
        deadline = deadline if deadline is not None else time.monotonic() + LINGER_S
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise queue.Empty
        return self._queue.get(timeout=remaining), deadline

    def submit(self, job: Job, *, announced: bool = False) -> Any:
        """Run `job` in a transaction on the writer thread; return its result once committed."""
        fut: Future[Any] = Future()
        if announced:
            self.withdraw()  # before the put: a group that saw it announced must not wait for it after
        self._queue.put((job, fut))
        return fut.result()

    def recover(self, generation: int) -> None:
        """Ask for the database to be reopened (a reader found it invalidated); wait for it."""
        if not self._thread.is_alive():  # closed: nothing to reopen
            return
        fut: Future[Any] = Future()
        self._queue.put((Recover(generation), fut))
        with contextlib.suppress(AssayError):
            fut.result()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=IDLE_AFTER_S) if self._idle_pending else self._queue.get()
            except queue.Empty:
                self._idle_pending = self._run_idle()
                continue
            if item is None:
                return
            self._idle_pending = True
            group = [item]
            stop = False
            deadline: float | None = None
            while len(group) < MAX_GROUP:
                try:
                    nxt, deadline = self._next_for_group(deadline)
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                group.append(nxt)
            controls = [(c, f) for c, f in group if isinstance(c, Recover)]
            jobs = [(j, f) for j, f in group if not isinstance(j, Recover)]
            for control, fut in controls:
                self._recover_from(control, fut)
            if jobs:
                self._run_group(jobs)
            if stop:
                return
            if self._idle is not None and time.monotonic() - self._last_slice >= BUSY_SLICE_EVERY_S:
                self._run_slice(self._idle)

    # -- keeping the database alive ---------------------------------------------------------
    def _recover_from(self, control: Recover, fut: Future[Any]) -> None:
        if control.generation == self.db.generation and self._down is None:
            self._reopen(None)
        if self._down is not None:
            fut.set_exception(self._down)
        else:
            fut.set_result(None)

    def _reopen(self, cause: BaseException | None) -> None:
        self._changes += 1
        if cause is not None:
            log.error("the database was invalidated (%s); reopening it", first_line(cause))
        try:
            self.db.reopen()
        except Exception as exc:
            self._down = store_error(exc if cause is None else cause, self.db.data_dir)
            self._next_reopen = time.monotonic() + RETRY_REOPEN_S
            log.error("could not reopen the database (%s); retrying on the next write", first_line(exc))
        else:
            self._down = None
            log.warning("the database was reopened")

    def _ready(self, group: list[tuple[Job, Future[Any]]]) -> bool:
        """Whether the group may run: the database is open and the disk has room."""
        if self._down is not None and time.monotonic() >= self._next_reopen:
            self._reopen(None)
        failure: AssayError | None = self._down
        if failure is None:
            try:
                self.db.check_space()
            except AssayError as exc:
                failure = exc
        if failure is not None:
            for _, fut in group:
                fut.set_exception(failure)
            return False
        return True

    # -- running jobs -----------------------------------------------------------------------
    def _transaction(self, jobs: list[Job]) -> list[Any]:
        con = self.db.con
        try:
            con.execute("BEGIN TRANSACTION")
            results = _run_together(jobs, con)
        except BaseException as exc:
            self._rollback()
            if is_fatal(exc):
                raise _Fatal(exc) from exc
            raise
        try:
            con.execute("COMMIT")
        except BaseException as exc:
            if is_fatal(exc):
                raise _Fatal(exc, results if committed_durably(exc) else None) from exc
            self._rollback()
            raise
        return results

    def _run_group(self, group: list[tuple[Job, Future[Any]]]) -> None:
        if not self._ready(group):
            return
        if all(isinstance(job, Batched) for job, _ in group):
            self._run_jobs(group)
            return
        # The change count moves before and after (a read made while the job runs is not trusted
        # after it either), and the callers learn their outcomes only after that.
        self._changes += 1
        held: list[tuple[Job, Future[Any]]] = [(job, Future()) for job, _ in group]
        try:
            self._run_jobs(held)
        finally:
            self._changes += 1
            for (_, real), (_, outcome) in zip(group, held, strict=True):
                _pass_on(outcome, real)

    def _run_jobs(self, group: list[tuple[Job, Future[Any]]]) -> None:
        if len(group) > 1:
            try:
                results = self._transaction([job for job, _ in group])
            except _Fatal as fatal:
                self._after_fatal(group, [], fatal)
                return
            except BaseException:
                pass  # retried one by one below, so a bad job fails alone
            else:
                self._commits += 1
                for (_, fut), result in zip(group, results, strict=True):
                    fut.set_result(result)
                return
        for i, (job, fut) in enumerate(group):
            try:
                (result,) = self._transaction([job])
            except _Fatal as fatal:
                self._after_fatal(group[i : i + 1], group[i + 1 :], fatal)
                return
            except BaseException as exc:
                fut.set_exception(self._mapped(exc))
            else:
                self._commits += 1
                fut.set_result(result)

    def _after_fatal(
        self, ran: list[tuple[Job, Future[Any]]], waiting: list[tuple[Job, Future[Any]]], fatal: _Fatal
    ) -> None:
        """The jobs that ran in the failed transaction get their results (the commit was
        durable) or a 503/507; the database is reopened; jobs that never ran run on it then."""
        if fatal.results is not None:
            log.error("a commit succeeded but its checkpoint failed (%s)", first_line(fatal.cause))
            for (_, fut), result in zip(ran, fatal.results, strict=True):
                fut.set_result(result)
        else:
            error = store_error(fatal.cause, self.db.data_dir)
            for _, fut in ran:
                fut.set_exception(error)
        self._reopen(fatal.cause)
        if waiting:
            self._run_group(waiting)

    def _mapped(self, exc: BaseException) -> BaseException:
        """A DuckDB error about the disk is the client's 507, not an internal error."""
        if isinstance(exc, duckdb.Error) and is_disk_full(exc):
            return store_error(exc, self.db.data_dir)
        return exc

    def _run_slice(self, task: Callable[[duckdb.DuckDBPyConnection], bool]) -> None:
        """One slice of the idle task between groups of jobs (no checkpoint: DuckDB runs its own
        while writes go on)."""
        self._last_slice = time.monotonic()
        if self._down is not None:
            return
        try:
            self._transaction([task])
        except _Fatal as fatal:
            self._reopen(fatal.cause)
        except Exception as exc:
            self._idle_failed(exc)

    def _run_idle(self) -> bool:
        """One slice of the idle task; once it is done (or failed), the checkpoint. Returns
        whether more remains (False after a failure: it is retried after the next write)."""
        self._last_slice = time.monotonic()
        if self._down is not None:
            return False
        try:
            if self._idle is not None:
                (more,) = self._transaction([self._idle])  # a job like any other
                if more:
                    return True
        except _Fatal as fatal:
            self._reopen(fatal.cause)
            return False
        except Exception as exc:
            self._idle_failed(exc)
        try:
            self.db.check_space()  # a checkpoint copies the WAL into the file: it needs room too
            self.db.checkpoint(at_least=CHECKPOINT_AFTER_BYTES)
        except AssayError:
            pass  # no room to checkpoint: writes are refused meanwhile, and it runs once space is freed
        except Exception as exc:
            if is_fatal(exc):
                self._reopen(exc)
            else:
                self._idle_failed(exc)
        return False

    @staticmethod
    def _idle_failed(exc: BaseException) -> None:
        if is_disk_full(exc):
            log.warning("idle maintenance postponed: %s", first_line(exc))
        else:
            log.exception("idle maintenance failed; it is retried after the next write")

    def _rollback(self) -> None:
        with contextlib.suppress(duckdb.Error):
            self.db.con.execute("ROLLBACK")

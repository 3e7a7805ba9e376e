"""The single writer: one thread owns the read-write connection and runs every write.

DuckDB allows one writing connection per file, and a write must not be acknowledged before it
commits. Callers submit jobs and block on a future; the thread drains the queue and runs
consecutive jobs inside one transaction (group commit), which amortises the commit's fsync
over many requests. If the group fails, its jobs are retried one by one, so a bad job fails
alone and never takes its neighbours down with it.

When no job has arrived for `IDLE_AFTER_S`, the thread runs an optional idle task (deferred
maintenance such as refreshing derived tables) in its own transaction, one slice at a time, for as
long as the task says work remains; the next job waits at most for one slice.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import duckdb

MAX_GROUP = 64
IDLE_AFTER_S = 0.5
log = logging.getLogger("assay.store")


@dataclass(frozen=True)
class Batched:
    """A job whose work can be shared with its neighbours: `run(con, items)` returns one result
    per item. Consecutive `Batched` jobs with the same `run` in a group are applied by one call,
    so a commit group of row writes costs one lookup and one bulk insert, not one per request."""

    run: Callable[[duckdb.DuckDBPyConnection, list[Any]], list[Any]]
    item: Any


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


class WriterThread:
    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        name: str = "assay-writer",
        idle: Callable[[duckdb.DuckDBPyConnection], bool] | None = None,
    ) -> None:
        self._con = con
        self._idle = idle
        self._idle_pending = idle is not None  # work may be left from before a restart
        self._queue: queue.Queue[tuple[Job, Future[Any]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> Any:
        """Run `job` in a transaction on the writer thread; return its result once committed."""
        fut: Future[Any] = Future()
        self._queue.put((job, fut))
        return fut.result()

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
            self._idle_pending = self._idle is not None
            group = [item]
            stop = False
            while len(group) < MAX_GROUP:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                group.append(nxt)
            self._run_group(group)
            if stop:
                return

    def _run_group(self, group: list[tuple[Job, Future[Any]]]) -> None:
        if len(group) > 1:
            try:
                self._con.execute("BEGIN TRANSACTION")
                results = _run_together([job for job, _ in group], self._con)
                self._con.execute("COMMIT")
            except BaseException:
                self._rollback()
            else:
                for (_, fut), result in zip(group, results, strict=True):
                    fut.set_result(result)
                return
        for job, fut in group:
            try:
                self._con.execute("BEGIN TRANSACTION")
                result = _run_alone(job, self._con)
                self._con.execute("COMMIT")
            except BaseException as exc:
                self._rollback()
                fut.set_exception(exc)
            else:
                fut.set_result(result)

    def _run_idle(self) -> bool:
        """One slice of the idle task; returns whether more remains (False after a failure)."""
        assert self._idle is not None
        try:
            self._con.execute("BEGIN TRANSACTION")
            more = self._idle(self._con)
            self._con.execute("COMMIT")
        except Exception:
            self._rollback()
            log.exception("idle maintenance failed; it is retried after the next write")
            return False
        return more

    def _rollback(self) -> None:
        with contextlib.suppress(duckdb.Error):
            self._con.execute("ROLLBACK")

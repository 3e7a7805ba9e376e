"""`JobStore` on DuckDB: jobs and their chunks in two tables, every change on the writer thread.

The single writer makes each claim atomic: the chunk is chosen and leased in one transaction
that no other claim can interleave with. Lease times are this machine's clock (DuckDB runs in
this process). A finished chunk keeps its row (with its items dropped) so counts stay auditable.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import duckdb
import orjson

from assay.model.objects import utcnow
from assay.store.codec import dumps_checked
from assay.store.jobs import ACTIVE_STATES, MAX_ATTEMPTS, Claim, Job

T = TypeVar("T")


class Runs(Protocol):
    """Runs a function of a connection (on a reader cursor, or in the writer's transaction)."""

    def __call__(self, fn: Callable[[duckdb.DuckDBPyConnection], T]) -> T: ...


_COLUMNS = (
    "id, org_id, project_id, kind, state, created, updated, total, done, failed, chunks, chunks_done, doc"
)
_DOC_FIELDS = ("spec", "created_by", "error", "result", "finished")
_ACTIVE = "('queued', 'running')"


def _job(row: tuple[Any, ...]) -> Job:
    doc = orjson.loads(row[12])
    return Job(
        id=row[0],
        org_id=row[1],
        project_id=row[2],
        kind=row[3],
        state=row[4],
        created=row[5],
        updated=row[6],
        total=row[7],
        done=row[8],
        failed=row[9],
        chunks=row[10],
        chunks_done=row[11],
        **{k: doc.get(k) for k in _DOC_FIELDS if k in doc},
    )


def _doc(job: Job) -> str:
    return dumps_checked({k: getattr(job, k) for k in _DOC_FIELDS}, f"job {job.id}")


def _get(con: duckdb.DuckDBPyConnection, job_id: str) -> Job | None:
    found = con.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", [job_id]).fetchone()
    return _job(found) if found else None


def _save(con: duckdb.DuckDBPyConnection, job: Job) -> Job:
    job.updated = utcnow().isoformat()
    con.execute(
        """UPDATE jobs SET state = ?, updated = ?, total = ?, done = ?, failed = ?, chunks = ?,
           chunks_done = ?, doc = ? WHERE id = ?""",
        [
            job.state,
            job.updated,
            job.total,
            job.done,
            job.failed,
            job.chunks,
            job.chunks_done,
            _doc(job),
            job.id,
        ],
    )
    return job


def _settle(job: Job) -> None:
    if job.state == "running" and job.chunks_done >= job.chunks:
        job.state = "done"
        job.finished = utcnow().isoformat()


class DuckDBJobs:
    """`store.jobs` of a `DuckDBStore`: `read` runs on a reader cursor, `write` on the writer."""

    def __init__(self, read: Runs, write: Runs) -> None:
        self._read = read
        self._write = write

    def create(self, job: Job, items: list[str], chunk_size: int) -> Job:
        chunks = [items[i : i + chunk_size] for i in range(0, len(items), chunk_size)]
        job.total, job.chunks, job.chunks_done, job.done, job.failed = len(items), len(chunks), 0, 0, 0
        if not chunks:
            job.state, job.finished = "done", utcnow().isoformat()

        def run(con: duckdb.DuckDBPyConnection) -> Job:
            con.execute(
                f"INSERT INTO jobs (object_id, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    job.spec.get("object_id"),
                    job.id,
                    job.org_id,
                    job.project_id,
                    job.kind,
                    job.state,
                    job.created,
                    job.updated,
                    job.total,
                    0,
                    0,
                    job.chunks,
                    0,
                    _doc(job),
                ],
            )
            if chunks:
                con.executemany(
                    "INSERT INTO job_chunks VALUES (?, ?, ?, 'pending', NULL, NULL, 0)",
                    [[job.id, n, orjson.dumps(c).decode()] for n, c in enumerate(chunks)],
                )
            return job

        return self._write(run)

    def get(self, job_id: str) -> Job | None:
        return self._read(lambda con: _get(con, job_id))

    def list_jobs(
        self, org_id: str, *, project_id: str | None = None, object_id: str | None = None, limit: int = 50
    ) -> list[Job]:
        sql = f"SELECT {_COLUMNS} FROM jobs WHERE org_id = ?"
        params: list[Any] = [org_id]
        for column, value in (("project_id", project_id), ("object_id", object_id)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        sql += " ORDER BY created DESC, id DESC LIMIT ?"
        params.append(int(limit))
        return self._read(lambda con: [_job(r) for r in con.execute(sql, params).fetchall()])

    def _claimable(self, con: duckdb.DuckDBPyConnection) -> bool:
        return (
            con.execute(
                f"""SELECT 1 FROM job_chunks c JOIN jobs j ON j.id = c.job_id WHERE j.state IN {_ACTIVE}
                    AND (c.state = 'pending' OR (c.state = 'leased' AND c.lease_until < ?)) LIMIT 1""",
                [time.time()],
            ).fetchone()
            is not None
        )

    def claim(self, worker: str, lease_s: float) -> Claim | None:
        # Idle workers poll: look on a reader first, so polling never wakes the writer (whose
        # idle time refreshes trace summaries and checkpoints the log).
        if not self._read(self._claimable):
            return None

        def run(con: duckdb.DuckDBPyConnection) -> Claim | None:
            while True:
                now = time.time()
                found = con.execute(
                    f"""SELECT c.job_id, c.chunk, c.items, c.attempts FROM job_chunks c JOIN jobs j ON j.id = c.job_id
                        WHERE j.state IN {_ACTIVE}
                          AND (c.state = 'pending' OR (c.state = 'leased' AND c.lease_until < ?))
                        ORDER BY j.created, j.id, c.chunk LIMIT 1""",
                    [now],
                ).fetchone()
                if found is None:
                    return None
                job_id, chunk, raw, attempts = found
                job = _get(con, job_id)
                assert job is not None
                items: list[str] = orjson.loads(raw)
                if attempts >= MAX_ATTEMPTS:  # it killed its worker every time: give it up
                    con.execute(
                        "UPDATE job_chunks SET state = 'done', items = NULL WHERE job_id = ? AND chunk = ?",
                        [job_id, chunk],
                    )
                    job.failed += len(items)
                    job.chunks_done += 1
                    _settle(job)
                    _save(con, job)
                    continue
                token = f"{worker}:{secrets.token_hex(8)}"
                con.execute(
                    """UPDATE job_chunks SET state = 'leased', token = ?, lease_until = ?, attempts = attempts + 1
                       WHERE job_id = ? AND chunk = ?""",
                    [token, now + lease_s, job_id, chunk],
                )
                if job.state == "queued":
                    job.state = "running"
                    _save(con, job)
                return Claim(job, chunk, items, token, attempts + 1)

        return self._write(run)

    def renew(self, claim: Claim, lease_s: float) -> bool:
        def run(con: duckdb.DuckDBPyConnection) -> bool:
            found = con.execute(
                f"""UPDATE job_chunks SET lease_until = ? WHERE job_id = ? AND chunk = ? AND token = ?
                    AND state = 'leased' AND job_id IN (SELECT id FROM jobs WHERE state IN {_ACTIVE})
                    RETURNING chunk""",
                [time.time() + lease_s, claim.job.id, claim.chunk, claim.token],
            ).fetchone()
            return found is not None

        return self._write(run)

    def finish(self, claim: Claim, done: int, failed: int) -> Job | None:
        def run(con: duckdb.DuckDBPyConnection) -> Job | None:
            found = con.execute(
                """UPDATE job_chunks SET state = 'done', items = NULL
                   WHERE job_id = ? AND chunk = ? AND token = ? AND state = 'leased' RETURNING chunk""",
                [claim.job.id, claim.chunk, claim.token],
            ).fetchone()
            if found is None:
                return None
            job = _get(con, claim.job.id)
            assert job is not None
            job.done += done
            job.failed += failed
            job.chunks_done += 1
            _settle(job)
            return _save(con, job)

        return self._write(run)

    def cancel(self, job_id: str) -> Job | None:
        def run(con: duckdb.DuckDBPyConnection) -> Job | None:
            job = _get(con, job_id)
            if job is None or job.state not in ACTIVE_STATES:
                return job
            job.state, job.finished = "cancelled", utcnow().isoformat()
            return _save(con, job)

        return self._write(run)

    def complete(
        self, job_id: str, *, result: dict[str, Any] | None = None, error: str | None = None
    ) -> Job | None:
        def run(con: duckdb.DuckDBPyConnection) -> Job | None:
            job = _get(con, job_id)
            if job is None or job.state not in ACTIVE_STATES:
                return job
            job.state = "failed" if error is not None else "done"
            job.error, job.finished = error, utcnow().isoformat()
            if result is not None:
                job.result = result
            return _save(con, job)

        return self._write(run)


SCHEMA = """
CREATE TABLE jobs (
    id VARCHAR PRIMARY KEY, org_id VARCHAR NOT NULL, project_id VARCHAR NOT NULL, object_id VARCHAR,
    kind VARCHAR NOT NULL, state VARCHAR NOT NULL, created VARCHAR NOT NULL, updated VARCHAR NOT NULL,
    total INTEGER NOT NULL, done INTEGER NOT NULL, failed INTEGER NOT NULL, chunks INTEGER NOT NULL,
    chunks_done INTEGER NOT NULL, doc JSON NOT NULL);
CREATE TABLE job_chunks (
    job_id VARCHAR NOT NULL, chunk INTEGER NOT NULL, items JSON, state VARCHAR NOT NULL, token VARCHAR,
    lease_until DOUBLE, attempts INTEGER NOT NULL, PRIMARY KEY (job_id, chunk));
"""

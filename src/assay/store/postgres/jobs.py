"""`JobStore` on PostgreSQL: jobs and their chunks shared by every server of the database.

Workers in several servers claim chunks at once. A claim picks the next claimable chunk with
`FOR UPDATE OF c SKIP LOCKED`, so two claims running side by side each take a different chunk
(a row another claim holds is skipped, not waited for) and a chunk is never leased twice. Every
change to a job's counts or state takes the job's row lock (`FOR UPDATE`) first, so two chunks
finishing together both count. Locks are always taken chunk first, then job: no deadlocks.

Lease times are the database's clock (`clock_timestamp()`), so servers with skewed clocks agree
on when a lease has expired. A finished chunk keeps its row (its items dropped), as on DuckDB.
"""

from __future__ import annotations

import secrets
from typing import Any

import orjson
import psycopg
from psycopg_pool import ConnectionPool

from assay.model.objects import utcnow
from assay.store.codec import dumps_checked
from assay.store.jobs import ACTIVE_STATES, MAX_ATTEMPTS, Claim, Job
from assay.store.postgres.connections import connection

_COLUMNS = (
    "id, org_id, project_id, kind, state, created, updated, total, done, failed, chunks, chunks_done, doc"
)
_DOC_FIELDS = ("spec", "created_by", "error", "result", "finished")
_NOW = "extract(epoch FROM clock_timestamp())"
_CLAIMABLE = f"""j.state IN ('queued', 'running')
    AND (c.state = 'pending' OR (c.state = 'leased' AND c.lease_until < {_NOW}))"""

SCHEMA = """
CREATE TABLE jobs (
    id text COLLATE "C" PRIMARY KEY, org_id text COLLATE "C" NOT NULL, project_id text COLLATE "C" NOT NULL,
    object_id text COLLATE "C", kind text NOT NULL, state text NOT NULL, created text NOT NULL,
    updated text NOT NULL, total integer NOT NULL, done integer NOT NULL, failed integer NOT NULL,
    chunks integer NOT NULL, chunks_done integer NOT NULL, doc json NOT NULL);
CREATE INDEX jobs_by_org ON jobs (org_id, created);
CREATE TABLE job_chunks (
    job_id text COLLATE "C" NOT NULL, chunk integer NOT NULL, items json, state text NOT NULL,
    token text, lease_until double precision, attempts integer NOT NULL, PRIMARY KEY (job_id, chunk));
CREATE INDEX job_chunks_open ON job_chunks (job_id, chunk) WHERE state <> 'done'
"""


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


def _get(con: psycopg.Connection, job_id: str, *, lock: bool = False) -> Job | None:
    found = con.execute(
        f"SELECT {_COLUMNS} FROM jobs WHERE id = %s" + (" FOR UPDATE" if lock else ""), [job_id]
    ).fetchone()
    return _job(found) if found else None


def _save(con: psycopg.Connection, job: Job) -> Job:
    job.updated = utcnow().isoformat()
    con.execute(
        """UPDATE jobs SET state = %s, updated = %s, total = %s, done = %s, failed = %s, chunks = %s,
           chunks_done = %s, doc = %s WHERE id = %s""",
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


class PostgresJobs:
    """`store.jobs` of a `PostgresStore`: each call is one transaction on a pooled connection."""

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool

    def create(self, job: Job, items: list[str], chunk_size: int) -> Job:
        chunks = [items[i : i + chunk_size] for i in range(0, len(items), chunk_size)]
        job.total, job.chunks, job.chunks_done, job.done, job.failed = len(items), len(chunks), 0, 0, 0
        if not chunks:
            job.state, job.finished = "done", utcnow().isoformat()
        row = [job.spec.get("object_id"), job.id, job.org_id, job.project_id, job.kind, job.state]
        row += [job.created, job.updated, job.total, 0, 0, job.chunks, 0, _doc(job)]
        with connection(self._pool) as con, con.transaction():
            con.execute(f"INSERT INTO jobs (object_id, {_COLUMNS}) VALUES ({', '.join(['%s'] * 14)})", row)
            with con.cursor() as cur:
                cur.executemany(
                    "INSERT INTO job_chunks VALUES (%s, %s, %s, 'pending', NULL, NULL, 0)",
                    [[job.id, n, orjson.dumps(c).decode()] for n, c in enumerate(chunks)],
                )
        return job

    def get(self, job_id: str) -> Job | None:
        with connection(self._pool) as con:
            return _get(con, job_id)

    def list_jobs(
        self, org_id: str, *, project_id: str | None = None, object_id: str | None = None, limit: int = 50
    ) -> list[Job]:
        query = f"SELECT {_COLUMNS} FROM jobs WHERE org_id = %s"
        params: list[Any] = [org_id]
        for column, value in (("project_id", project_id), ("object_id", object_id)):
            if value is not None:
                query += f" AND {column} = %s"  # one of the two fixed column names above
                params.append(value)
        query += " ORDER BY created DESC, id DESC LIMIT %s"
        params.append(int(limit))
        with connection(self._pool) as con:
            return [_job(r) for r in con.execute(query, params).fetchall()]

    def claim(self, worker: str, lease_s: float) -> Claim | None:
        with connection(self._pool) as con:
            # Idle workers of every server poll: a plain read first, no locks, no transaction.
            probe = f"SELECT 1 FROM job_chunks c JOIN jobs j ON j.id = c.job_id WHERE {_CLAIMABLE} LIMIT 1"
            if con.execute(probe).fetchone() is None:
                return None
            while True:
                with con.transaction():
                    found = con.execute(
                        f"""SELECT c.job_id, c.chunk, c.items, c.attempts
                            FROM job_chunks c JOIN jobs j ON j.id = c.job_id WHERE {_CLAIMABLE}
                            ORDER BY j.created, j.id, c.chunk LIMIT 1 FOR UPDATE OF c SKIP LOCKED"""
                    ).fetchone()
                    if found is None:
                        return None
                    job_id, chunk, raw, attempts = found
                    job = _get(con, job_id, lock=True)
                    assert job is not None
                    items: list[str] = orjson.loads(raw)
                    if attempts >= MAX_ATTEMPTS:  # it killed its worker every time: give it up
                        con.execute(
                            "UPDATE job_chunks SET state = 'done', items = NULL WHERE job_id = %s AND chunk = %s",
                            [job_id, chunk],
                        )
                        job.failed += len(items)
                        job.chunks_done += 1
                        _settle(job)
                        _save(con, job)
                        continue
                    if job.state not in ACTIVE_STATES:  # cancelled between the pick and the lock
                        continue
                    token = f"{worker}:{secrets.token_hex(8)}"
                    con.execute(
                        f"""UPDATE job_chunks SET state = 'leased', token = %s, lease_until = {_NOW} + %s,
                            attempts = attempts + 1 WHERE job_id = %s AND chunk = %s""",
                        [token, float(lease_s), job_id, chunk],
                    )
                    if job.state == "queued":
                        job.state = "running"
                        _save(con, job)
                    return Claim(job, chunk, items, token, attempts + 1)

    def renew(self, claim: Claim, lease_s: float) -> bool:
        with connection(self._pool) as con:
            found = con.execute(
                f"""UPDATE job_chunks SET lease_until = {_NOW} + %s
                    WHERE job_id = %s AND chunk = %s AND token = %s AND state = 'leased'
                    AND job_id IN (SELECT id FROM jobs WHERE state IN ('queued', 'running'))
                    RETURNING chunk""",
                [float(lease_s), claim.job.id, claim.chunk, claim.token],
            ).fetchone()
            return found is not None

    def finish(self, claim: Claim, done: int, failed: int) -> Job | None:
        with connection(self._pool) as con, con.transaction():
            found = con.execute(
                """UPDATE job_chunks SET state = 'done', items = NULL
                   WHERE job_id = %s AND chunk = %s AND token = %s AND state = 'leased' RETURNING chunk""",
                [claim.job.id, claim.chunk, claim.token],
            ).fetchone()
            if found is None:
                return None
            job = _get(con, claim.job.id, lock=True)
            assert job is not None
            job.done += done
            job.failed += failed
            job.chunks_done += 1
            _settle(job)
            return _save(con, job)

    def cancel(self, job_id: str) -> Job | None:
        with connection(self._pool) as con, con.transaction():
            job = _get(con, job_id, lock=True)
            if job is None or job.state not in ACTIVE_STATES:
                return job
            job.state, job.finished = "cancelled", utcnow().isoformat()
            return _save(con, job)

    def complete(
        self, job_id: str, *, result: dict[str, Any] | None = None, error: str | None = None
    ) -> Job | None:
        with connection(self._pool) as con, con.transaction():
            job = _get(con, job_id, lock=True)
            if job is None or job.state not in ACTIVE_STATES:
                return job
            job.state = "failed" if error is not None else "done"
            job.error, job.finished = error, utcnow().isoformat()
            if result is not None:
                job.result = result
            return _save(con, job)

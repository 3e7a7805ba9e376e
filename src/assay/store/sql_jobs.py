"""`JobStore` written once for every SQL backend: the claim/lease/finish logic and its statements.

The backends differ only in what `assay.store.sql_backend.SqlBackend` names, so the logic and the
statements (syntax trees, compiled once per dialect) are shared. Here that means:
- row locks: on PostgreSQL a claim picks its chunk `FOR UPDATE OF c SKIP LOCKED`, so two claims
  side by side each take a different chunk, and every change to a job's counts takes the job's
  row lock first (chunk first, then job: no deadlocks). On DuckDB the single writer serialises
  all changes, and the statements carry no locks;
- the lease clock: PostgreSQL's `clock_timestamp()`, so servers with skewed clocks agree; DuckDB
  runs in this process, so its clock is this machine's, passed as the `now` parameter.

A finished chunk keeps its row (its items dropped), so counts stay auditable.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

import orjson
from sqlglot import exp

from assay.model.objects import utcnow
from assay.store.codec import dumps_checked
from assay.store.jobs import ACTIVE_STATES, MAX_ATTEMPTS, Claim, Job
from assay.store.sql_backend import SqlBackend, Statement, Tx, compile_statement, parse

_COLUMNS = (
    "id, org_id, project_id, kind, state, created, updated, total, done, failed, chunks, chunks_done, doc"
)
_DOC_FIELDS = ("spec", "created_by", "error", "result", "finished")
_CLAIMABLE = """j.state IN ('queued', 'running')
    AND (c.state = 'pending' OR (c.state = 'leased' AND c.lease_until < :now))"""

# Each statement is written once, parsed into a tree, and compiled per dialect by `Statements`.
# Parameters are named (`:name`); `FOR UPDATE` is added only where the backend takes locks.
_TEXTS: dict[str, str] = {
    "insert_job": f"INSERT INTO jobs (object_id, {_COLUMNS}) VALUES (:object_id, :id, :org_id, :project_id, "
    ":kind, :state, :created, :updated, :total, 0, 0, :chunks, 0, :doc)",
    "insert_chunk": "INSERT INTO job_chunks VALUES (:job_id, :chunk, :items, 'pending', NULL, NULL, 0)",
    "get": f"SELECT {_COLUMNS} FROM jobs WHERE id = :id",
    "save": "UPDATE jobs SET state = :state, updated = :updated, total = :total, done = :done, failed = :failed, "
    "chunks = :chunks, chunks_done = :chunks_done, doc = :doc WHERE id = :id",
    "claimable": f"SELECT 1 FROM job_chunks c JOIN jobs j ON j.id = c.job_id WHERE {_CLAIMABLE} LIMIT 1",
    "pick": f"""SELECT c.job_id, c.chunk, c.items, c.attempts FROM job_chunks c JOIN jobs j ON j.id = c.job_id
        WHERE {_CLAIMABLE} ORDER BY j.created, j.id, c.chunk LIMIT 1""",
    "give_up": "UPDATE job_chunks SET state = 'done', items = NULL WHERE job_id = :job_id AND chunk = :chunk",
    "lease": """UPDATE job_chunks SET state = 'leased', token = :token, lease_until = :now + :lease,
        attempts = attempts + 1 WHERE job_id = :job_id AND chunk = :chunk""",
    "renew": """UPDATE job_chunks SET lease_until = :now + :lease
        WHERE job_id = :job_id AND chunk = :chunk AND token = :token AND state = 'leased'
        AND job_id IN (SELECT id FROM jobs WHERE state IN ('queued', 'running')) RETURNING chunk""",
    "finish": """UPDATE job_chunks SET state = 'done', items = NULL
        WHERE job_id = :job_id AND chunk = :chunk AND token = :token AND state = 'leased' RETURNING chunk""",
}
_LIST_FILTERS = ("project_id", "object_id")  # the columns `list_jobs` may narrow by


class Statements:
    """`_TEXTS` compiled for one backend, plus the locking and filtered variants."""

    def __init__(self, backend: SqlBackend) -> None:
        trees = {name: parse(text) for name, text in _TEXTS.items()}
        self._backend = backend
        self.by_name = {
            name: compile_statement(tree, backend.dialect, backend.clock) for name, tree in trees.items()
        }
        get, pick = trees["get"], trees["pick"]
        assert isinstance(get, exp.Select) and isinstance(pick, exp.Select)
        if backend.locks:
            get = get.lock(update=True)
            pick = pick.copy()
            pick.set("locks", [exp.Lock(update=True, expressions=[exp.to_table("c")], wait=False)])
        self.get_locked = compile_statement(get, backend.dialect, backend.clock)
        self.pick = compile_statement(pick, backend.dialect, backend.clock)
        self._lists: dict[tuple[str, ...], Statement] = {}

    def __getitem__(self, name: str) -> Statement:
        return self.by_name[name]

    def listing(self, filters: tuple[str, ...]) -> Statement:
        """The organization's jobs narrowed by the columns in `filters`, newest first."""
        if filters not in self._lists:
            where: exp.Expr = exp.column("org_id").eq(exp.Placeholder(this="org_id"))
            for column in filters:
                where = exp.and_(where, exp.column(column).eq(exp.Placeholder(this=column)))
            tree = (
                exp.select(*(c.strip() for c in _COLUMNS.split(",")))
                .from_("jobs")
                .where(where)
                .order_by(
                    exp.column("created").desc(nulls_first=True), exp.column("id").desc(nulls_first=True)
                )
                .limit(exp.Placeholder(this="limit"))
            )
            self._lists[filters] = compile_statement(tree, self._backend.dialect, self._backend.clock)
        return self._lists[filters]


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


def _settle(job: Job) -> None:
    if job.state == "running" and job.chunks_done >= job.chunks:
        job.state = "done"
        job.finished = utcnow().isoformat()


class _Retry:
    """A claim attempt that settled a given-up chunk or lost a race: look again."""


_RETRY = _Retry()


class SqlJobs:
    """`store.jobs` of a SQL store (see the module docstring for what the backends differ in)."""

    def __init__(self, backend: SqlBackend) -> None:
        self._backend = backend
        self._sql = Statements(backend)

    # -- statements ---------------------------------------------------------------------------
    def _run(self, tx: Tx, statement: Statement, **params: Any) -> list[tuple[Any, ...]]:
        params.setdefault("now", time.time())
        return tx.rows(statement.sql, statement.bind(params))

    def _get(self, tx: Tx, job_id: str, *, lock: bool = False) -> Job | None:
        found = self._run(tx, self._sql.get_locked if lock else self._sql["get"], id=job_id)
        return _job(found[0]) if found else None

    def _save(self, tx: Tx, job: Job) -> Job:
        job.updated = utcnow().isoformat()
        fields = ("id", "state", "updated", "total", "done", "failed", "chunks", "chunks_done")
        self._run(tx, self._sql["save"], doc=_doc(job), **{f: getattr(job, f) for f in fields})
        return job

    # -- JobStore -----------------------------------------------------------------------------
    def create(self, job: Job, items: list[str], chunk_size: int) -> Job:
        chunks = [items[i : i + chunk_size] for i in range(0, len(items), chunk_size)]
        job.total, job.chunks, job.chunks_done, job.done, job.failed = len(items), len(chunks), 0, 0, 0
        if not chunks:
            job.state, job.finished = "done", utcnow().isoformat()
        fields = ("id", "org_id", "project_id", "kind", "state", "created", "updated", "total", "chunks")
        row = {f: getattr(job, f) for f in fields} | {
            "object_id": job.spec.get("object_id"),
            "doc": _doc(job),
        }
        insert_chunk = self._sql["insert_chunk"]

        def run(tx: Tx) -> Job:
            self._run(tx, self._sql["insert_job"], **row)
            if chunks:
                tx.many(
                    insert_chunk.sql,
                    [
                        {"job_id": job.id, "chunk": n, "items": orjson.dumps(c).decode()}
                        for n, c in enumerate(chunks)
                    ],
                )
            return job

        return self._backend.write(run)

    def get(self, job_id: str) -> Job | None:
        return self._backend.read(lambda tx: self._get(tx, job_id))

    def list_jobs(
        self, org_id: str, *, project_id: str | None = None, object_id: str | None = None, limit: int = 50
    ) -> list[Job]:
        given = {"project_id": project_id, "object_id": object_id}
        filters = tuple(c for c in _LIST_FILTERS if given[c] is not None)
        statement = self._sql.listing(filters)
        params = {"org_id": org_id, "limit": int(limit)} | {c: given[c] for c in filters}
        return self._backend.read(lambda tx: [_job(r) for r in self._run(tx, statement, **params)])

    def claim(self, worker: str, lease_s: float) -> Claim | None:
        # Idle workers of every server poll: a plain read first (no locks; on DuckDB it never
        # wakes the writer, whose idle time refreshes trace summaries and checkpoints the log).
        if not self._backend.read(lambda tx: self._run(tx, self._sql["claimable"])):
            return None
        while True:
            found = self._backend.write(lambda tx: self._claim_once(tx, worker, lease_s))
            if not isinstance(found, _Retry):
                return found

    def _claim_once(self, tx: Tx, worker: str, lease_s: float) -> Claim | _Retry | None:
        picked = self._run(tx, self._sql.pick)
        if not picked:
            return None
        job_id, chunk, raw, attempts = picked[0]
        job = self._get(tx, job_id, lock=True)
        assert job is not None
        items: list[str] = orjson.loads(raw)
        if attempts >= MAX_ATTEMPTS:  # it killed its worker every time: give it up
            self._run(tx, self._sql["give_up"], job_id=job_id, chunk=chunk)
            job.failed += len(items)
            job.chunks_done += 1
            _settle(job)
            self._save(tx, job)
            return _RETRY
        if job.state not in ACTIVE_STATES:  # cancelled between the pick and the lock
            return _RETRY
        token = f"{worker}:{secrets.token_hex(8)}"
        self._run(tx, self._sql["lease"], token=token, lease=float(lease_s), job_id=job_id, chunk=chunk)
        if job.state == "queued":
            job.state = "running"
            self._save(tx, job)
        return Claim(job, chunk, items, token, attempts + 1)

    def renew(self, claim: Claim, lease_s: float) -> bool:
        ids = {"job_id": claim.job.id, "chunk": claim.chunk, "token": claim.token}
        return bool(
            self._backend.write(lambda tx: self._run(tx, self._sql["renew"], lease=float(lease_s), **ids))
        )

    def finish(self, claim: Claim, done: int, failed: int) -> Job | None:
        ids = {"job_id": claim.job.id, "chunk": claim.chunk, "token": claim.token}

        def run(tx: Tx) -> Job | None:
            if not self._run(tx, self._sql["finish"], **ids):
                return None  # the lease was lost: its new holder counts the chunk
            job = self._get(tx, claim.job.id, lock=True)
            assert job is not None
            job.done += done
            job.failed += failed
            job.chunks_done += 1
            _settle(job)
            return self._save(tx, job)

        return self._backend.write(run)

    def cancel(self, job_id: str) -> Job | None:
        def run(tx: Tx) -> Job | None:
            job = self._get(tx, job_id, lock=True)
            if job is None or job.state not in ACTIVE_STATES:
                return job
            job.state, job.finished = "cancelled", utcnow().isoformat()
            return self._save(tx, job)

        return self._backend.write(run)

    def complete(
        self, job_id: str, *, result: dict[str, Any] | None = None, error: str | None = None
    ) -> Job | None:
        def run(tx: Tx) -> Job | None:
            job = self._get(tx, job_id, lock=True)
            if job is None or job.state not in ACTIVE_STATES:
                return job
            job.state = "failed" if error is not None else "done"
            job.error, job.finished = error, utcnow().isoformat()
            if result is not None:
                job.result = result
            return self._save(tx, job)

        return self._backend.write(run)

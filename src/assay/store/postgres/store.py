"""`PostgresStore`: the Store interface on one PostgreSQL database, shared by many servers.

Nothing a request's answer depends on lives in the process: every write is one transaction
(`row_writes.py`: key locks, commit-ordered `_xact_id`s from the database), every read a pooled
connection reading committed data, and the trace summaries cache is refreshed by whichever
server reads it first, under locks held in the database (`summaries.py`). A background thread
of each server works through dirty traces when its server has had no writes for a moment; what
is done and what remains lives in the database, so any server may pick up any part of it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import psycopg
from sqlglot import exp

from assay.model.objects import ObjectKind, Organization
from assay.query.compile import Compiled
from assay.query.dialect import Dialect
from assay.query.errors import QueryError
from assay.store.base import (
    CaseValues,
    ExperimentComparison,
    FetchPage,
    Located,
    ObjectRef,
    ResultSet,
    TraceStats,
    WriteRequest,
    WriteResult,
)
from assay.store.duckdb import compare
from assay.store.postgres import catalog, copying, execute, row_reads, row_writes, summaries
from assay.store.postgres.compare import POSTGRES
from assay.store.postgres.connections import connection, open_pool
from assay.store.postgres.dialect import DIALECT
from assay.store.postgres.jobs import postgres_jobs
from assay.store.postgres.people import postgres_people
from assay.store.postgres.records import postgres_records
from assay.store.postgres.schema import migrate

POOL_SIZE = 16  # connections per server; each request holds one for one statement or transaction
IDLE_AFTER_S = 0.5  # background refresh starts once this server had no write for this long
IDLE_REFRESH_TRACES = 5_000  # trace summaries recomputed per background transaction
REFRESH_THREAD = "assay-refresh"  # the name of each open store's background thread
log = logging.getLogger("assay.store")


class PostgresStore:
    dialect: Dialect = DIALECT

    def __init__(self, url: str, *, pool_size: int = POOL_SIZE, background: bool = True) -> None:
        """`url`: `postgresql://user:password@host:port/database` (libpq's URI, any of its
        parameters). `background=False` leaves dirty trace summaries to readers alone."""
        self.url = url
        self._pool = open_pool(url, max_size=pool_size)
        with connection(self._pool) as con:
            migrate(con)
        self.jobs = postgres_jobs(self._pool)
        self.people = postgres_people(self._pool)
        self.records = postgres_records(self._pool)
        self._last_write = 0.0
        self._stop = threading.Event()
        self._refresher: threading.Thread | None = None
        if background:
            self._refresher = threading.Thread(
                target=self._refresh_when_idle, name=REFRESH_THREAD, daemon=True
            )
            self._refresher.start()

    def close(self) -> None:
        self._stop.set()
        if self._refresher is not None:
            self._refresher.join(timeout=30)
        self._pool.close()

    def change_count(self) -> None:
        return None  # other servers may share the database: nothing read is reused

    def shared_secret(self, name: str) -> bytes:
        with connection(self._pool) as con:
            return catalog.shared_secret(con, name)

    # -- copying (assay migrate) ----------------------------------------------------------
    def copy_count(self, table: str) -> int:
        with connection(self._pool) as con:
            return copying.count(con, table)

    def copy_out(self, table: str, *, batch: int) -> Iterator[list[tuple[Any, ...]]]:
        return copying.read(self._pool, table, batch)

    def copy_in(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        with connection(self._pool) as con:
            copying.write(con, table, rows)

    def copy_done(self) -> None:
        with connection(self._pool) as con:
            copying.rebuild(con)

    # -- organizations -----------------------------------------------------------------
    def ensure_org(self, name: str) -> Organization:
        with connection(self._pool) as con, con.transaction():
            return catalog.ensure_org(con, name)

    def get_org(self, org_id: str) -> Organization | None:
        with connection(self._pool) as con:
            return catalog.get_org(con, org_id)

    def list_orgs(self) -> list[Organization]:
        with connection(self._pool) as con:
            return catalog.list_orgs(con)

    # -- catalog objects ------------------------------------------------------------------
    def create_object(
        self, kind: ObjectKind, doc: dict[str, Any], *, if_exists: str = "return"
    ) -> tuple[dict[str, Any], bool]:
        org_id = doc["org_id"] if kind == "project" else self.object_org(doc["project_id"])
        if org_id is None:
            raise ValueError(f"unknown project {doc.get('project_id')}")
        with connection(self._pool) as con, con.transaction():
            return catalog.create_object(con, kind, org_id, doc, if_exists)

    def object_org(self, object_id: str) -> str | None:
        with connection(self._pool) as con:
            return catalog.object_org(con, object_id)

    def locate(self, kind: ObjectKind, object_id: str) -> Located | None:
        with connection(self._pool) as con:
            found = catalog.locate(con, kind, object_id)
        return Located(*found) if found else None

    def get_object(self, kind: ObjectKind, object_id: str) -> dict[str, Any] | None:
        with connection(self._pool) as con:
            return catalog.get_object(con, kind, object_id)

    def list_objects(
        self,
        kind: ObjectKind,
        *,
        org_id: str | None = None,
        project_id: str | None = None,
        name: str | None = None,
        ids: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        with connection(self._pool) as con:
            return catalog.list_objects(con, kind, org_id, project_id, name, ids)

    def update_object(self, kind: ObjectKind, doc: dict[str, Any]) -> dict[str, Any]:
        with connection(self._pool) as con, con.transaction():
            return catalog.update_object(con, kind, doc)

    # -- rows -----------------------------------------------------------------------------
    def write(self, request: WriteRequest) -> WriteResult:
        self._last_write = time.monotonic()
        with connection(self._pool) as con, con.transaction():
            result = row_writes.apply(con, [request])[0]
        self._last_write = time.monotonic()
        return result

    def fetch(
        self,
        ref: ObjectRef,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        version: int | None = None,
    ) -> FetchPage:
        with connection(self._pool) as con:
            org_id = catalog.object_org(con, ref.object_id) if ref.object_type == "project_logs" else None
            # One snapshot for the page and its comments.
            with con.transaction():
                con.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                return row_reads.fetch(con, ref, org_id, limit, cursor, version)

    def attach_comments(self, object_type: str, events: list[dict[str, Any]]) -> None:
        id_field = {"experiment": "experiment_id", "dataset": "dataset_id"}.get(object_type, "project_id")
        by_object: dict[str, list[dict[str, Any]]] = {}
        for event in events:
            by_object.setdefault(event[id_field], []).append(event)
        with connection(self._pool) as con:
            for object_id, group in by_object.items():
                row_reads.attach_comments(con, ObjectRef(object_type, object_id), group, None)

    def max_xact_id(self, ref: ObjectRef) -> str | None:
        with connection(self._pool) as con:
            found = row_reads.max_xact(con, ref)
        return None if found is None else f"{found:019d}"

    def count_rows(self, ref: ObjectRef, *, roots_only: bool = False) -> int:
        with connection(self._pool) as con:
            return row_reads.count_rows(con, ref, roots_only)

    # -- summaries and queries ------------------------------------------------------------
    def refresh_summaries(self, object_type: str, object_ids: Sequence[str]) -> None:
        """Bring the stored summaries of these objects up to date with every committed write."""
        with connection(self._pool) as con:
            if summaries.needs_refresh(con, object_type, object_ids):
                summaries.refresh(con, object_type, object_ids)

    def trace_stats(self, ref: ObjectRef) -> TraceStats:
        self.refresh_summaries(ref.object_type, [ref.object_id])
        with connection(self._pool) as con:
            return row_reads.trace_stats(con, ref)

    def compare_experiments(
        self,
        base: ObjectRef,
        others: Sequence[ObjectRef],
        *,
        key: Sequence[exp.Expr] | None = None,
        metrics: Sequence[str] = (),
        where: exp.Expr | None = None,
        formulas: Mapping[str, exp.Expr] | None = None,
    ) -> dict[str, ExperimentComparison]:
        self.refresh_summaries(base.object_type, [base.object_id, *(o.object_id for o in others)])
        run = self._run if where is None and not formulas else self._run_user
        return compare.compare_experiments(run, POSTGRES, base, others, key, metrics, where, formulas)

    def test_cases(
        self,
        refs: Sequence[ObjectRef],
        keys: Sequence[str],
        *,
        key: Sequence[exp.Expr] | None = None,
        scores: Sequence[str] = (),
        metrics: Sequence[str] = (),
    ) -> dict[tuple[str, str], CaseValues]:
        if refs:
            self.refresh_summaries(refs[0].object_type, [r.object_id for r in refs])
        return compare.test_cases(self._run, POSTGRES, refs, keys, key, scores, metrics)

    def score_names(self, refs: Sequence[ObjectRef]) -> list[str]:
        if not refs:
            return []
        self.refresh_summaries(refs[0].object_type, [r.object_id for r in refs])
        return compare.score_names(self._run, POSTGRES, refs)

    def score_histograms(
        self, refs: Sequence[ObjectRef], bins: int, where: exp.Expr | None = None
    ) -> dict[str, dict[str, list[int]]]:
        if refs:
            self.refresh_summaries(refs[0].object_type, [r.object_id for r in refs])
        run = self._run if where is None else self._run_user
        return compare.score_histograms(run, POSTGRES, refs, bins, where)

    def _run(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """One statement of the comparison trees (no parameters: values are literals in the tree)."""
        with connection(self._pool) as con:
            cur = con.execute(sql)  # no parameters, so psycopg leaves `%` in literals alone
            return [d.name for d in cur.description or []], cur.fetchall()

    def _run_user(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """`_run` for a statement holding a user's expressions: their failure is a 400."""
        try:
            return self._run(sql)
        except (psycopg.errors.OperationalError, psycopg.errors.InterfaceError):
            raise  # the connection, not the statement
        except psycopg.Error as exc:
            raise QueryError(f"the comparison's filter failed: {str(exc).strip().splitlines()[0]}") from None

    def execute(self, compiled: Compiled, *, timeout: float, memory: int) -> ResultSet:
        source = compiled.source
        if source.shape == "summary":
            self.refresh_summaries(source.object_type, [*source.object_ids, *source.compare_ids])
        return execute.run(lambda: connection(self._pool), compiled, timeout=timeout, memory=memory)

    # -- background -----------------------------------------------------------------------
    def _refresh_when_idle(self) -> None:
        """Work through dirty trace summaries while this server is not writing."""
        while not self._stop.wait(IDLE_AFTER_S):
            if time.monotonic() - self._last_write < IDLE_AFTER_S:
                continue
            try:
                with connection(self._pool) as con:
                    while not self._stop.is_set() and time.monotonic() - self._last_write >= IDLE_AFTER_S:
                        if not summaries.refresh_some(con, IDLE_REFRESH_TRACES):
                            break
            except Exception:
                log.exception("background summary refresh failed; it is retried")

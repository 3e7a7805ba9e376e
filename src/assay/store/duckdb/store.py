"""`DuckDBStore`: the Store interface on one DuckDB file.

One read-write connection belongs to the writer thread (see `writer.py`); readers use cursors of
the same database instance, one per thread, so reads never block on writes and always see
committed data. Never open the same file from two processes.

The store heals itself (`lifecycle.py`): a read that finds the database invalidated asks the
writer to reopen it and fails with a 503, and the requests after it run on the reopened file.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, ParamSpec, TypeVar

import duckdb
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
from assay.store.duckdb import cases, catalog, compare, copying, execute, row_reads, summaries
from assay.store.duckdb.dialect import DIALECT
from assay.store.duckdb.health import is_disk_full, is_fatal, store_error
from assay.store.duckdb.jobs import duckdb_jobs
from assay.store.duckdb.lifecycle import Database
from assay.store.duckdb.people import duckdb_people
from assay.store.duckdb.prepared import prepare
from assay.store.duckdb.read_ahead import ReadAhead
from assay.store.duckdb.records import duckdb_records
from assay.store.duckdb.row_writes import RowWriter
from assay.store.duckdb.writer import Batched, WriterThread

IDLE_REFRESH_TRACES = 5_000  # trace summaries recomputed per slice (~0.1 s: a write waits at most that)
READ_AHEAD_MAX_CHARS = 64 * 2**20  # a fetch page's text up to which the next one is read ahead
FIRST_XACT = 10**18  # 19-digit ids: lexicographic order equals numeric order


P = ParamSpec("P")
T = TypeVar("T")


def _heal(store: DuckDBStore, method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    generation = store._db.generation
    try:
        return method(*args, **kwargs)
    except duckdb.Error as exc:
        reopened = store._db.generation != generation
        if not (
            is_fatal(exc) or is_disk_full(exc) or reopened or isinstance(exc, duckdb.ConnectionException)
        ):
            raise
        if is_fatal(exc):
            store._writer.recover(generation)
        raise store_error(exc, store._db.data_dir) from None


def healing(method: Callable[P, T]) -> Callable[P, T]:
    """A store method whose DuckDB failures heal the store: an invalidated database (or a cursor
    closed by its reopening) is reopened by the writer, and the call fails with a 503 (507 for a
    full disk) instead of a 500; the next call runs on the reopened database."""

    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> T:
        return _heal(args[0], method, *args, **kwargs)  # type: ignore[arg-type]

    return call


def path_of(url: str) -> str:
    rest = url[len("duckdb://") :]
    if rest in ("", ":memory:", "/:memory:"):
        return ":memory:"
    if not rest.startswith("/"):
        raise ValueError(f"duckdb URL needs an absolute path (duckdb:///abs/file.duckdb), got {url!r}")
    return rest


class DuckDBStore:
    dialect: Dialect = DIALECT

    def __init__(
        self,
        url: str,
        *,
        memory_bytes: int | None = None,
        temp_bytes: int | None = None,
        disk_reserve: int = 0,
    ) -> None:
        """`memory_bytes` caps DuckDB's memory for everything (queries and writes); past it,
        work spills to a temporary directory beside the database, up to `temp_bytes`. Writes
        are refused (507) when the disk has less than `disk_reserve` bytes free beyond the WAL."""
        self.url = url
        config: dict[str, str | bool | int | float | list[str]] = {}
        if memory_bytes is not None:
            config["memory_limit"] = f"{int(memory_bytes)}B"
        if temp_bytes is not None:
            config["max_temp_directory_size"] = f"{int(temp_bytes)}B"
        self._db = Database(path_of(url), config=config, disk_reserve=disk_reserve)
        # Comment-only requests take an `_xact_id` without an event, so both tables count.
        found = self._db.con.execute(
            "SELECT greatest((SELECT max(xact_id) FROM events), (SELECT max(_xact_id) FROM comments))"
        ).fetchone()
        last = (found[0] if found else None) or 0
        self._rows = RowWriter(max(last, FIRST_XACT))
        self._writer = WriterThread(
            self._db, idle=lambda con: summaries.refresh_some(con, IDLE_REFRESH_TRACES)
        )
        self._read_ahead = ReadAhead(lambda: (self._writer.commit_count, self._writer.change_count))
        self._closed = False
        self.jobs = duckdb_jobs(self._read_with, self._write_with)
        self.records = duckdb_records(self._read_with, self._write_with)
        self.people = duckdb_people(self._read_with, self._write_with)

    # -- plumbing -------------------------------------------------------------------------
    def _reader(self) -> duckdb.DuckDBPyConnection:
        return self._db.reader()

    @healing
    def _read_with(self, fn: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """Run `fn` on this thread's reader cursor (for the parts of the store: jobs, records, people)."""
        return fn(self._reader())

    @healing
    def _write_with(self, fn: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """Run `fn` in a transaction of the writer thread; its result once committed."""
        result: T = self._writer.submit(fn)
        return result

    def change_count(self) -> int:
        return self._writer.change_count  # every write goes through this process's writer

    def shared_secret(self, name: str) -> bytes | None:
        return None  # one process per file: its secrets live beside the file (services/signing.py)

    # -- copying (assay migrate) ----------------------------------------------------------
    @healing
    def copy_count(self, table: str) -> int:
        return copying.count(self._reader(), table)

    def copy_out(self, table: str, *, batch: int) -> Iterator[list[tuple[Any, ...]]]:
        return copying.read(self._reader(), table, batch)

    def copy_in(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self._write_with(lambda con: copying.write(con, table, rows))

    def copy_done(self) -> None:
        def run(con: duckdb.DuckDBPyConnection) -> None:
            self._rows.last_xact = max(self._rows.last_xact, copying.rebuild(con))
            self._rows.known.forget()  # rows came in behind the writer's filter of known keys

        self._write_with(run)

    def close(self) -> None:
        """Finish pending writes, checkpoint the WAL into the file and close (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._read_ahead.close()
        self._writer.close()
        self._db.close()

    # -- organizations --------------------------------------------------------------------
    @healing
    def ensure_org(self, name: str) -> Organization:
        found = self._reader().execute("SELECT id, name, created FROM orgs WHERE name = ?", [name]).fetchone()
        if found:
            return Organization(id=found[0], name=found[1], created=found[2])
        org: Organization = self._writer.submit(lambda con: catalog.ensure_org(con, name))
        return org

    @healing
    def get_org(self, org_id: str) -> Organization | None:
        found = self._reader().execute("SELECT id, name, created FROM orgs WHERE id = ?", [org_id]).fetchone()
        return Organization(id=found[0], name=found[1], created=found[2]) if found else None

    @healing
    def list_orgs(self) -> list[Organization]:
        rows = self._reader().execute("SELECT id, name, created FROM orgs ORDER BY created").fetchall()
        return [Organization(id=r[0], name=r[1], created=r[2]) for r in rows]

    # -- catalog objects ------------------------------------------------------------------
    @healing
    def create_object(
        self, kind: ObjectKind, doc: dict[str, Any], *, if_exists: str = "return"
    ) -> tuple[dict[str, Any], bool]:
        org_id = doc["org_id"] if kind == "project" else self.object_org(doc["project_id"])
        if org_id is None:
            raise ValueError(f"unknown project {doc.get('project_id')}")
        result: tuple[dict[str, Any], bool] = self._writer.submit(
            lambda con: catalog.create_object(con, kind, org_id, doc, if_exists)
        )
        return result

    @healing
    def object_org(self, object_id: str) -> str | None:
        """The organization owning a catalog object (used by authorization)."""
        return catalog.object_org(self._reader(), object_id)

    @healing
    def locate(self, kind: ObjectKind, object_id: str) -> Located | None:
        found = catalog.locate(self._reader(), kind, object_id)
        return Located(*found) if found else None

    @healing
    def get_object(self, kind: ObjectKind, object_id: str) -> dict[str, Any] | None:
        return catalog.get_object(self._reader(), kind, object_id)

    @healing
    def list_objects(
        self,
        kind: ObjectKind,
        *,
        org_id: str | None = None,
        project_id: str | None = None,
        name: str | None = None,
        ids: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        return catalog.list_objects(self._reader(), kind, org_id, project_id, name, ids)

    @healing
    def update_object(self, kind: ObjectKind, doc: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._writer.submit(lambda con: catalog.update_object(con, kind, doc))
        return result

    # -- rows -----------------------------------------------------------------------------
    @healing
    def write(self, request: WriteRequest) -> WriteResult:
        # Encoded here, in the caller's thread, so the writer thread does little more than DuckDB;
        # announced first, so a commit group forming meanwhile waits for it (see `writer.py`).
        self._writer.announce()
        try:
            prepared = prepare(request)
        except BaseException:
            self._writer.withdraw()
            raise
        result: WriteResult = self._writer.submit(
            Batched(self._rows.apply, (request, prepared)), announced=True
        )
        return result

    @healing
    def fetch(
        self,
        ref: ObjectRef,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        version: int | None = None,
    ) -> FetchPage:
        if version is not None:
            return self._fetch_page(ref, limit, cursor, version)
        page = self._read_ahead.take((ref, limit, cursor)) or self._fetch_page(ref, limit, cursor, None)
        following = page.cursor
        # The client is likely to ask for the next page (see `read_ahead`); a page too large to
        # hold twice is not read ahead.
        if following is not None and sum(map(len, page.documents)) <= READ_AHEAD_MAX_CHARS:
            self._read_ahead.start(
                (ref, limit, following), lambda: self._fetch_page(ref, limit, following, None)
            )
        return page

    def _fetch_page(
        self, ref: ObjectRef, limit: int | None, cursor: str | None, version: int | None
    ) -> FetchPage:
        org_id = self.object_org(ref.object_id) if ref.object_type == "project_logs" else None
        return row_reads.fetch(self._reader(), ref, org_id, limit, cursor, version)

    @healing
    def attach_comments(self, object_type: str, events: list[dict[str, Any]]) -> None:
        id_field = {"experiment": "experiment_id", "dataset": "dataset_id"}.get(object_type, "project_id")
        by_object: dict[str, list[dict[str, Any]]] = {}
        for event in events:
            by_object.setdefault(event[id_field], []).append(event)
        for object_id, group in by_object.items():
            row_reads.attach_comments(self._reader(), ObjectRef(object_type, object_id), group, None)

    @healing
    def max_xact_id(self, ref: ObjectRef) -> str | None:
        found = row_reads.max_xact(self._reader(), ref)
        return None if found is None else f"{found:019d}"

    @healing
    def count_rows(self, ref: ObjectRef, *, roots_only: bool = False) -> int:
        return row_reads.count_rows(self._reader(), ref, roots_only)

    @healing
    def refresh_summaries(self, object_type: str, object_ids: Sequence[str]) -> None:
        if summaries.needs_refresh(self._reader(), object_type, object_ids):
            self._writer.submit(lambda con: summaries.refresh(con, object_type, object_ids))

    @healing
    def trace_stats(self, ref: ObjectRef) -> TraceStats:
        self.refresh_summaries(ref.object_type, [ref.object_id])
        return row_reads.trace_stats(self._reader(), ref)

    @healing
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
        ids = list(dict.fromkeys([base.object_id, *(o.object_id for o in others)]))
        self.refresh_summaries(base.object_type, ids)
        if key is None and where is None and not formulas:
            found = self._compare_cases(base.object_type, ids, metrics)
            if found is not None:
                return found
        run = self._run if where is None and not formulas else self._run_user
        return compare.compare_experiments(run, compare.DUCKDB, base, others, key, metrics, where, formulas)

    def _compare_cases(
        self, object_type: str, ids: list[str], metrics: Sequence[str]
    ) -> dict[str, ExperimentComparison] | None:
        """The comparison over the objects' stored test cases (`cases`), built first where missing;
        None if builds kept changing under it (the caller then groups the traces itself)."""
        for _ in range(3):
            built = self._built_cases(object_type, ids)
            if len(built) < len(set(ids)):
                continue  # a refresh forgot some meanwhile
            found = cases.compare_experiments(self._run, object_type, ids[0], ids, metrics, built)
            if found is not None:
                return found
        return None

    def _built_cases(self, object_type: str, ids: Sequence[str]) -> dict[str, cases.Build]:
        """The objects' stored test cases, building those that are missing (on the writer)."""
        built = cases.builds(self._reader(), object_type, ids)
        missing = [i for i in dict.fromkeys(ids) if i not in built]
        if not missing:
            return built
        self._writer.submit(functools.partial(cases.build, object_type=object_type, object_ids=missing))
        return cases.builds(self._reader(), object_type, ids)

    def _run(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        cur = self._reader().execute(sql)
        return [d[0] for d in cur.description or []], cur.fetchall()

    def _run_user(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """`_run` for a statement holding a user's expressions: their failure is a 400."""
        try:
            return self._run(sql)
        except duckdb.Error as exc:
            if is_fatal(exc) or is_disk_full(exc) or isinstance(exc, duckdb.ConnectionException):
                raise
            raise QueryError(f"the comparison's filter failed: {str(exc).strip().splitlines()[0]}") from None

    @healing
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
        return compare.test_cases(self._run, compare.DUCKDB, refs, keys, key, scores, metrics)

    @healing
    def score_names(self, refs: Sequence[ObjectRef]) -> list[str]:
        if not refs:
            return []
        self.refresh_summaries(refs[0].object_type, [r.object_id for r in refs])
        return compare.score_names(self._run, compare.DUCKDB, refs)

    @healing
    def score_histograms(
        self, refs: Sequence[ObjectRef], bins: int, where: exp.Expr | None = None
    ) -> dict[str, dict[str, list[int]]]:
        if refs:
            self.refresh_summaries(refs[0].object_type, [r.object_id for r in refs])
        run = self._run if where is None else self._run_user
        return compare.score_histograms(run, compare.DUCKDB, refs, bins, where)

    @healing
    def execute(self, compiled: Compiled, *, timeout: float, memory: int) -> ResultSet:
        source = compiled.source
        if source.shape == "summary":
            ids = [*source.object_ids, *source.compare_ids]
            self.refresh_summaries(source.object_type, ids)
            if source.compare_ids and source.comparison_key is None:
                self._built_cases(source.object_type, source.compare_ids)  # `compare =>` reads them
        return execute.run(lambda: self._reader().cursor(), compiled, timeout=timeout, memory=memory)

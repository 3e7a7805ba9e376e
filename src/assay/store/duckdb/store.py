"""`DuckDBStore`: the Store interface on one DuckDB file.

One read-write connection belongs to the writer thread (see `writer.py`); readers use cursors of
the same database instance, one per thread, so reads never block on writes and always see
committed data. Never open the same file from two processes.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from assay.model.objects import ApiKey, ObjectKind, Organization
from assay.query.compile import Compiled
from assay.query.dialect import Dialect
from assay.store.base import (
    Comparison,
    FetchPage,
    Located,
    ObjectRef,
    ResultSet,
    StoreUnavailable,
    TraceStats,
    WriteRequest,
    WriteResult,
)
from assay.store.duckdb import catalog, execute, row_reads, summaries
from assay.store.duckdb.dialect import DIALECT
from assay.store.duckdb.row_writes import RowWriter
from assay.store.duckdb.schema import migrate
from assay.store.duckdb.writer import Batched, WriterThread

IDLE_REFRESH_TRACES = 20_000  # trace summaries recomputed per idle slice (~0.25 s on 2 cores)
FIRST_XACT = 10**18  # 19-digit ids: lexicographic order equals numeric order


def path_of(url: str) -> str:
    rest = url[len("duckdb://") :]
    if rest in ("", ":memory:", "/:memory:"):
        return ":memory:"
    if not rest.startswith("/"):
        raise ValueError(f"duckdb URL needs an absolute path (duckdb:///abs/file.duckdb), got {url!r}")
    return rest


class DuckDBStore:
    dialect: Dialect = DIALECT

    def __init__(self, url: str, *, memory_bytes: int | None = None, temp_bytes: int | None = None) -> None:
        """`memory_bytes` caps DuckDB's memory for everything (queries and writes); past it,
        work spills to a temporary directory beside the database, up to `temp_bytes`."""
        self.url = url
        path = path_of(url)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        config: dict[str, str | bool | int | float | list[str]] = {}
        if memory_bytes is not None:
            config["memory_limit"] = f"{int(memory_bytes)}B"
        if temp_bytes is not None:
            config["max_temp_directory_size"] = f"{int(temp_bytes)}B"
        try:
            self._con = duckdb.connect(path, config=config)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            raise StoreUnavailable(
                f"the database {path} is in use by another process (one process at a time: is "
                "`assay serve` running on it? stop it first, or use another --data-dir)"
            ) from None
        migrate(self._con)
        # Comment-only requests take an `_xact_id` without an event, so both tables count.
        found = self._con.execute(
            "SELECT greatest((SELECT max(xact_id) FROM events), (SELECT max(_xact_id) FROM comments))"
        ).fetchone()
        last = (found[0] if found else None) or 0
        self._rows = RowWriter(max(last, FIRST_XACT))
        self._local = threading.local()
        self._readers: list[duckdb.DuckDBPyConnection] = []
        self._lock = threading.Lock()
        self._writer = WriterThread(
            self._con, idle=lambda con: summaries.refresh_some(con, IDLE_REFRESH_TRACES)
        )

    # -- plumbing -------------------------------------------------------------------------
    def _reader(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cur", None)
        if cur is None:
            with self._lock:
                cur = self._con.cursor()
                self._readers.append(cur)
            self._local.cur = cur
        return cur

    def close(self) -> None:
        self._writer.close()
        with self._lock:
            for cur in self._readers:
                cur.close()
            self._readers.clear()
        self._con.execute("CHECKPOINT")
        self._con.close()

    # -- organizations and keys -----------------------------------------------------------
    def ensure_org(self, name: str) -> Organization:
        found = self._reader().execute("SELECT id, name, created FROM orgs WHERE name = ?", [name]).fetchone()
        if found:
            return Organization(id=found[0], name=found[1], created=found[2])
        org: Organization = self._writer.submit(lambda con: catalog.ensure_org(con, name))
        return org

    def get_org(self, org_id: str) -> Organization | None:
        found = self._reader().execute("SELECT id, name, created FROM orgs WHERE id = ?", [org_id]).fetchone()
        return Organization(id=found[0], name=found[1], created=found[2]) if found else None

    def list_orgs(self) -> list[Organization]:
        rows = self._reader().execute("SELECT id, name, created FROM orgs ORDER BY created").fetchall()
        return [Organization(id=r[0], name=r[1], created=r[2]) for r in rows]

    def add_api_key(self, org_id: str, name: str, key_hash: str) -> ApiKey:
        key: ApiKey = self._writer.submit(lambda con: catalog.add_api_key(con, org_id, name, key_hash))
        return key

    def find_api_key(self, key_hash: str) -> ApiKey | None:
        found = (
            self._reader()
            .execute(
                "SELECT id, org_id, name, key_hash, created FROM api_keys WHERE key_hash = ?", [key_hash]
            )
            .fetchone()
        )
        if not found:
            return None
        return ApiKey(id=found[0], org_id=found[1], name=found[2], key_hash=found[3], created=found[4])

    # -- catalog objects ------------------------------------------------------------------
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

    def object_org(self, object_id: str) -> str | None:
        """The organization owning a catalog object (used by authorization)."""
        return catalog.object_org(self._reader(), object_id)

    def locate(self, kind: ObjectKind, object_id: str) -> Located | None:
        found = catalog.locate(self._reader(), kind, object_id)
        return Located(*found) if found else None

    def get_object(self, kind: ObjectKind, object_id: str) -> dict[str, Any] | None:
        return catalog.get_object(self._reader(), kind, object_id)

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

    def update_object(self, kind: ObjectKind, doc: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._writer.submit(lambda con: catalog.update_object(con, kind, doc))
        return result

    # -- rows -----------------------------------------------------------------------------
    def write(self, request: WriteRequest) -> WriteResult:
        result: WriteResult = self._writer.submit(Batched(self._rows.apply, request))
        return result

    def fetch(
        self,
        ref: ObjectRef,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        version: int | None = None,
    ) -> FetchPage:
        org_id = self.object_org(ref.object_id) if ref.object_type == "project_logs" else None
        return row_reads.fetch(self._reader(), ref, org_id, limit, cursor, version)

    def attach_comments(self, object_type: str, events: list[dict[str, Any]]) -> None:
        id_field = {"experiment": "experiment_id", "dataset": "dataset_id"}.get(object_type, "project_id")
        by_object: dict[str, list[dict[str, Any]]] = {}
        for event in events:
            by_object.setdefault(event[id_field], []).append(event)
        for object_id, group in by_object.items():
            row_reads.attach_comments(self._reader(), ObjectRef(object_type, object_id), group, None)

    def max_xact_id(self, ref: ObjectRef) -> str | None:
        found = row_reads.max_xact(self._reader(), ref)
        return None if found is None else f"{found:019d}"

    def count_rows(self, ref: ObjectRef, *, roots_only: bool = False) -> int:
        return row_reads.count_rows(self._reader(), ref, roots_only)

    def refresh_summaries(self, object_type: str, object_ids: Sequence[str]) -> None:
        if summaries.needs_refresh(self._reader(), object_type, object_ids):
            self._writer.submit(lambda con: summaries.refresh(con, object_type, object_ids))

    def trace_stats(self, ref: ObjectRef) -> TraceStats:
        self.refresh_summaries(ref.object_type, [ref.object_id])
        return row_reads.trace_stats(self._reader(), ref)

    def compare(self, ref: ObjectRef, base: ObjectRef) -> Comparison:
        self.refresh_summaries(ref.object_type, [ref.object_id])
        self.refresh_summaries(base.object_type, [base.object_id])
        return row_reads.compare(self._reader(), ref, base)

    def execute(self, compiled: Compiled, *, timeout: float, memory: int) -> ResultSet:
        source = compiled.source
        if source.shape == "summary":
            ids = [*source.object_ids, *filter(None, [source.compare_id])]
            self.refresh_summaries(source.object_type, ids)
        return execute.run(lambda: self._reader().cursor(), compiled, timeout=timeout, memory=memory)

"""Trace summaries, materialised: one stored row per trace, refreshed lazily.

Scores averaged over a trace's spans, metrics aggregated over it, preview fields from its root:
every summary, comparison, group-by and `summary`-shape query reads these. Computing them from
the spans on each read costs a full aggregation of the object (hundreds of milliseconds at
100,000 traces); reading stored rows costs a scan of one row per trace.

The writer marks each trace it changes in `dirty_traces` (same transaction as the rows). Before
any read of summaries, `refresh` recomputes exactly the dirty traces of the objects read, with
`trace_summary_sql` — the one definition of a trace summary — and clears their marks. When writes
pause, the writer thread also works through the marks in slices (`refresh_some`), so a page opened
after a large ingest rarely has to wait for it. The table
is a cache: when `SUMMARY_VERSION` changes it is rebuilt from the spans on open.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import duckdb

from assay.store.duckdb.arrow import sql_literal
from assay.store.duckdb.traces import trace_summary_sql

SUMMARY_VERSION = 3  # bump when trace_summary_sql's output changes (2: stand-in roots, 3: classifier errors)


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create (or rebuild, if its definition changed) the summaries table; run in a transaction."""
    found = con.execute("SELECT version FROM cache_versions WHERE name = 'trace_summaries'").fetchone()
    if found and found[0] == SUMMARY_VERSION:
        return
    con.execute("DROP TABLE IF EXISTS trace_summaries")
    con.execute(f"CREATE TABLE trace_summaries AS {trace_summary_sql('SELECT * FROM rows WHERE false')}")
    con.execute("DELETE FROM dirty_traces")
    con.execute("INSERT INTO dirty_traces SELECT DISTINCT object_type, object_id, root_span_id FROM rows")
    con.execute("INSERT OR REPLACE INTO cache_versions VALUES ('trace_summaries', ?)", [SUMMARY_VERSION])


def _objects(object_type: str, object_ids: Sequence[str], table: str = "") -> str:
    ids = ", ".join(sql_literal(i) for i in object_ids) or "NULL"
    at = f"{table}." if table else ""
    return f"{at}object_type = {sql_literal(object_type)} AND {at}object_id IN ({ids})"


def needs_refresh(con: duckdb.DuckDBPyConnection, object_type: str, object_ids: Sequence[str]) -> bool:
    return (
        con.execute(
            f"SELECT 1 FROM dirty_traces WHERE {_objects(object_type, object_ids)} LIMIT 1"
        ).fetchone()
        is not None
    )


def refresh(con: duckdb.DuckDBPyConnection, object_type: str, object_ids: Sequence[str]) -> None:
    """Recompute the dirty traces of these objects (writer thread, inside its transaction)."""
    where = _objects(object_type, object_ids)
    _recompute(
        con,
        f"SELECT DISTINCT object_type, object_id, root_span_id FROM dirty_traces WHERE {where}",
        spans_where=_objects(object_type, object_ids, "rows"),
    )


def refresh_some(con: duckdb.DuckDBPyConnection, limit: int) -> bool:
    """Idle-time work: recompute up to `limit` dirty traces of any objects, so that the first read
    after a large ingest finds little left to do. Returns whether dirty traces remain."""
    _recompute(
        con, f"SELECT DISTINCT object_type, object_id, root_span_id FROM dirty_traces LIMIT {int(limit)}"
    )
    return con.execute("SELECT 1 FROM dirty_traces LIMIT 1").fetchone() is not None


def _recompute(con: duckdb.DuckDBPyConnection, dirty: str, spans_where: str = "true") -> None:
    """Replace the summaries of the traces selected by `dirty` and clear their marks.
    `spans_where` narrows the scan of `rows` when the objects are known."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _assay_dirty AS {dirty}")
    try:
        con.execute(
            """DELETE FROM trace_summaries t USING _assay_dirty d
               WHERE t.object_id = d.object_id AND t.root_span_id = d.root_span_id"""
        )
        spans = (
            "SELECT * FROM rows SEMI JOIN _assay_dirty USING (object_type, object_id, root_span_id) "
            f"WHERE {spans_where}"
        )
        con.execute(f"INSERT INTO trace_summaries {trace_summary_sql(spans)}")
        con.execute(
            """DELETE FROM dirty_traces t USING _assay_dirty d
               WHERE t.object_type = d.object_type AND t.object_id = d.object_id
               AND t.root_span_id = d.root_span_id"""
        )
    finally:
        _drop_dirty(con)


def _drop_dirty(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the work table (from `finally`). When an error is already on its way out (out of
    memory, an invalidated database), the transaction is aborted and the drop fails too; that
    second error ("transaction is aborted") must not replace the first, which tells the store to
    heal and the client what happened."""
    failing = sys.exc_info()[1] is not None
    try:
        con.execute("DROP TABLE IF EXISTS _assay_dirty")
    except duckdb.Error:
        if not failing:
            raise


def summaries_sql(object_type: str, object_ids: Sequence[str]) -> str:
    """The stored summaries of these objects (call `refresh` first)."""
    return f"SELECT * FROM trace_summaries WHERE {_objects(object_type, object_ids)}"

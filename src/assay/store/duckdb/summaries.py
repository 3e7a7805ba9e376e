"""Trace summaries, materialised: one stored row per trace, kept fresh by the writer.

Scores averaged over a trace's spans, metrics aggregated over it, preview fields from its root:
every summary, comparison, group-by and `summary`-shape query reads these. Computing them from
the spans on each read costs a full aggregation of the object (seconds at 100,000 traces);
reading stored rows costs a scan of one row per trace.

The writer marks each trace it changes in `dirty_traces`, with the `_xact_id` of the change, in
the same transaction as the rows. Before any read of summaries, `refresh` recomputes exactly the
dirty traces of the objects read (`traces.compute`, the one definition of a trace summary) and
clears their marks. While writes go on, and when they pause, the writer thread also works
through the marks in slices (`refresh_some`), so a page opened right after a large ingest finds
little left to do.

A refresh reads only the part of `rows` written since the oldest span of the traces it
recomputes: rows are appended in `_xact_id` order, every span of a trace is either in its last
summary (whose `min_xact` is the least `_xact_id` of its spans then) or written since (its mark
has that write's `_xact_id`), so `_xact_id >= least(min_xact, mark)` lets DuckDB's zone maps skip
every older row group. Refreshing the tail of an ingest therefore costs what the tail holds, not
what the table holds. The table is a cache: when `SUMMARY_VERSION` changes it is rebuilt from
the spans on open.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import duckdb

from assay.store.duckdb.arrow import sql_literal
from assay.store.duckdb.traces import compute, create_table

# Bump when what `traces.compute` writes changes (2: stand-in roots; 3: classifier errors; 4: min_xact;
# 5: match_key is the input's 128-bit hash, md5_number; 6: classifications and facets).
SUMMARY_VERSION = 6


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create (or rebuild, if its definition changed) the summaries table; run in a transaction."""
    found = con.execute("SELECT version FROM cache_versions WHERE name = 'trace_summaries'").fetchone()
    if found and found[0] == SUMMARY_VERSION:
        return
    con.execute("DROP TABLE IF EXISTS trace_summaries")
    create_table(con)
    con.execute("DELETE FROM dirty_traces")
    con.execute(
        "INSERT INTO dirty_traces SELECT DISTINCT object_type, object_id, root_span_id, NULL FROM rows"
    )
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
    _recompute(con, f"WHERE {_objects(object_type, object_ids)}")


def refresh_some(con: duckdb.DuckDBPyConnection, limit: int) -> bool:
    """Recompute up to `limit` dirty traces of any objects, the least recently marked first, so
    that the first read after a large ingest finds little left to do. Returns whether dirty
    traces remain."""
    _recompute(con, "", limit)
    return con.execute("SELECT 1 FROM dirty_traces LIMIT 1").fetchone() is not None


def _recompute(con: duckdb.DuckDBPyConnection, where: str, limit: int | None = None) -> None:
    """Replace the summaries of the dirty traces selected by `where` (and `limit`) and clear
    their marks."""
    keep = f"ORDER BY min(xact) NULLS FIRST LIMIT {int(limit)}" if limit is not None else ""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _assay_dirty AS
            SELECT object_type, object_id, root_span_id, min(xact) AS xact, bool_or(xact IS NULL) AS unknown
            FROM dirty_traces {where} GROUP BY ALL {keep}"""
    )
    try:
        found = con.execute(
            """SELECT count(*), bool_or(d.unknown), min(least(d.xact, coalesce(t.min_xact, d.xact)))
               FROM _assay_dirty d LEFT JOIN trace_summaries t
                 ON t.object_id = d.object_id AND t.root_span_id = d.root_span_id"""
        ).fetchone()
        assert found is not None
        count, unknown, since = found
        if not count:
            return
        con.execute(
            """DELETE FROM trace_summaries t USING _assay_dirty d
               WHERE t.object_id = d.object_id AND t.root_span_id = d.root_span_id"""
        )
        compute(con, "_assay_dirty", None if unknown else since)
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

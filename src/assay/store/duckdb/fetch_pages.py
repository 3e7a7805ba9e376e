"""Pages of current rows as JSON documents, written by DuckDB: the fetch routes' fast path.

A fetch page is whole traces, newest first, each event in the API's shape (`codec.api_event`).
Building those events in Python costs a tuple, a dict and a JSON decode per field of every row,
then encoding it all again for the response; here DuckDB writes each event's JSON text itself
(`EVENT`), and the route splices the texts into its response unparsed. Rows whose event needs
more than this expression says (fields outside the columns, comments, a missing id field) are
built by `codec.api_event` instead, so the shape has one definition and a test holds the two
ways equal (`tests/store/test_duckdb_fetch_pages.py`).

Finding a page reads little: the page's traces come from the stored trace summaries (their first
keys) when those are fresh, else from a narrow aggregation over the keys older than the cursor;
its spans are then read with a pagination-key bound (every span of a trace sorts after the
trace's first key, and rows are appended roughly in key order, so zone maps skip the rest) rather
than by joining every row of the object.
"""

from __future__ import annotations

from typing import Any

import duckdb

from assay.model.objects import OBJECT_TYPES
from assay.store import codec
from assay.store.base import ObjectRef
from assay.store.duckdb import arrow
from assay.store.duckdb.summaries import needs_refresh

CREATED = (
    "strftime(timezone('UTC', created), '%Y-%m-%dT%H:%M:%S') || CASE WHEN date_part('microseconds', created) "
    "% 1000000 = 0 THEN '' ELSE '.' || lpad(CAST(date_part('microseconds', created) % 1000000 AS VARCHAR), 6, "
    "'0') END || '+00:00'"
)
FIELDS = (
    f"'id', id, 'created', {CREATED}, 'span_id', span_id, 'root_span_id', root_span_id, "
    "'span_parents', span_parents, 'input', input, 'output', output, 'expected', expected, "
    "'error', error, 'metadata', metadata, 'span_attributes', span_attributes, 'context', context, "
    "'origin', origin, 'scores', scores, 'metrics', metrics, 'tags', tags, "
    "'_xact_id', CAST(_xact_id AS VARCHAR), '_pagination_key', _pagination_key, 'is_root', is_root, "
    "'project_id', project_id"
)


def event_sql(object_type: str, org_id: str | None) -> str:
    """The JSON text of a current row's event (valid where `needs_python` is false)."""
    owner = OBJECT_TYPES[object_type].id_field if object_type != "project_logs" else None
    tail = (
        f"'{owner}', object_id"
        if owner
        else "'log_id', 'g'" + (f", 'org_id', {arrow.sql_literal(org_id)}" if org_id else "")
    )
    return f"CAST(json_object({FIELDS}, {tail}) AS VARCHAR)"


NEEDS_PYTHON = (
    "extra IS NOT NULL OR created IS NULL OR span_id IS NULL OR root_span_id IS NULL OR year(created) < 1000 "
    "OR EXISTS (SELECT 1 FROM comments c WHERE c.object_type = r.object_type AND c.object_id = r.object_id "
    "AND c.target_id = r.id)"
)


def _page_traces(
    con: duckdb.DuckDBPyConnection, ref: ObjectRef, limit: int, after: str | None
) -> list[tuple[str, str]]:
    """(root_span_id, first key) of the page's traces, newest first."""
    params: list[Any] = [ref.object_type, ref.object_id]
    if not needs_refresh(con, ref.object_type, [ref.object_id]):
        below = "" if after is None else "AND first_key < ?"
        sql = f"""SELECT root_span_id, first_key FROM trace_summaries
                  WHERE object_type = ? AND object_id = ? {below} ORDER BY first_key DESC LIMIT ?"""
    else:
        below = "" if after is None else "AND _pagination_key < ?"
        sql = f"""SELECT root_span_id, min(_pagination_key) AS k FROM rows
                  WHERE object_type = ? AND object_id = ? {below}
                  GROUP BY root_span_id ORDER BY k DESC LIMIT ?"""
    params += ([after] if after is not None else []) + [limit]
    return [(r, k) for r, k in con.execute(sql, params).fetchall()]


def current_page(
    con: duckdb.DuckDBPyConnection, ref: ObjectRef, org_id: str | None, limit: int, after: str | None
) -> tuple[list[str | dict[str, Any]], list[str]]:
    """One page of events in order, each as its JSON text or, where DuckDB's text would not do,
    as the dict `codec.api_event` builds (comments still to attach); and the page's trace keys."""
    con.execute("BEGIN TRANSACTION")  # the page's traces and their rows from one snapshot
    try:
        traces = _page_traces(con, ref, limit, after)
        if not traces:
            return [], []
        page = arrow.pa.table({"root_span_id": [r for r, _ in traces], "tkey": [k for _, k in traces]})
        found = con.from_arrow(page).query(
            "_assay_page",
            f"""SELECT r.rowid, CASE WHEN NOT ({NEEDS_PYTHON}) THEN {event_sql(ref.object_type, org_id)} END
                FROM rows r JOIN _assay_page p USING (root_span_id)
                WHERE r.object_type = {arrow.sql_literal(ref.object_type)}
                  AND r.object_id = {arrow.sql_literal(ref.object_id)}
                  AND r._pagination_key >= {arrow.sql_literal(min(k for _, k in traces))}
                ORDER BY p.tkey DESC, r._pagination_key""",
        )
        assert found is not None
        rows = found.fetchall()
        others = [rowid for rowid, doc in rows if doc is None]
        built = {
            rec["_rowid"]: codec.api_event(rec, org_id)
            for rec in (
                arrow.records(con, "SELECT rowid AS _rowid, * FROM rows WHERE rowid = ANY(?)", [others])
                if others
                else []
            )
        }
    finally:
        con.execute("COMMIT")
    return [built[rowid] if doc is None else doc for rowid, doc in rows], [k for _, k in traces]

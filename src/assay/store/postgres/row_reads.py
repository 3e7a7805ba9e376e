"""Reading rows from PostgreSQL: paged fetches of whole traces, version replays, comments,
counts, and the per-object aggregates summaries and comparisons need.

Pages, cursors and version replays mean exactly what they mean on DuckDB (the cursor codec and
the replay are shared): traces newest first by their first `_pagination_key`, rows of a trace in
key order, a version read replayed from the event log.
"""

from __future__ import annotations

from typing import Any

import orjson
import psycopg
from psycopg.rows import dict_row

from assay.store import codec
from assay.store.base import FetchPage, ObjectRef, TraceStats
from assay.store.duckdb.row_reads import DEFAULT_FETCH_TRACES, _page, decode_cursor, encode_cursor
from assay.store.duckdb.row_writes import replay
from assay.store.postgres.summaries import summaries_sql
from assay.store.postgres.traces import TRACE_METRICS


def _records(con: psycopg.Connection, statement: str, params: Any) -> list[dict[str, Any]]:
    with con.cursor(row_factory=dict_row) as cur:
        return cur.execute(statement, params).fetchall()  # fixed SQL


def max_xact(con: psycopg.Connection, ref: ObjectRef) -> int | None:
    row = con.execute(
        "SELECT max(xact_id) FROM events WHERE object_id = %s AND object_type = %s",
        [ref.object_id, ref.object_type],
    ).fetchone()
    return row[0] if row else None


def fetch(
    con: psycopg.Connection,
    ref: ObjectRef,
    org_id: str | None,
    limit: int | None,
    cursor: str | None,
    version: int | None,
) -> FetchPage:
    limit = limit or DEFAULT_FETCH_TRACES
    after = decode_cursor(cursor) if cursor else None
    current = max_xact(con, ref) if version is not None else None  # a scan of the object's log
    replayed = version is not None and current is not None and version < current
    if replayed:
        assert version is not None
        records = _page(_records_at_version(con, ref, version), after, limit)
    else:
        records = _records(
            con,
            """
            WITH t AS (
              SELECT root_span_id, min(_pagination_key) AS tkey FROM rows
              WHERE object_id = %(id)s AND object_type = %(type)s GROUP BY root_span_id
              HAVING %(after)s::text IS NULL OR min(_pagination_key) < %(after)s::text
              ORDER BY tkey DESC LIMIT %(limit)s
            )
            SELECT r.*, t.tkey AS _trace_key FROM rows r JOIN t ON r.root_span_id = t.root_span_id
            WHERE r.object_id = %(id)s AND r.object_type = %(type)s
            ORDER BY t.tkey DESC, r._pagination_key
            """,
            {"id": ref.object_id, "type": ref.object_type, "after": after, "limit": limit},
        )
    trace_keys = list(dict.fromkeys(r["_trace_key"] for r in records))
    events = [codec.api_event(r, org_id) for r in records]
    attach_comments(con, ref, events, version)
    next_cursor = encode_cursor(trace_keys[-1]) if len(trace_keys) >= limit else None
    return FetchPage([codec.dumps(e) for e in events], next_cursor)


def _records_at_version(con: psycopg.Connection, ref: ObjectRef, version: int) -> list[dict[str, Any]]:
    log = con.execute(
        """SELECT row_id, body::text, xact_id, pagination_key FROM events
           WHERE object_id = %s AND object_type = %s AND xact_id <= %s ORDER BY xact_id, seq""",
        [ref.object_id, ref.object_type, version],
    ).fetchall()
    project = con.execute(
        "SELECT project_id FROM rows WHERE object_id = %s AND object_type = %s LIMIT 1",
        [ref.object_id, ref.object_type],
    ).fetchone()
    project_id = project[0] if project else None
    out = []
    for row, xact, pkey in replay(log).values():
        out.append(
            codec.encode_row(ref.object_type, ref.object_id, project_id or "", row, xact, pkey, checked=False)
        )
    first: dict[str, str] = {}
    for rec in out:
        root = rec["root_span_id"]
        first[root] = min(first.get(root, rec["_pagination_key"]), rec["_pagination_key"])
    for rec in out:
        rec["_trace_key"] = first[rec["root_span_id"]]
    out.sort(key=lambda r: r["_pagination_key"])
    out.sort(key=lambda r: r["_trace_key"], reverse=True)
    return out


def attach_comments(
    con: psycopg.Connection, ref: ObjectRef, events: list[dict[str, Any]], version: int | None
) -> None:
    if not events:
        return
    found = con.execute(
        """SELECT target_id, id, created, body::text FROM comments
           WHERE object_id = %(id)s AND object_type = %(type)s AND target_id = ANY(%(targets)s)
             AND (%(version)s::bigint IS NULL OR _xact_id <= %(version)s::bigint)
           ORDER BY created, id""",
        {
            "id": ref.object_id,
            "type": ref.object_type,
            "targets": sorted({e["id"] for e in events}),
            "version": version,
        },
    ).fetchall()
    by_target: dict[str, list[dict[str, Any]]] = {}
    for target, cid, created, body in found:
        by_target.setdefault(target, []).append(
            {"id": cid, "created": created.isoformat(), **orjson.loads(body)}
        )
    for event in events:
        if event["id"] in by_target:
            event["comments"] = by_target[event["id"]]


def count_rows(con: psycopg.Connection, ref: ObjectRef, roots_only: bool) -> int:
    row = con.execute(
        "SELECT count(*) FROM rows WHERE object_id = %s AND object_type = %s"
        + (" AND is_root" if roots_only else ""),  # one of two fixed statements
        [ref.object_id, ref.object_type],
    ).fetchone()
    return int(row[0]) if row else 0


def _summary_params(ref: ObjectRef) -> dict[str, Any]:
    return {"ids": [ref.object_id], "type": ref.object_type}


def trace_stats(con: psycopg.Connection, ref: ObjectRef) -> TraceStats:
    """Needs fresh summaries: see `PostgresStore.refresh_summaries`."""
    summary = summaries_sql()
    scores = con.execute(
        f"""WITH t AS ({summary}) SELECT e.key, avg(e.value::float8) FROM t
            CROSS JOIN LATERAL jsonb_each_text(t.scores) e
            WHERE e.value IS NOT NULL GROUP BY e.key ORDER BY e.key""",
        _summary_params(ref),
    ).fetchall()
    metric_cols = ", ".join(f"avg((metrics ->> '{name}')::float8)" for name in TRACE_METRICS)
    row = con.execute(
        f"WITH t AS ({summary}) SELECT count(*), {metric_cols} FROM t",
        _summary_params(ref),
    ).fetchone()
    assert row is not None
    metrics = {name: float(v) for name, v in zip(TRACE_METRICS, row[1:], strict=True) if v is not None}
    return TraceStats({k: float(v) for k, v in scores}, metrics, int(row[0]))

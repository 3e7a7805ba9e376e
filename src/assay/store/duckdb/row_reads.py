"""Reading rows from DuckDB: paged fetches of whole traces, version replays, summaries."""

from __future__ import annotations

import base64
from typing import Any

import duckdb
import orjson

from assay.model.errors import InvalidInput
from assay.store import codec
from assay.store.base import FetchPage, ObjectRef, TraceStats
from assay.store.duckdb import arrow
from assay.store.duckdb.fetch_pages import current_page
from assay.store.duckdb.row_writes import replay
from assay.store.duckdb.summaries import summaries_sql
from assay.store.duckdb.traces import TRACE_METRICS

DEFAULT_FETCH_TRACES = 1000


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode()


def decode_cursor(cursor: str) -> str:
    try:
        key = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"invalid cursor {cursor!r}") from exc
    if not key.startswith("p"):
        raise InvalidInput(f"invalid cursor {cursor!r}")
    return key


def max_xact(con: duckdb.DuckDBPyConnection, ref: ObjectRef) -> int | None:
    row = con.execute(
        "SELECT max(xact_id) FROM events WHERE object_type = ? AND object_id = ?",
        [ref.object_type, ref.object_id],
    ).fetchone()
    return row[0] if row else None


def fetch(
    con: duckdb.DuckDBPyConnection,
    ref: ObjectRef,
    org_id: str | None,
    limit: int | None,
    cursor: str | None,
    version: int | None,
) -> FetchPage:
    limit = limit or DEFAULT_FETCH_TRACES
    after = decode_cursor(cursor) if cursor else None
    current = max_xact(con, ref) if version is not None else None  # a scan of the object's log
    if version is not None and current is not None and version < current:
        records = _page(_records_at_version(con, ref, version), after, limit)
        trace_keys = list(dict.fromkeys(r["_trace_key"] for r in records))
        items: list[str | dict[str, Any]] = [codec.api_event(r, org_id) for r in records]
    else:
        items, trace_keys = current_page(con, ref, org_id, limit, after)
    attach_comments(con, ref, [e for e in items if isinstance(e, dict)], version)
    next_cursor = encode_cursor(trace_keys[-1]) if len(trace_keys) >= limit else None
    return FetchPage([e if isinstance(e, str) else codec.dumps(e) for e in items], next_cursor)


def _records_at_version(con: duckdb.DuckDBPyConnection, ref: ObjectRef, version: int) -> list[dict[str, Any]]:
    log = con.execute(
        """SELECT row_id, body, xact_id, pagination_key FROM events
           WHERE object_type = ? AND object_id = ? AND xact_id <= ? ORDER BY xact_id, seq""",
        [ref.object_type, ref.object_id, version],
    ).fetchall()
    project = con.execute(
        "SELECT any_value(project_id) FROM rows WHERE object_type = ? AND object_id = ?",
        [ref.object_type, ref.object_id],
    ).fetchone()
    project_id = project[0] if project else None
    out = []
    for row, xact, pkey in replay(log).values():
        rec = codec.encode_row(
            ref.object_type, ref.object_id, project_id or "", row, xact, pkey, checked=False
        )
        rec["scores"] = None if rec["scores"] is None else list(rec["scores"].items())
        rec["metrics"] = None if rec["metrics"] is None else list(rec["metrics"].items())
        out.append(rec)
    first: dict[str, str] = {}
    for rec in out:
        root = rec["root_span_id"]
        first[root] = min(first.get(root, rec["_pagination_key"]), rec["_pagination_key"])
    for rec in out:
        rec["_trace_key"] = first[rec["root_span_id"]]
    out.sort(key=lambda r: r["_pagination_key"])
    out.sort(key=lambda r: r["_trace_key"], reverse=True)
    return out


def _page(records: list[dict[str, Any]], after: str | None, limit: int) -> list[dict[str, Any]]:
    keys: list[str] = []
    page = []
    for rec in records:
        key = rec["_trace_key"]
        if after is not None and key >= after:
            continue
        if key not in keys:
            if len(keys) == limit:
                break
            keys.append(key)
        page.append(rec)
    return page


def attach_comments(
    con: duckdb.DuckDBPyConnection, ref: ObjectRef, events: list[dict[str, Any]], version: int | None
) -> None:
    if not events:
        return
    ids = ", ".join(arrow.sql_literal(e["id"]) for e in events)
    found = con.execute(
        f"""SELECT target_id, id, created, body FROM comments
            WHERE object_type = ? AND object_id = ? AND target_id IN ({ids}) AND (? IS NULL OR _xact_id <= ?)
            ORDER BY created, id""",
        [ref.object_type, ref.object_id, version, version],
    ).fetchall()
    by_target: dict[str, list[dict[str, Any]]] = {}
    for target, cid, created, body in found:
        by_target.setdefault(target, []).append(
            {"id": cid, "created": created.isoformat(), **orjson.loads(body)}
        )
    for event in events:
        if event["id"] in by_target:
            event["comments"] = by_target[event["id"]]


def count_rows(con: duckdb.DuckDBPyConnection, ref: ObjectRef, roots_only: bool) -> int:
    row = con.execute(
        "SELECT count(*) FROM rows WHERE object_type = ? AND object_id = ?"
        + (" AND is_root" if roots_only else ""),
        [ref.object_type, ref.object_id],
    ).fetchone()
    return int(row[0]) if row else 0


def trace_stats(con: duckdb.DuckDBPyConnection, ref: ObjectRef) -> TraceStats:
    """Needs fresh summaries: see `DuckDBStore.refresh_summaries`."""
    summary = summaries_sql(ref.object_type, [ref.object_id])
    params: list[str] = []
    scores = con.execute(
        f"""WITH t AS ({summary}) SELECT k, avg(v) FROM
            (SELECT unnest(map_keys(scores)) AS k, unnest(map_values(scores)) AS v FROM t)
            WHERE v IS NOT NULL GROUP BY k ORDER BY k""",
        params,
    ).fetchall()
    metric_cols = ", ".join(f"avg(metrics['{name}'])" for name in TRACE_METRICS)
    row = con.execute(f"WITH t AS ({summary}) SELECT count(*), {metric_cols} FROM t", params).fetchone()
    assert row is not None
    metrics = {name: float(v) for name, v in zip(TRACE_METRICS, row[1:], strict=True) if v is not None}
    return TraceStats({k: float(v) for k, v in scores}, metrics, int(row[0]))

"""The experiment table: pages of rows, totals, group summaries, built-in views and inferred fields.

Every figure is computed in the database by a query-language statement (see `table_query`) run
through `assay.query`, the one compiler from the dialect to backend SQL. The browser receives pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from assay.query import QueryError, compile_column, compile_filter, run_query
from assay.query.compile import encode_cursor
from assay.services.auth import Principal
from assay.services.catalog import get_object
from assay.services.context import Services
from assay.services.summaries import comparison_for
from assay.services.table_query import (
    METRIC_COLUMNS,
    GroupQuery,
    PageQuery,
    TableQuery,
    count_sql,
    groups_sql,
    quote_str,
    rows_sql,
)


def run_sql(svc: Services, who: Principal, sql: str, offset: int = 0) -> list[dict[str, Any]]:
    """Run one query-language statement for the caller; return its rows (from `offset` on)."""
    # The dialect pages with cursors; an offset cursor is the query layer's own encoding.
    cursor = encode_cursor({"o": offset}) if offset else None
    return run_query(svc, who, sql, cursor=cursor).rows


def check(q: TableQuery) -> None:
    """Validate each filter and custom column on its own, so an error points into the text the user
    typed (line and column of that expression), not into the generated statement."""
    shape = "summary" if q.row_type == "traces" else "spans"
    for text in q.filters:
        try:
            compile_filter(text, shape=shape)
        except QueryError as exc:
            raise QueryError(f"filter {text!r}: {exc.message}") from None
    for col in q.custom_columns:
        try:
            compile_column(col.expr, shape=shape)
        except QueryError as exc:
            raise QueryError(f"column {col.name!r}: {exc.message}") from None


# -- built-in views ---------------------------------------------------------------------------
# id -> (name, description, filter over traces (summary shape), filter over spans)
BUILTIN_VIEWS: dict[str, tuple[str, str, str | None, str | None]] = {
    "default": ("Default view", "All rows", None, None),
    "non_errors": ("Non-errors", "Rows without errors", "coalesce(metrics.errors, 0) = 0", "error IS NULL"),
    "errors": ("Errors", "Rows with errors", "metrics.errors > 0", "error IS NOT NULL"),
    "scorer_errors": (
        "Scorer errors",
        "Rows where a scorer failed",
        "metrics.scorer_errors > 0",
        "span_attributes.type = 'score' AND error IS NOT NULL",
    ),
}


def builtin_views(svc: Services, who: Principal, experiment_id: str, row_type: str) -> list[dict[str, Any]]:
    """The built-in views as filters for `row_type`.

    "Unreviewed" and "Assigned to me" depend on human review (a later issue). Until review scores
    and assignments exist nothing is reviewed and nothing is assigned; the filters below say
    exactly that, and review will replace them without changing the mechanism.
    """
    get_object(svc, who, "experiment", experiment_id)
    views = [
        {"id": vid, "name": name, "description": desc, "filter": traces if row_type == "traces" else spans}
        for vid, (name, desc, traces, spans) in BUILTIN_VIEWS.items()
    ]
    me = who.key_id.replace("'", "''")
    views.append(
        {
            "id": "unreviewed",
            "name": "Unreviewed",
            "description": "Rows without a human review (no review scores are defined yet)",
            "filter": None,
        }
    )
    views.append(
        {
            "id": "assigned_to_me",
            "name": "Assigned to me",
            "description": "Rows assigned to you for review",
            "filter": f"metadata.assigned_to = '{me}'",
        }
    )
    return views


# -- rows, groups, fields ---------------------------------------------------------------------
def page(svc: Services, who: Principal, experiment_id: str, q: PageQuery) -> dict[str, Any]:
    """One page of rows plus the total number of rows matching the filters (when asked for).

    The page and the count are two statements; they run side by side on their own cursors."""
    exp = get_object(svc, who, "experiment", experiment_id)
    check(q)
    with ThreadPoolExecutor(max_workers=2) as pool:
        rows = pool.submit(run_sql, svc, who, rows_sql(exp["id"], q), q.offset)
        total = pool.submit(run_sql, svc, who, count_sql(exp["id"], q)) if q.with_total else None
        found = rows.result()
        counted = total.result() if total is not None else None
    return {
        "rows": found,
        "total": int(counted[0]["n"]) if counted else None if total is None else 0,
        "offset": q.offset,
    }


def count(svc: Services, who: Principal, experiment_id: str, q: TableQuery) -> dict[str, int]:
    exp = get_object(svc, who, "experiment", experiment_id)
    check(q)
    found = run_sql(svc, who, count_sql(exp["id"], q))
    return {"total": int(found[0]["n"]) if found else 0}


def inferred(svc: Services, who: Principal, experiment_ids: list[str]) -> tuple[list[str], list[str]]:
    """Score names and root metadata keys seen in a sample of each experiment's spans.

    A span sample needs no per-trace aggregation, so this stays cheap on large experiments; it
    defines the score columns the table shows, so groups summarise the same scores."""
    scores: set[str] = set()
    meta: dict[str, None] = {}
    for eid in experiment_ids:
        sql = (
            f"SELECT scores, metadata, is_root FROM experiment({quote_str(eid)}, shape => 'spans') LIMIT 2000"
        )
        for row in run_sql(svc, who, sql):
            scores |= set(row.get("scores") or {})
            md = row.get("metadata")
            if row.get("is_root") and isinstance(md, dict):
                for k, v in md.items():
                    if not isinstance(v, dict | list):
                        meta.setdefault(k, None)
    return sorted(scores), sorted(meta)


def groups(svc: Services, who: Principal, experiment_id: str, q: GroupQuery) -> dict[str, Any]:
    """Per-group row counts and averages; with a comparison, its averages for the same groups."""
    exp = get_object(svc, who, "experiment", experiment_id)
    base = (
        get_object(svc, who, "experiment", q.comparison_experiment_id) if q.comparison_experiment_id else None
    )
    check(q)
    names, _ = inferred(svc, who, [exp["id"], *([base["id"]] if base else [])])
    mine = run_sql(svc, who, groups_sql(exp["id"], q, names))
    theirs = (
        {_key(r["group"]): r for r in run_sql(svc, who, groups_sql(base["id"], q, names))} if base else {}
    )
    out = []
    for r in mine:
        item = _group_item(r, names)
        other = theirs.get(_key(r["group"]))
        if base is not None:
            item["comparison"] = _group_item(other, names) if other else None
        out.append(item)
    return {"group_by": q.group_by, "groups": out, "comparison_experiment_id": base["id"] if base else None}


def _key(value: Any) -> str:
    return repr(value)


def _group_item(r: dict[str, Any], names: list[str]) -> dict[str, Any]:
    return {
        "group": r["group"],
        "count": int(r["n"]),
        "scores": {n: r.get("scores." + n) for n in names},
        "metrics": {m: r.get("metrics." + m) for m in METRIC_COLUMNS},
    }


def fields(svc: Services, who: Principal, experiment_id: str) -> dict[str, Any]:
    """Inferred fields for column pickers and the filter builder: scores, metrics, metadata keys."""
    exp = get_object(svc, who, "experiment", experiment_id)
    scores, meta = inferred(svc, who, [exp["id"]])
    base = comparison_for(svc, who, exp, None)
    return {
        "scores": scores,
        "metrics": list(METRIC_COLUMNS),
        "metadata": meta,
        "default_comparison_experiment_id": base["id"] if base else None,
    }


def export_rows(
    svc: Services, who: Principal, experiment_id: str, q: TableQuery, chunk: int = 1000
) -> Iterator[dict[str, Any]]:
    """Every matching row, fetched page by page so a large experiment streams in bounded memory."""
    exp = get_object(svc, who, "experiment", experiment_id)
    check(q)
    offset = 0
    while True:
        page_q = PageQuery(**q.model_dump(), offset=offset, limit=chunk)
        rows = run_sql(svc, who, rows_sql(exp["id"], page_q), offset)
        yield from rows
        if len(rows) < chunk:
            return
        offset += chunk

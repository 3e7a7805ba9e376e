"""The experiment table: pages of rows, totals, group summaries, built-in views and inferred fields.

Every figure is computed in the database by a query-language statement (see `table_query`) run
through `assay.query`, the one compiler from the dialect to backend SQL. The browser receives pages.
"""

from __future__ import annotations

from typing import Any

from assay.model.errors import AssayError
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
    rows_sql,
)
from assay.store.base import ObjectRef


class QueryLayerMissing(AssayError):
    """The query layer is not installed in this build: the table cannot run."""

    status_code = 501


def run_sql(svc: Services, who: Principal, sql: str) -> list[dict[str, Any]]:
    """Run one query-language statement for the caller; return its rows."""
    try:
        from assay import query
    except ImportError:  # pragma: no cover - only before the query layer lands
        raise QueryLayerMissing("the query layer (assay.query) is not available in this build") from None
    runner = getattr(query, "run_query", None)
    if runner is None:  # pragma: no cover
        raise QueryLayerMissing("assay.query has no run_query entry point")
    result = runner(svc, who, sql)
    rows = result.get("data") if isinstance(result, dict) else getattr(result, "rows", result)
    return list(rows or [])


# -- built-in views ---------------------------------------------------------------------------
BUILTIN_VIEWS: list[dict[str, Any]] = [
    {"id": "default", "name": "Default view", "filter": None, "description": "All traces"},
    {
        "id": "non_errors",
        "name": "Non-errors",
        "filter": "error IS NULL",
        "description": "Traces without errors",
    },
    {"id": "errors", "name": "Errors", "filter": "error IS NOT NULL", "description": "Traces with errors"},
    {
        "id": "scorer_errors",
        "name": "Scorer errors",
        "filter": "metadata.scorer_errors IS NOT NULL",
        "description": "Traces where a scorer failed",
    },
]


def builtin_views(svc: Services, who: Principal, experiment_id: str) -> list[dict[str, Any]]:
    """The built-in views. "Unreviewed" and "Assigned to me" depend on human review (a later issue):
    until review scores and assignments exist nothing is reviewed and nothing is assigned, which
    these filters express, so the mechanism is in place when review lands."""
    get_object(svc, who, "experiment", experiment_id)
    review = [
        {
            "id": "unreviewed",
            "name": "Unreviewed",
            "filter": None,
            "description": "Traces without a human review (no review scores are defined yet)",
        },
        {
            "id": "assigned_to_me",
            "name": "Assigned to me",
            "filter": "metadata.assigned_to = " + "'" + who.key_id.replace("'", "''") + "'",
            "description": "Traces assigned to you for review",
        },
    ]
    return [*BUILTIN_VIEWS, *review]


# -- rows, groups, fields ---------------------------------------------------------------------
def page(svc: Services, who: Principal, experiment_id: str, q: PageQuery) -> dict[str, Any]:
    """One page of rows plus the total number of rows matching the filters."""
    exp = get_object(svc, who, "experiment", experiment_id)
    rows = run_sql(svc, who, rows_sql(exp["id"], q))
    total = run_sql(svc, who, count_sql(exp["id"], q))
    return {"rows": rows, "total": int(total[0]["n"]) if total else 0, "offset": q.offset}


def score_names(svc: Services, experiment_ids: list[str]) -> list[str]:
    names: set[str] = set()
    for eid in experiment_ids:
        names |= set(svc.store.trace_stats(ObjectRef("experiment", eid)).scores)
    return sorted(names)


def groups(svc: Services, who: Principal, experiment_id: str, q: GroupQuery) -> dict[str, Any]:
    """Per-group row counts and averages; with a comparison, its averages for the same groups."""
    exp = get_object(svc, who, "experiment", experiment_id)
    base = (
        get_object(svc, who, "experiment", q.comparison_experiment_id) if q.comparison_experiment_id else None
    )
    names = score_names(svc, [exp["id"], *([base["id"]] if base else [])])
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
    sample = run_sql(svc, who, rows_sql(exp["id"], PageQuery(limit=200)))
    meta: dict[str, None] = {}
    for row in sample:
        md = row.get("metadata")
        if isinstance(md, dict):
            for k, v in md.items():
                if not isinstance(v, dict | list):
                    meta.setdefault(k, None)
    base = comparison_for(svc, who, exp, None)
    return {
        "scores": score_names(svc, [exp["id"]]),
        "metrics": list(METRIC_COLUMNS),
        "metadata": sorted(meta),
        "default_comparison_experiment_id": base["id"] if base else None,
    }


def export_rows(svc: Services, who: Principal, experiment_id: str, q: TableQuery, chunk: int = 1000):
    """Every matching row, fetched page by page so a large experiment streams in bounded memory."""
    exp = get_object(svc, who, "experiment", experiment_id)
    offset = 0
    while True:
        rows = run_sql(svc, who, rows_sql(exp["id"], PageQuery(**q.model_dump(), offset=offset, limit=chunk)))
        yield from rows
        if len(rows) < chunk:
            return
        offset += chunk

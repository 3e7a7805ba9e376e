"""The experiment table: pages of rows, totals, group summaries, built-in views and inferred fields.

Every figure is computed in the database by a query-language statement (see `table_query`) run
through `assay.query`, the one compiler from the dialect to backend SQL. The browser receives pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, cast

from sqlglot import exp

from assay.model.functions import RESULT_SPAN_TYPES_SQL
from assay.model.metrics import METRIC_LABELS, METRIC_UNITS, SUMMARY_METRICS, TABLE_METRICS
from assay.query import (
    Compiled,
    QueryError,
    QueryTooLarge,
    Source,
    compile_column,
    compile_filter,
    parse_expression,
)
from assay.query.compile import KEY_COLUMN, encode_cursor
from assay.query.parse import ParsedQuery
from assay.services import comparison_key, review
from assay.services.aggregates import expand, formulas_of
from assay.services.auth import Principal
from assay.services.catalog import get_object, rows_owner
from assay.services.context import Services
from assay.services.project_scores import aggregates_of, review_scores_of
from assay.services.queries import execute_parsed, run_parsed
from assay.services.query_results import decode
from assay.services.summaries import comparison_for
from assay.services.table_query import (
    Built,
    CheckQuery,
    GroupQuery,
    PageQuery,
    SummaryQuery,
    TableQuery,
    shape_of,
    summary_select,
    with_aggregates,
)
from assay.store.base import ResultSet


def _source(
    svc: Services, who: Principal, experiment_id: str, row_type: str, compare_to: str | None = None
) -> Source:
    """The experiment's rows as a query source: one lookup and one access decision."""
    exp_doc = rows_owner(svc, who, "experiment", experiment_id)
    shape = shape_of(row_type)
    compare = (
        (get_object(svc, who, "experiment", compare_to)["id"],) if compare_to and shape == "summary" else ()
    )
    key = comparison_key.of_object(svc, "experiment", exp_doc["id"]) if shape == "summary" else None
    return Source("experiment", (exp_doc["id"],), shape, compare, key)


def _aggregates(svc: Services, source: Source) -> dict[str, exp.Expr]:
    """The formulas of the aggregate scores of the project of the source's experiment."""
    doc = svc.store.get_object("experiment", source.object_ids[0])
    return formulas_of(aggregates_of(svc, doc["project_id"])) if doc else {}


def _run(svc: Services, select: exp.Select, source: Source, offset: int = 0) -> list[dict[str, Any]]:
    """Run one statement over `source`; its rows from `offset` on (the query layer's offset cursor)."""
    cursor = encode_cursor({"o": offset}) if offset else None
    return run_parsed(svc, ParsedQuery(select), source, cursor=cursor).rows


def check(svc: Services, q: CheckQuery) -> dict[str, Any]:
    """Check one filter or custom column on its own: `{valid, message, line, column}` (positions
    within `q.text`), without running anything."""
    shape = shape_of(q.row_type)
    try:
        node = parse_expression(q.text)
        if q.kind == "column":
            compile_column(node, shape, svc.store.dialect)
        else:
            compile_filter(node, shape, svc.store.dialect)
    except QueryError as exc:
        return {"valid": False, "message": exc.reason, "line": exc.line, "column": exc.column}
    return {"valid": True, "message": None, "line": None, "column": None}


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
        f"span_attributes.type IN {RESULT_SPAN_TYPES_SQL} AND error IS NOT NULL",
    ),
}


def builtin_views(svc: Services, who: Principal, experiment_id: str, row_type: str) -> list[dict[str, Any]]:
    """The built-in views as filters for `row_type`. "Unreviewed" and "Assigned to me" follow
    `services.review`'s definitions, with the project's review scores and the caller's user id."""
    doc = rows_owner(svc, who, "experiment", experiment_id)
    views = [
        {"id": vid, "name": name, "description": desc, "filter": traces if row_type == "traces" else spans}
        for vid, (name, desc, traces, spans) in BUILTIN_VIEWS.items()
    ]
    definitions = review_scores_of(svc, doc["project_id"])
    unreviewed = review.unreviewed(definitions, "traces" if row_type == "traces" else "spans")
    views.append(
        {
            "id": "unreviewed",
            "name": "Unreviewed",
            "description": "Rows without a human review score and not marked complete",
            "filter": review.filter_text(unreviewed),
        }
    )
    views.append(
        {
            "id": "assigned_to_me",
            "name": "Assigned to me",
            "description": "Rows assigned to you for review",
            "filter": review.filter_text(review.assigned_to(who.user_id)),  # the id is a literal node
        }
    )
    return views


# -- rows, groups, fields ---------------------------------------------------------------------
def page(svc: Services, who: Principal, experiment_id: str, q: PageQuery) -> dict[str, Any]:
    """One page of rows plus the total number of rows matching the filters (when asked for).

    The page and the count are two statements; they run side by side on their own connections."""
    source = _source(svc, who, experiment_id, q.row_type, q.compare_to)
    built = Built(q, _aggregates(svc, source))
    rows_select = built.rows(q.limit, q.offset)
    count_select = built.count() if q.with_total else None
    plain = Source(source.object_type, source.object_ids, source.shape)
    with ThreadPoolExecutor(max_workers=2) as pool:
        rows = pool.submit(_run, svc, rows_select, source, q.offset)
        total = pool.submit(_run, svc, count_select, plain) if count_select is not None else None
        found = [with_aggregates(r) for r in rows.result()]
        counted = total.result() if total is not None else None
    return {
        "rows": found,
        "total": int(counted[0]["n"]) if counted else None if total is None else 0,
        "offset": q.offset,
    }


def count(svc: Services, who: Principal, experiment_id: str, q: TableQuery) -> dict[str, int]:
    source = _source(svc, who, experiment_id, q.row_type)
    found = _run(svc, Built(q, _aggregates(svc, source)).count(), source)
    return {"total": int(found[0]["n"]) if found else 0}


SAMPLE = 2000


def inferred(svc: Services, object_ids: list[str]) -> tuple[list[str], list[str]]:
    """Score names and root metadata keys seen in a sample of each experiment's spans (ids the
    caller was already allowed to read).

    A span sample needs no per-trace aggregation, so this stays cheap on large experiments; it
    defines the score columns the table shows, so groups summarise the same scores."""
    scores: set[str] = set()
    meta: dict[str, None] = {}
    sample = exp.select("scores", "metadata", "is_root").limit(SAMPLE)
    for eid in object_ids:
        for row in _run(svc, sample.copy(), Source("experiment", (eid,), "spans")):
            scores |= set(row.get("scores") or {})
            md = row.get("metadata")
            if row.get("is_root") and isinstance(md, dict):
                for k, v in md.items():
                    if not isinstance(v, dict | list):
                        meta.setdefault(k, None)
    return sorted(scores), sorted(meta)


def labelled(svc: Services, object_ids: list[str]) -> tuple[list[str], list[str]]:
    """Classification and facet names seen in a sample of each experiment's labelled traces (ids
    the caller was already allowed to read): the table's classifier and facet columns."""
    classes: dict[str, None] = {}
    facets: dict[str, None] = {}
    labelled_only = exp.or_(
        exp.Not(this=exp.Is(this=exp.column("classifications"), expression=exp.Null())),
        exp.Not(this=exp.Is(this=exp.column("facets"), expression=exp.Null())),
    )
    sample = exp.select("classifications", "facets").where(labelled_only).limit(SAMPLE)
    for eid in object_ids:
        for row in _run(svc, sample.copy(), Source("experiment", (eid,), "summary")):
            for found, into in ((row.get("classifications"), classes), (row.get("facets"), facets)):
                if isinstance(found, dict):
                    for name in found:
                        into.setdefault(name, None)
    return sorted(classes), sorted(facets)


def groups(svc: Services, who: Principal, experiment_id: str, q: GroupQuery) -> dict[str, Any]:
    """Per-group row counts and averages; with a comparison, its averages for the same groups."""
    source = _source(svc, who, experiment_id, q.row_type)
    base = _source(svc, who, q.comparison_experiment_id, q.row_type) if q.comparison_experiment_id else None
    aggregates = _aggregates(svc, source)
    built = Built(q, aggregates)
    names, _ = inferred(svc, [*source.object_ids, *(base.object_ids if base else ())])
    names = [*names, *(a for a in aggregates if a not in names)]
    statement = built.groups(q.group_by, names)
    mine = _run(svc, statement, source)
    theirs = {_key(r["group"]): r for r in _run(svc, statement.copy(), base)} if base else {}
    out = []
    for r in mine:
        item = _group_item(r, names)
        other = theirs.get(_key(r["group"]))
        if base is not None:
            item["comparison"] = _group_item(other, names) if other else None
        out.append(item)
    return {
        "group_by": q.group_by,
        "groups": out,
        "comparison_experiment_id": base.object_ids[0] if base else None,
    }


def _key(value: Any) -> str:
    return repr(value)


def _group_item(r: dict[str, Any], names: list[str]) -> dict[str, Any]:
    return {
        "group": r["group"],
        "count": int(r["n"]),
        "scores": {n: r.get("scores." + n) for n in names},
        "metrics": {m: r.get("metrics." + m) for m in TABLE_METRICS},
    }


def fields(svc: Services, who: Principal, experiment_id: str) -> dict[str, Any]:
    """Inferred fields for column pickers and the filter builder: scores, metrics, metadata keys,
    classification and facet names."""
    exp_doc = rows_owner(svc, who, "experiment", experiment_id)
    scores, meta = inferred(svc, [exp_doc["id"]])
    scores += [a["name"] for a in aggregates_of(svc, exp_doc["project_id"]) if a["name"] not in scores]
    classifications, facets = labelled(svc, [exp_doc["id"]])
    base = comparison_for(svc, who, exp_doc, None)
    return {
        "scores": scores,
        "metrics": list(TABLE_METRICS),
        "metric_labels": {m: METRIC_LABELS[m] for m in METRIC_LABELS},
        "metadata": meta,
        "classifications": classifications,
        "facets": facets,
        "default_comparison_experiment_id": base["id"] if base else None,
    }


# An export's later pages hold about this many bytes of rows (at least `chunk` rows, at most
# `_EXPORT_MAX_ROWS`): each page is one statement, and a sorted export's page sorts the
# experiment's rows to reach its offset, so few large pages cost far less than many small ones
# (at 400,000 spans each page of spans also costs tens of milliseconds whatever its size: finding
# its keys, planning its text).
_EXPORT_PAGE_BYTES = 32 * 1024 * 1024
_EXPORT_MAX_ROWS = 40_000


@dataclass
class ExportPage:
    """One page of an export: the statement's answer as Arrow, decoded to table rows on demand."""

    compiled: Compiled
    result: ResultSet

    def rows(self) -> list[dict[str, Any]]:
        return [with_aggregates(r) for r in decode(self.compiled, self.result).rows]

    def after(self) -> str | None:
        """The cursor past this page's last key, for a page in the default order (newest first):
        the next page then starts there instead of sorting every row to skip an offset."""
        table = self.result.table
        if not self.compiled.keyed or table.num_rows == 0:
            return None
        return encode_cursor({"k": table.column(KEY_COLUMN)[-1].as_py()})


def export_pages(
    svc: Services, who: Principal, experiment_id: str, q: TableQuery, chunk: int = 1000
) -> Iterator[ExportPage]:
    """Every matching row, page by page so a large experiment streams in bounded memory.
    The table state is checked (and the experiment resolved) before the first row is asked for.

    The first page is `chunk` rows (the first bytes go out soon); each later page is sized from
    the Arrow bytes per row of the page before it to about `_EXPORT_PAGE_BYTES`, which bounds the
    memory of a page of wide rows and makes the pages of narrow ones few. Rows can grow wider
    further on (small spans first, long conversations later): a page past the query memory limit
    is read again at half the size, down to `chunk` rows. In the default order each page
    continues after the last key of the one before; a sorted export goes by offset."""
    source = _source(svc, who, experiment_id, q.row_type)
    built = Built(q, _aggregates(svc, source))

    def page(limit: int, offset: int, after: str | None) -> ExportPage:
        cursor = after or (encode_cursor({"o": offset}) if offset else None)
        rows = built.rows(limit, 0 if after else offset)
        return ExportPage(*execute_parsed(svc, ParsedQuery(rows), source, cursor=cursor))

    def size_after(last: ExportPage) -> int:
        table = last.result.table
        per_row = max(1, table.nbytes // max(1, table.num_rows))
        return min(_EXPORT_MAX_ROWS, max(chunk, _EXPORT_PAGE_BYTES // per_row))

    def pages(first: ExportPage) -> Iterator[ExportPage]:
        found, offset, want = first, 0, chunk
        while True:
            yield found
            if found.result.table.num_rows < want:
                return
            offset += want
            want = size_after(found)
            while True:
                try:
                    found = page(want, offset, found.after())
                    break
                except QueryTooLarge:
                    if want <= chunk:
                        raise
                    want = max(chunk, want // 2)

    return pages(page(chunk, 0, None))  # the first page fails before the download


def summary(svc: Services, who: Principal, experiment_id: str, q: SummaryQuery) -> dict[str, Any]:
    """Score and metric averages over the traces the filters keep, as `summarize` reports them for
    the whole experiment: each score averaged per trace, then over traces. With a comparison, its
    averages over the same filters (`diff`), and per score the matched test cases that improved or
    regressed."""
    mine = _source(svc, who, experiment_id, "traces", q.comparison_experiment_id)
    base = _source(svc, who, mine.compare_ids[0], "traces") if mine.compare_ids else None
    names, _ = inferred(svc, [*mine.object_ids, *(base.object_ids if base else ())])
    aggregates = _aggregates(svc, mine)  # filters may name the project's aggregate scores
    built = Built(q, aggregates)

    def averages(
        scores: list[str], metrics: tuple[str, ...], compare: bool, source: Source
    ) -> dict[str, Any]:
        select = expand(summary_select(built, scores, metrics, compare), aggregates)
        return _run(svc, cast(exp.Select, select), source)[0]

    row = averages(names, SUMMARY_METRICS, base is not None, mine)
    other = averages(names, SUMMARY_METRICS, False, base) if base else {}
    scores: dict[str, Any] = {}
    for name in names:
        value = row[f"s:{name}"]
        if value is None:
            continue
        item: dict[str, Any] = {"name": name, "score": value}
        if base is not None:
            item["improvements"], item["regressions"] = (
                int(row[f"up:{name}"] or 0),
                int(row[f"down:{name}"] or 0),
            )
            if other.get(f"s:{name}") is not None:
                item["diff"] = value - other[f"s:{name}"]
        scores[name] = item
    if aggregates:  # their formulas averaged over the same traces, as `summarize` lists them
        extra = [a for a in aggregates if a not in scores]
        mine_agg = averages(extra, (), False, mine)
        base_agg = averages(extra, (), False, base) if base else {}
        for name in extra:
            if mine_agg[f"s:{name}"] is None:
                continue
            scores[name] = {"name": name, "score": mine_agg[f"s:{name}"]}
            if base_agg.get(f"s:{name}") is not None:
                scores[name]["diff"] = mine_agg[f"s:{name}"] - base_agg[f"s:{name}"]
    metrics: dict[str, Any] = {}
    for name in SUMMARY_METRICS:
        value = row[f"m:{name}"]
        if value is None or (name in ("llm_calls", "llm_duration") and not value):
            continue
        metric: dict[str, Any] = {"name": name, "metric": value, "unit": METRIC_UNITS[name]}
        if other.get(f"m:{name}") is not None:
            metric["diff"] = value - other[f"m:{name}"]
        metrics[name] = metric
    compared = get_object(svc, who, "experiment", base.object_ids[0])["name"] if base else None
    return {
        "comparison_experiment_name": compared,
        "traces": int(row["n"]),
        "scores": scores,
        "metrics": metrics,
    }

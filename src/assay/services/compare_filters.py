"""A comparison under the table's filters: which experiments, and which of their traces count.

The N-way summary and the histograms of a comparison follow the table's state exactly as the
single-experiment `POST …/table/summary` does: the same structured conditions, query-language
filters, search and custom columns (`assay.services.table_query.Built`), with the project's
aggregate scores readable by name, applied to every compared experiment's traces. Each
experiment's figures are over its kept traces; the base's test-case values the others are
measured against (improvements, regressions, the paired test) are over all the base's traces,
as a compared row shows them and as the table summary's comparison counts them.

The condition is compiled once, by the query layer, into a tree over a trace summary for the
store's dialect; the store places it into its comparison statement (`Store.compare_experiments`).
"""

from __future__ import annotations

from pydantic import Field
from sqlglot import exp

from assay.model.comparison import MAX_COMPARED, ComparisonHistograms, ComparisonSummary
from assay.model.errors import InvalidInput
from assay.query import QueryError, compile_filter
from assay.query.functions import ANY_SPAN_ROWS
from assay.services import compare
from assay.services.aggregates import expand, formulas_of
from assay.services.auth import Principal
from assay.services.catalog import get_object
from assay.services.context import Services
from assay.services.project_scores import aggregates_of
from assay.services.table_query import ID_PATTERN, Built, TableQuery

COMPARED_ROOTS = frozenset({"comparisons", "comparison_scores"})


class CompareSummaryQuery(TableQuery):
    """A table state (its filters, search and custom columns; the sort is ignored) and the
    comparison: the table's experiment, the others, and which of them is the base."""

    experiment_ids: list[str] = Field(
        default_factory=list,
        max_length=MAX_COMPARED,
        description="The experiments compared besides the table's own (ids), in display order",
    )
    base_experiment_id: str | None = Field(
        None,
        pattern=ID_PATTERN,
        description="The base: the table's experiment or one of `experiment_ids` (default: the first of them)",
    )


class CompareHistogramsQuery(CompareSummaryQuery):
    bins: int = Field(10, ge=1, le=compare.MAX_BINS, description="Equal bins over [0, 1]")


def resolve(svc: Services, who: Principal, experiment_id: str, q: CompareSummaryQuery) -> compare.Compared:
    """The compared experiments, the base first: the table's experiment and `experiment_ids`."""
    table = get_object(svc, who, "experiment", experiment_id)
    others = list(dict.fromkeys(q.experiment_ids))
    base = q.base_experiment_id or (others[0] if others else table["id"])
    if base != table["id"] and base not in others:
        raise InvalidInput("base_experiment_id must be the table's experiment or one of experiment_ids")
    return compare.resolve(svc, who, base, [e for e in [table["id"], *others] if e != base])


def aggregates(svc: Services, c: compare.Compared) -> dict[str, exp.Expr]:
    """The project's aggregate scores: name -> formula (a query-language tree over `scores`)."""
    return formulas_of(aggregates_of(svc, c.project["id"]))


def condition(svc: Services, c: compare.Compared, q: CompareSummaryQuery) -> exp.Expr | None:
    """The table state's filters as one condition over a trace summary, compiled for the store;
    None when nothing filters. A spans filter keeps the traces with a matching span, as the table
    summary reads it."""
    built = Built(q, aggregates(svc, c))
    cond = built.condition()
    if cond is None:
        return None
    if any(col.parts and col.parts[0].name in COMPARED_ROOTS for col in cond.find_all(exp.Column)):
        raise QueryError(
            "a comparison's summary filters each experiment's own traces: its filters cannot read "
            "comparisons[…] or comparison_scores"
        )
    if q.row_type == "spans":
        cond = exp.Anonymous(this="any_span", expressions=[cond])
    tree = expand(exp.Paren(this=cond), built.aggregates)
    compiled = compile_filter(tree, "summary", svc.store.dialect)
    spans = [t for t in compiled.find_all(exp.Table) if t.name == ANY_SPAN_ROWS]
    for table in spans:  # any_span(…): the compared experiments' spans
        ids = [e["id"] for e in c.experiments]
        table.replace(svc.store.dialect.spans_source("experiment", ids).subquery(ANY_SPAN_ROWS))
    return compiled


def summary(svc: Services, who: Principal, experiment_id: str, q: CompareSummaryQuery) -> ComparisonSummary:
    c = resolve(svc, who, experiment_id, q)
    return compare.summarize(svc, c, condition(svc, c, q))


def histograms(
    svc: Services, who: Principal, experiment_id: str, q: CompareHistogramsQuery
) -> ComparisonHistograms:
    c = resolve(svc, who, experiment_id, q)
    return compare.histograms_of(svc, c, q.bins, condition(svc, c, q))

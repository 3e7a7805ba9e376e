"""Trace summaries computed from spans: one row per trace, what summaries, comparisons and
`summary`-shape queries read (stored and kept fresh by `summaries.py`).

A trace's preview fields come from its root span (the span without parents; a trace that has
none, because its spans' parents form a cycle or its root is not logged yet, takes a stand-in:
the span whose `span_id` is the trace's `root_span_id`, else the first one written, so every
summary row has an id); each score is the mean of its non-null values over every span of the
trace (the SDK writes scores on child `score` spans, and re-scoring adds more); metrics are
aggregated over the trace. `match_key` is the default comparison key, the reference's: a 128-bit
hash of the root's whole `input` (NULL without an input: such a trace matches nothing); a project's own
key (`settings.comparison_key`) is computed when read instead, see `assay.store.duckdb.compare`.
Traces are keyed by (`object_id`, `root_span_id`), so objects summarised together never mix.

The computation runs in stages over temporary tables so that the wide columns (input, output,
expected, metadata…) are read for root spans only, and by rowid:
1. the traces' spans, narrow: the columns the aggregates need, and rowids;
2. per trace: the metrics, span count, first key, the least `_xact_id` (which bounds the next
   refresh's scan, see `summaries.py`) and the rowid of its root;
3. scores: a trace scored by one span (the usual case) takes that span's scores as they are;
   one scored by several gets the mean of each score;
4. labels: the classifier and facet results of the trace's spans (`classifications`, `facets`,
   which clients and scoring jobs write as top-level span fields), merged per trace;
5. the roots' wide fields, by rowid;
6. one `trace_summaries` row per trace.

Merging labels: a trace's `classifications` maps each name to the items of every span that
classified it under that name, in write order (the reference's record: items keep their order,
duplicates are allowed); its `facets` map each name to the last written summary. Only well-formed
values count: a classification is a list of objects, a facet a string.

The statements are sqlglot trees, built once from fixed parts (no value of a row or a request
enters them: the bound on `_xact_id` is a parameter) and rendered once per table of traces.
"""

from __future__ import annotations

import functools
import sys

import duckdb
from sqlglot import exp

from assay.model.functions import RESULT_SPAN_TYPES
from assay.model.metrics import METRIC_NAMES
from assay.store.columns import ROOT_FIELDS
from assay.store.duckdb.dialect import parse, parse_select, render

__all__ = ["TRACE", "TRACE_METRICS", "compute", "create_table"]


_RESULT_SPAN_TYPES = exp.column("span_type").isin(
    *(exp.Literal.string(t) for t in RESULT_SPAN_TYPES.values())
)
_SCORER_ERRORS = parse(
    "count(*) FILTER (WHERE __result_span AND error IS NOT NULL)"
    " + count(*) FILTER (WHERE is_root AND json_exists(metadata, '$.scorer_errors'))"
).transform(lambda node: _RESULT_SPAN_TYPES.copy() if node == exp.column("__result_span") else node)

# How DuckDB aggregates each trace metric (declared in `assay.model.metrics`) over a trace's spans.
TRACE_METRICS: dict[str, exp.Expr] = {
    "duration": parse("max(metrics['end']) - min(metrics['start'])"),
    "llm_duration": parse("sum(CASE WHEN span_type = 'llm' THEN metrics['end'] - metrics['start'] END)"),
    "prompt_tokens": parse("sum(metrics['prompt_tokens'])"),
    "completion_tokens": parse("sum(metrics['completion_tokens'])"),
    "total_tokens": parse("sum(coalesce(metrics['tokens'], metrics['total_tokens']))"),
    "estimated_cost": parse("sum(estimated_cost)"),
    "llm_calls": parse("count(*) FILTER (WHERE span_type = 'llm')"),
    "errors": parse("count(*) FILTER (WHERE error IS NOT NULL)"),
    "scorer_errors": _SCORER_ERRORS,
}
assert tuple(TRACE_METRICS) == METRIC_NAMES, "every declared trace metric needs its aggregate here"

TRACE = ("object_type", "object_id", "root_span_id")
WORK_TABLES = ("_assay_spans", "_assay_traces", "_assay_scores", "_assay_labels", "_assay_roots")
_TRACES = exp.to_table("__traces")  # stands for the table listing the traces to compute


def _temp_table(name: str, query: exp.Query) -> exp.Create:
    return exp.Create(
        this=exp.to_table(name),
        kind="TABLE",
        replace=True,
        expression=query,
        properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
    )


def _quoted(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table, quoted=True)


# Stage 1: the traces' spans, narrow (`__traces` is replaced by the table of traces).
_SPANS = (
    exp.select(
        exp.alias_(exp.column("rowid"), "rid"),
        *TRACE,
        "span_id",
        "is_root",
        "span_type",
        "_pagination_key",
        "_xact_id",
        "scores",
        "metrics",
        "estimated_cost",
        "error",
        parse("CASE WHEN is_root THEN metadata END AS metadata"),
        parse("json_extract(extra, '$.classifications') AS classes"),
        parse("json_extract(extra, '$.facets') AS facets"),
    )
    .from_("rows")
    .join(_TRACES.copy(), using=list(TRACE), join_type="semi")
)
# Stage 2: per trace. The root: a span without parents (the first written), else the span named by
# root_span_id, else the first written span.
_ROOT_ORDER = parse(
    "(NOT is_root, CASE WHEN is_root THEN false ELSE span_id IS DISTINCT FROM root_span_id END, _pagination_key)"
)
_TRACES_STAGE = (
    exp.select(
        *TRACE,
        parse("count(*) AS span_count"),
        *(exp.alias_(tree.copy(), name, quoted=True) for name, tree in TRACE_METRICS.items()),
        parse("min(_pagination_key) AS first_key"),
        parse("max(_pagination_key) AS last_key"),
        parse("min(_xact_id) AS min_xact"),
        exp.alias_(exp.func("arg_min", exp.column("rid"), _ROOT_ORDER.copy()), "root_rid"),
        parse("count(*) FILTER (WHERE cardinality(scores) > 0) AS scored"),
        parse("any_value(scores) FILTER (WHERE cardinality(scores) > 0) AS one_scores"),
    )
    .from_("_assay_spans")
    .group_by(*TRACE)
)
# Stage 3: the mean of each score over the spans of traces scored by more than one span.
_SCORES = parse_select(
    """SELECT object_id, root_span_id, map_from_entries(list({'key': k, 'value': v})) AS scores
       FROM (SELECT object_id, root_span_id, e.key AS k, avg(e.value) AS v
             FROM (SELECT s.object_id, s.root_span_id, unnest(map_entries(s.scores)) AS e
                   FROM _assay_spans s SEMI JOIN (SELECT object_id, root_span_id FROM _assay_traces
                                                  WHERE scored > 1) m
                     ON m.object_id = s.object_id AND m.root_span_id = s.root_span_id
                   WHERE cardinality(s.scores) > 0)
             GROUP BY ALL)
       GROUP BY ALL"""
)
# Stage 4: per trace, each classification's items in write order, each facet's last value.
_LABELS = parse_select(
    """SELECT coalesce(c.object_id, f.object_id) AS object_id,
              coalesce(c.root_span_id, f.root_span_id) AS root_span_id, c.classifications, f.facets
       FROM (SELECT object_id, root_span_id, json_group_object(name, items) AS classifications
             FROM (SELECT s.object_id, s.root_span_id, k.key AS name,
                          to_json(list(e.value ORDER BY s._pagination_key, e.id)) AS items
                   FROM _assay_spans s, json_each(s.classes) k, json_each(k.value) e
                   WHERE s.classes IS NOT NULL AND k.type = 'ARRAY' AND e.type = 'OBJECT'
                   GROUP BY ALL)
             GROUP BY ALL) c
       FULL JOIN (SELECT object_id, root_span_id, json_group_object(name, summary) AS facets
                  FROM (SELECT s.object_id, s.root_span_id, k.key AS name,
                               arg_max(k.value, s._pagination_key) AS summary
                        FROM _assay_spans s, json_each(s.facets) k
                        WHERE s.facets IS NOT NULL AND k.type = 'VARCHAR'
                        GROUP BY ALL)
                  GROUP BY ALL) f
         ON f.object_id = c.object_id AND f.root_span_id = c.root_span_id"""
)
# Stage 5: the roots' wide fields, by rowid.
_ROOTS = (
    exp.select(exp.alias_(exp.column("rowid"), "rid"), *(_quoted(c) for c in ROOT_FIELDS))
    .from_("rows")
    .where(exp.column("rowid").isin(query=exp.select("root_rid").from_("_assay_traces")))
)


def _metric_entry(name: str) -> exp.Struct:
    value = exp.cast(_quoted(name, "t"), exp.DataType.build("DOUBLE"))
    return exp.Struct(
        expressions=[
            exp.PropertyEQ(this=exp.to_identifier("key"), expression=exp.Literal.string(name)),
            exp.PropertyEQ(this=exp.to_identifier("value"), expression=value),
        ]
    )


# Stage 6: the `trace_summaries` rows, from the stages' tables (its column order is the table's).
_SUMMARY = (
    exp.select(
        *(exp.column(c, table="t") for c in TRACE),
        *(_quoted(c, "r") for c in ROOT_FIELDS),
        parse(
            "coalesce(CASE WHEN t.scored > 1 THEN s.scores ELSE t.one_scores END,"
            " CAST(map() AS MAP(VARCHAR, DOUBLE))) AS scores"
        ),
        exp.alias_(
            exp.func(
                "map_from_entries",
                parse("list_filter([], lambda e: e.value IS NOT NULL)").transform(
                    lambda node: (
                        exp.Array(expressions=[_metric_entry(n) for n in TRACE_METRICS])
                        if isinstance(node, exp.Array)
                        else node
                    )
                ),
            ),
            "metrics",
        ),
        parse("t.span_count"),
        parse("t.first_key"),
        parse("t.last_key"),
        parse("t.errors > 0 AS has_error"),
        parse("t.scorer_errors > 0 AS has_scorer_error"),
        parse("md5_number(CAST(r.input AS VARCHAR)) AS match_key"),
        parse("t.min_xact"),
        parse("l.classifications"),
        parse("l.facets"),
    )
    .from_("_assay_traces AS t")
    .join("_assay_roots AS r", on="r.rid = t.root_rid", join_type="left")
    .join(
        "_assay_scores AS s",
        on="s.object_id = t.object_id AND s.root_span_id = t.root_span_id",
        join_type="left",
    )
    .join(
        "_assay_labels AS l",
        on="l.object_id = t.object_id AND l.root_span_id = t.root_span_id",
        join_type="left",
    )
)


@functools.cache
def _statements(traces: str, bounded: bool) -> tuple[str, ...]:
    """The rendered statements of stages 1-6 for the traces in table `traces`; with `bounded`,
    stage 1 takes one parameter, the least `_xact_id` of the traces' spans."""
    spans = _SPANS.copy().transform(lambda n: exp.to_table(traces) if n == _TRACES else n)
    assert isinstance(spans, exp.Select)
    if bounded:
        spans = spans.where(exp.column("_xact_id", table="rows") >= exp.Placeholder())
    stages = [
        _temp_table("_assay_spans", spans),
        _temp_table("_assay_traces", _TRACES_STAGE.copy()),
        _temp_table("_assay_scores", _SCORES.copy()),
        _temp_table("_assay_labels", _LABELS.copy()),
        _temp_table("_assay_roots", _ROOTS.copy()),
        exp.insert(_SUMMARY.copy(), "trace_summaries"),
    ]
    return tuple(render(s) for s in stages)


def _drop(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the work tables (from `finally`). When an error is already on its way out (out of
    memory, an invalidated database) the transaction is aborted and the drops fail too; that
    second error must not replace the first, which tells the store to heal and the client why."""
    failing = sys.exc_info()[1] is not None
    for name in WORK_TABLES:
        try:
            con.execute(_DROPS[name])
        except duckdb.Error:
            if not failing:
                raise
            return


_DROPS = {
    name: render(exp.Drop(tables=[exp.to_table(name)], kind="TABLE", exists=True)) for name in WORK_TABLES
}


def compute(con: duckdb.DuckDBPyConnection, traces: str, since: int | None) -> None:
    """Insert into `trace_summaries` the summaries of the traces listed in table `traces`
    ({TRACE}); `since`, when known, is a lower bound of the `_xact_id` of every span of theirs,
    so the scan of `rows` skips the row groups written before it (zone maps)."""
    first, *rest = _statements(traces, since is not None)
    try:
        con.execute(first, [] if since is None else [int(since)])
        for statement in rest:
            con.execute(statement)
    finally:
        _drop(con)


def create_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create the empty `trace_summaries` table (its columns are whatever `compute` writes)."""
    none = exp.select(*TRACE).from_("rows").where(exp.false())
    try:
        con.execute(render(_temp_table("_assay_none", none)))
        *stages, _ = _statements("_assay_none", False)
        for statement in stages:
            con.execute(statement)
        con.execute(
            render(exp.Create(this=exp.to_table("trace_summaries"), kind="TABLE", expression=_SUMMARY.copy()))
        )
    finally:
        _drop(con)
        con.execute(render(exp.Drop(tables=[exp.to_table("_assay_none")], kind="TABLE", exists=True)))

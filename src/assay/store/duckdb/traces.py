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
"""

from __future__ import annotations

import sys

import duckdb

from assay.model.functions import RESULT_SPAN_TYPES_SQL
from assay.model.metrics import METRIC_NAMES
from assay.store.columns import ROOT_FIELDS

__all__ = ["TRACE_METRICS", "compute", "create_table"]

# How DuckDB aggregates each trace metric (declared in `assay.model.metrics`) over a trace's spans.
TRACE_METRICS: dict[str, str] = {
    "duration": "max(metrics['end']) - min(metrics['start'])",
    "llm_duration": "sum(CASE WHEN span_type = 'llm' THEN metrics['end'] - metrics['start'] END)",
    "prompt_tokens": "sum(metrics['prompt_tokens'])",
    "completion_tokens": "sum(metrics['completion_tokens'])",
    "total_tokens": "sum(coalesce(metrics['tokens'], metrics['total_tokens']))",
    "estimated_cost": "sum(estimated_cost)",
    "llm_calls": "count(*) FILTER (WHERE span_type = 'llm')",
    "errors": "count(*) FILTER (WHERE error IS NOT NULL)",
    "scorer_errors": (
        f"count(*) FILTER (WHERE span_type IN {RESULT_SPAN_TYPES_SQL} AND error IS NOT NULL)"
        " + count(*) FILTER (WHERE is_root AND json_exists(metadata, '$.scorer_errors'))"
    ),
}
assert tuple(TRACE_METRICS) == METRIC_NAMES, "every declared trace metric needs its aggregate here"

TRACE = "object_type, object_id, root_span_id"
# The root: a span without parents (the first written), else the span named by root_span_id, else
# the first written span.
ROOT_ORDER = (
    "(NOT is_root, CASE WHEN is_root THEN false ELSE span_id IS DISTINCT FROM root_span_id END, "
    "_pagination_key)"
)


# Stage 4's parts: per trace, each classification's items in write order, each facet's last value.
_CLASSES = """
    SELECT object_id, root_span_id, json_group_object(name, items) AS classifications
    FROM (SELECT s.object_id, s.root_span_id, k.key AS name, to_json(list(e.value ORDER BY s._pagination_key, e.id))
                   AS items
          FROM _assay_spans s, json_each(s.classes) k, json_each(k.value) e
          WHERE s.classes IS NOT NULL AND k.type = 'ARRAY' AND e.type = 'OBJECT'
          GROUP BY ALL)
    GROUP BY ALL"""
_FACETS = """
    SELECT object_id, root_span_id, json_group_object(name, summary) AS facets
    FROM (SELECT s.object_id, s.root_span_id, k.key AS name, arg_max(k.value, s._pagination_key) AS summary
          FROM _assay_spans s, json_each(s.facets) k
          WHERE s.facets IS NOT NULL AND k.type = 'VARCHAR'
          GROUP BY ALL)
    GROUP BY ALL"""


def _stages(traces: str, since: int | None) -> list[str]:
    """Statements filling the temporary tables of stages 1-4 for the traces in table `traces`."""
    bound = "" if since is None else f"rows._xact_id >= {int(since)} AND "
    metrics = ", ".join(f'{expr} AS "{name}"' for name, expr in TRACE_METRICS.items())
    root_cols = ", ".join(f'"{c}"' for c in ROOT_FIELDS)
    return [
        f"""CREATE OR REPLACE TEMP TABLE _assay_spans AS
            SELECT rowid AS rid, {TRACE}, span_id, is_root, span_type, _pagination_key, _xact_id, scores,
                   metrics, estimated_cost, error, CASE WHEN is_root THEN metadata END AS metadata,
                   json_extract(extra, '$.classifications') AS classes, json_extract(extra, '$.facets') AS facets
            FROM rows SEMI JOIN {traces} USING ({TRACE}) WHERE {bound}true""",
        f"""CREATE OR REPLACE TEMP TABLE _assay_traces AS
            SELECT {TRACE}, count(*) AS span_count, {metrics}, min(_pagination_key) AS first_key,
                   min(_xact_id) AS min_xact, arg_min(rid, {ROOT_ORDER}) AS root_rid,
                   count(*) FILTER (WHERE cardinality(scores) > 0) AS scored,
                   any_value(scores) FILTER (WHERE cardinality(scores) > 0) AS one_scores
            FROM _assay_spans GROUP BY {TRACE}""",
        """CREATE OR REPLACE TEMP TABLE _assay_scores AS
            SELECT object_id, root_span_id, map_from_entries(list({'key': k, 'value': v})) AS scores
            FROM (SELECT object_id, root_span_id, e.key AS k, avg(e.value) AS v
                  FROM (SELECT s.object_id, s.root_span_id, unnest(map_entries(s.scores)) AS e
                        FROM _assay_spans s SEMI JOIN (SELECT object_id, root_span_id FROM _assay_traces
                                                       WHERE scored > 1) m
                          ON m.object_id = s.object_id AND m.root_span_id = s.root_span_id
                        WHERE cardinality(s.scores) > 0)
                  GROUP BY ALL)
            GROUP BY ALL""",
        f"""CREATE OR REPLACE TEMP TABLE _assay_labels AS
            SELECT coalesce(c.object_id, f.object_id) AS object_id,
                   coalesce(c.root_span_id, f.root_span_id) AS root_span_id, c.classifications, f.facets
            FROM ({_CLASSES}) c FULL JOIN ({_FACETS}) f
              ON f.object_id = c.object_id AND f.root_span_id = c.root_span_id""",
        f"""CREATE OR REPLACE TEMP TABLE _assay_roots AS
            SELECT rowid AS rid, {root_cols} FROM rows WHERE rowid IN (SELECT root_rid FROM _assay_traces)""",
    ]


def _summary_select() -> str:
    """Stage 5: the `trace_summaries` rows, from the stages' tables (its column order is the table's)."""
    entries = ", ".join(
        f"{{'key': '{name}', 'value': CAST(t.\"{name}\" AS DOUBLE)}}" for name in TRACE_METRICS
    )
    root_cols = ", ".join(f'r."{c}"' for c in ROOT_FIELDS)
    return f"""
        SELECT t.object_type, t.object_id, t.root_span_id, {root_cols},
               coalesce(CASE WHEN t.scored > 1 THEN s.scores ELSE t.one_scores END,
                        MAP {{}}::MAP(VARCHAR, DOUBLE)) AS scores,
               map_from_entries(list_filter([{entries}], lambda e: e.value IS NOT NULL)) AS metrics,
               t.span_count, t.first_key, t.errors > 0 AS has_error, t.scorer_errors > 0 AS has_scorer_error,
               md5_number(CAST(r.input AS VARCHAR)) AS match_key,
               t.min_xact, l.classifications, l.facets
        FROM _assay_traces t
        LEFT JOIN _assay_roots r ON r.rid = t.root_rid
        LEFT JOIN _assay_scores s ON s.object_id = t.object_id AND s.root_span_id = t.root_span_id
        LEFT JOIN _assay_labels l ON l.object_id = t.object_id AND l.root_span_id = t.root_span_id"""


def _drop(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the work tables (from `finally`). When an error is already on its way out (out of
    memory, an invalidated database) the transaction is aborted and the drops fail too; that
    second error must not replace the first, which tells the store to heal and the client why."""
    failing = sys.exc_info()[1] is not None
    for name in ("_assay_spans", "_assay_traces", "_assay_scores", "_assay_labels", "_assay_roots"):
        try:
            con.execute(f"DROP TABLE IF EXISTS {name}")
        except duckdb.Error:
            if not failing:
                raise
            return


def compute(con: duckdb.DuckDBPyConnection, traces: str, since: int | None) -> None:
    """Insert into `trace_summaries` the summaries of the traces listed in table `traces`
    ({TRACE}); `since`, when known, is a lower bound of the `_xact_id` of every span of theirs,
    so the scan of `rows` skips the row groups written before it (zone maps)."""
    try:
        for statement in _stages(traces, since):
            con.execute(statement)
        con.execute(f"INSERT INTO trace_summaries {_summary_select()}")
    finally:
        _drop(con)


def create_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create the empty `trace_summaries` table (its columns are whatever `compute` writes)."""
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _assay_none AS SELECT {TRACE} FROM rows WHERE false")
        for statement in _stages("_assay_none", None):
            con.execute(statement)
        con.execute(f"CREATE TABLE trace_summaries AS {_summary_select()}")
    finally:
        _drop(con)
        con.execute("DROP TABLE IF EXISTS _assay_none")

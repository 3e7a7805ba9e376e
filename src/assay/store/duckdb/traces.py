"""Trace-level SQL: one row per trace, the shape summaries, comparisons and `summary` queries read.

A trace's preview fields come from its root span (the span without parents; a trace that has
none, because its spans' parents form a cycle or its root is not logged yet, takes a stand-in:
the span whose `span_id` is the trace's `root_span_id`, else the first one written, so every
summary row has an id); each score is the mean of its non-null values
over every span of the trace (the SDK writes scores on child `score` spans, and re-scoring adds
more); metrics are aggregated over the trace. The comparison key matches test cases across
experiments: the root's dataset record (`origin.id`) when present, else a hash of its input.
"""

from __future__ import annotations

from assay.model.functions import RESULT_SPAN_TYPES_SQL
from assay.model.metrics import METRIC_NAMES
from assay.store.columns import ROOT_FIELDS

__all__ = ["TRACE_METRICS", "trace_summary_sql"]

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


def trace_summary_sql(source: str) -> str:
    """SQL yielding one row per trace of the spans selected by `source` (a SELECT over `rows`).

    Traces are keyed by (`object_id`, `root_span_id`), so objects queried together never mix.
    Columns: `object_type`, `object_id`, `root_span_id`, the root's preview fields, `scores` (MAP name -> trace mean),
    `metrics` (MAP name -> trace aggregate), `span_count`, `match_key`, `has_error`.
    """
    metric_exprs = ", ".join(f'{expr} AS "{name}"' for name, expr in TRACE_METRICS.items())
    entries = ", ".join(
        f"{{'key': '{name}', 'value': CAST(m.\"{name}\" AS DOUBLE)}}" for name in TRACE_METRICS
    )
    root_cols = ", ".join(f'root."{c}"' for c in ROOT_FIELDS)
    return f"""
WITH spans AS ({source}),
true_roots AS (
  SELECT * FROM spans WHERE is_root
  QUALIFY row_number() OVER (PARTITION BY object_id, root_span_id ORDER BY _pagination_key) = 1
),
stand_in_roots AS (
  SELECT s.* FROM spans s ANTI JOIN true_roots r ON r.object_id = s.object_id AND r.root_span_id = s.root_span_id
  QUALIFY row_number() OVER (
    PARTITION BY s.object_id, s.root_span_id
    ORDER BY s.span_id IS NOT DISTINCT FROM s.root_span_id DESC, s._pagination_key) = 1
),
roots AS (SELECT * FROM true_roots UNION ALL SELECT * FROM stand_in_roots),
score_values AS (
  SELECT object_id, root_span_id, e.key AS k, e.value AS v
  FROM (SELECT object_id, root_span_id, unnest(map_entries(scores)) AS e
        FROM spans WHERE scores IS NOT NULL AND cardinality(scores) > 0)
),
trace_scores AS (
  -- map_from_entries over an unordered list: a sorted MAP(list, list) costs ~4x more here
  SELECT object_id, root_span_id, map_from_entries(list({{'key': k, 'value': v}})) AS scores
  FROM (SELECT object_id, root_span_id, k, avg(v) AS v FROM score_values GROUP BY object_id, root_span_id, k)
  GROUP BY object_id, root_span_id
),
trace_metrics AS (
  SELECT object_type, object_id, root_span_id, count(*) AS span_count, {metric_exprs},
         min(_pagination_key) AS first_key
  FROM spans GROUP BY object_type, object_id, root_span_id
)
SELECT m.object_type, m.object_id, m.root_span_id, {root_cols},
       coalesce(s.scores, MAP {{}}::MAP(VARCHAR, DOUBLE)) AS scores,
       map_from_entries(list_filter([{entries}], lambda e: e.value IS NOT NULL)) AS metrics,
       m.span_count, m.first_key, m.errors > 0 AS has_error, m.scorer_errors > 0 AS has_scorer_error,
       coalesce(json_extract_string(root.origin, '$.id'), md5(coalesce(CAST(root.input AS VARCHAR), 'null')))
         AS match_key
FROM trace_metrics m
LEFT JOIN roots root ON root.object_id = m.object_id AND root.root_span_id = m.root_span_id
LEFT JOIN trace_scores s ON s.object_id = m.object_id AND s.root_span_id = m.root_span_id
"""

"""Trace-level SQL for PostgreSQL: one row per trace, what summaries, comparisons and `summary`
queries read. The same definition as the DuckDB backend's (`assay.store.duckdb.traces`), spelled
for PostgreSQL: maps are `jsonb` objects, `DISTINCT ON` picks each trace's root.

A trace's preview fields come from its root span (the span without parents; a trace without one
takes a stand-in: the span whose `span_id` is the trace's `root_span_id`, else the first written);
each score is the mean of its non-null values over every span of the trace; metrics are
aggregated over the trace. `match_key` is the default comparison key, the reference's: an MD5 of
the root's whole input (NULL without an input: such a trace matches nothing); a project's own key
is computed when read (`assay.store.postgres.compare`). Classifications and facets are merged over
the trace's spans as in DuckDB (each name's items in write order; each facet's last string).
"""

from __future__ import annotations

from assay.model.functions import RESULT_SPAN_TYPES_SQL
from assay.model.metrics import METRIC_NAMES
from assay.store.columns import ROOT_FIELDS

__all__ = ["SUMMARY_COLUMNS", "TRACE_METRICS", "trace_summary_sql"]


def _metric(name: str) -> str:
    return f"(metrics ->> '{name}')::float8"


# How PostgreSQL aggregates each trace metric (declared in `assay.model.metrics`) over a trace's spans.
TRACE_METRICS: dict[str, str] = {
    "duration": f"max({_metric('end')}) - min({_metric('start')})",
    "llm_duration": f"sum(CASE WHEN span_type = 'llm' THEN {_metric('end')} - {_metric('start')} END)",
    "prompt_tokens": f"sum({_metric('prompt_tokens')})",
    "completion_tokens": f"sum({_metric('completion_tokens')})",
    "total_tokens": f"sum(coalesce({_metric('tokens')}, {_metric('total_tokens')}))",
    "estimated_cost": "sum(estimated_cost)",
    "llm_calls": "count(*) FILTER (WHERE span_type = 'llm')",
    "errors": "count(*) FILTER (WHERE error IS NOT NULL)",
    "scorer_errors": (
        f"count(*) FILTER (WHERE span_type IN {RESULT_SPAN_TYPES_SQL} AND error IS NOT NULL)"
        " + count(*) FILTER (WHERE is_root AND (metadata -> 'scorer_errors') IS NOT NULL)"
    ),
}
assert tuple(TRACE_METRICS) == METRIC_NAMES, "every declared trace metric needs its aggregate here"


# The columns of `trace_summary_sql`, in order (a custom comparison key replaces `match_key` by name).
SUMMARY_COLUMNS: tuple[str, ...] = (
    "object_type",
    "object_id",
    "root_span_id",
    *ROOT_FIELDS,
    "scores",
    "metrics",
    "span_count",
    "first_key",
    "has_error",
    "has_scorer_error",
    "match_key",
    "classifications",
    "facets",
)


def trace_summary_sql(source: str) -> str:
    """SQL yielding one row per trace of the spans selected by `source` (a SELECT over `rows`).

    Columns, in order: `object_type`, `object_id`, `root_span_id`, the root's preview fields,
    `scores` (jsonb name -> trace mean), `metrics` (jsonb name -> trace aggregate, nulls left
    out), `span_count`, `first_key`, `has_error`, `has_scorer_error`, `match_key`,
    `classifications` and `facets` (json, NULL when the trace has none).
    """
    metric_exprs = ", ".join(f'{expr} AS "{name}"' for name, expr in TRACE_METRICS.items())
    entries = ", ".join(f"'{name}', m.\"{name}\"::float8" for name in TRACE_METRICS)
    root_cols = ", ".join(f'root."{c}"' for c in ROOT_FIELDS)
    return f"""
WITH spans AS ({source}),
true_roots AS (
  SELECT DISTINCT ON (object_id, root_span_id) * FROM spans WHERE is_root
  ORDER BY object_id, root_span_id, _pagination_key
),
stand_in_roots AS (
  SELECT DISTINCT ON (s.object_id, s.root_span_id) s.* FROM spans s
  WHERE NOT EXISTS (
    SELECT 1 FROM true_roots r WHERE r.object_id = s.object_id AND r.root_span_id = s.root_span_id)
  ORDER BY s.object_id, s.root_span_id, (s.span_id IS NOT DISTINCT FROM s.root_span_id) DESC, s._pagination_key
),
roots AS (SELECT * FROM true_roots UNION ALL SELECT * FROM stand_in_roots),
trace_scores AS (
  SELECT object_id, root_span_id, jsonb_object_agg(k, v) AS scores
  FROM (SELECT s.object_id, s.root_span_id, e.key AS k, avg(e.value::float8) AS v
        FROM spans s CROSS JOIN LATERAL jsonb_each_text(s.scores) e
        WHERE s.scores IS NOT NULL
        GROUP BY s.object_id, s.root_span_id, e.key) per_name
  GROUP BY object_id, root_span_id
),
trace_classes AS (
  SELECT object_id, root_span_id, json_object_agg(name, items) AS classifications
  FROM (SELECT s.object_id, s.root_span_id, k.key AS name, json_agg(e.value ORDER BY s._pagination_key, e.n) AS items
        FROM spans s
        CROSS JOIN LATERAL json_each(CASE WHEN json_typeof(s.extra -> 'classifications') = 'object'
                                          THEN s.extra -> 'classifications' END) k
        CROSS JOIN LATERAL json_array_elements(CASE WHEN json_typeof(k.value) = 'array' THEN k.value END)
          WITH ORDINALITY e(value, n)
        WHERE s.extra IS NOT NULL AND json_typeof(e.value) = 'object'
        GROUP BY s.object_id, s.root_span_id, k.key) per_name
  GROUP BY object_id, root_span_id
),
trace_facets AS (
  SELECT object_id, root_span_id, json_object_agg(name, summary) AS facets
  FROM (SELECT DISTINCT ON (s.object_id, s.root_span_id, k.key) s.object_id, s.root_span_id, k.key AS name,
               k.value AS summary
        FROM spans s
        CROSS JOIN LATERAL json_each(CASE WHEN json_typeof(s.extra -> 'facets') = 'object'
                                          THEN s.extra -> 'facets' END) k
        WHERE s.extra IS NOT NULL AND json_typeof(k.value) = 'string'
        ORDER BY s.object_id, s.root_span_id, k.key, s._pagination_key DESC) last_facet
  GROUP BY object_id, root_span_id
),
trace_metrics AS (
  SELECT object_type, object_id, root_span_id, count(*) AS span_count, {metric_exprs},
         min(_pagination_key) AS first_key
  FROM spans GROUP BY object_type, object_id, root_span_id
)
SELECT m.object_type, m.object_id, m.root_span_id, {root_cols},
       coalesce(s.scores, '{{}}'::jsonb) AS scores,
       jsonb_strip_nulls(jsonb_build_object({entries})) AS metrics,
       m.span_count, m.first_key, m.errors > 0 AS has_error, m.scorer_errors > 0 AS has_scorer_error,
       md5(root.input::text) AS match_key,
       c.classifications, f.facets
FROM trace_metrics m
LEFT JOIN roots root ON root.object_id = m.object_id AND root.root_span_id = m.root_span_id
LEFT JOIN trace_scores s ON s.object_id = m.object_id AND s.root_span_id = m.root_span_id
LEFT JOIN trace_classes c ON c.object_id = m.object_id AND c.root_span_id = m.root_span_id
LEFT JOIN trace_facets f ON f.object_id = m.object_id AND f.root_span_id = m.root_span_id
"""

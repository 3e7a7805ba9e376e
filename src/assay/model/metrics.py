"""Trace-level metrics, declared once: name, unit, label and where each is shown.

Every list of metrics reads this table: the store aggregates each one per trace (its SQL lives
with the backend, `assay.store.duckdb.traces`, keyed by these names), `summarize` reports the
`summarized` ones, the table's columns and group rows show the `in_table` ones, and the web app
takes the labels from `GET /v1/experiment/{id}/table/fields`. Lower is better for every one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    label: str
    summarized: bool = True  # reported by summarize (the SDK's experiment summary)
    in_table: bool = True  # a column of the experiment table and its group rows


METRICS: tuple[Metric, ...] = (
    Metric("duration", "s", "Duration"),
    Metric("llm_duration", "s", "LLM duration", in_table=False),
    Metric("prompt_tokens", "tok", "Prompt tokens"),
    Metric("completion_tokens", "tok", "Completion tokens"),
    Metric("total_tokens", "tok", "Tokens"),
    Metric("estimated_cost", "$", "Estimated cost"),
    Metric("llm_calls", "", "LLM calls"),
    Metric("errors", "", "Errors"),
    Metric("scorer_errors", "", "Scorer errors", summarized=False, in_table=False),
)
METRIC_NAMES = tuple(m.name for m in METRICS)
METRIC_UNITS: dict[str, str] = {m.name: m.unit for m in METRICS}
METRIC_LABELS: dict[str, str] = {m.name: m.label for m in METRICS}
SUMMARY_METRICS = tuple(m.name for m in METRICS if m.summarized)
TABLE_METRICS = tuple(m.name for m in METRICS if m.in_table)

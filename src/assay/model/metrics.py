"""Trace-level metrics: their names and units. Lower is better for every one of them."""

from __future__ import annotations

METRIC_UNITS: dict[str, str] = {
    "duration": "s",
    "llm_duration": "s",
    "prompt_tokens": "tok",
    "completion_tokens": "tok",
    "total_tokens": "tok",
    "estimated_cost": "$",
    "llm_calls": "",
    "errors": "",
    "scorer_errors": "",
}

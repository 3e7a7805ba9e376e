"""Experiment and dataset summaries, exactly in the shape the SDK unpacks (braintrust-api.md §b.7).

The SDK builds dataclasses from each score and metric item with `**item`, so items carry exactly
the documented keys. Scores are averaged per trace first, then over traces; the comparison
experiment is the explicit one, else the stored `base_exp_id`, else the previous experiment.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from assay.model.metrics import METRIC_UNITS, SUMMARY_METRICS
from assay.services.aggregates import summary_items as aggregate_summary
from assay.services.auth import Principal
from assay.services.catalog import get_object, previous_experiment
from assay.services.context import Services
from assay.services.project_scores import aggregates_of
from assay.store.base import ObjectRef


def _url(base: str, *parts: str) -> str:
    return base.rstrip("/") + "/app/" + "/".join(quote(p, safe="") for p in parts)


def comparison_for(
    svc: Services, who: Principal, exp: dict[str, Any], explicit: str | None, *, fallback: bool = True
) -> dict[str, Any] | None:
    """The explicit comparison, else (with `fallback`) the stored base, else the previous experiment."""
    if explicit:
        return get_object(svc, who, "experiment", explicit)
    if not fallback:
        return None
    if exp.get("base_exp_id"):
        base = svc.store.get_object("experiment", exp["base_exp_id"])
        if base and not base.get("deleted_at"):
            return base
    return previous_experiment(svc, exp)


def summarize_experiment(
    svc: Services,
    who: Principal,
    experiment_id: str,
    *,
    base_url: str,
    summarize_scores: bool = True,
    comparison_experiment_id: str | None = None,
    fallback: bool = True,
) -> dict[str, Any]:
    """The summary; without an explicit comparison and with `fallback` off, nothing is compared
    (the TypeScript SDK's `/experiment-comparison2` asks for the base itself first)."""
    exp = get_object(svc, who, "experiment", experiment_id)
    project = get_object(svc, who, "project", exp["project_id"])
    out: dict[str, Any] = {
        "project_name": project["name"],
        "experiment_name": exp["name"],
        "project_url": _url(base_url, who.org_name, "p", project["name"]),
        "experiment_url": _url(base_url, who.org_name, "p", project["name"], "experiments", exp["name"]),
        "comparison_experiment_name": None,
        "scores": None,
        "metrics": None,
    }
    if not summarize_scores:
        return out
    ref = ObjectRef("experiment", exp["id"])
    stats = svc.store.trace_stats(ref)
    base = comparison_for(svc, who, exp, comparison_experiment_id, fallback=fallback)
    base_stats = comparison = None
    if base is not None:
        out["comparison_experiment_name"] = base["name"]
        base_ref = ObjectRef("experiment", base["id"])
        base_stats = svc.store.trace_stats(base_ref)
        comparison = svc.store.compare(ref, base_ref)
    scores = {}
    for name, value in stats.scores.items():
        item: dict[str, Any] = {
            "name": name,
            "score": value,
            "improvements": comparison.score_improvements.get(name, 0) if comparison else 0,
            "regressions": comparison.score_regressions.get(name, 0) if comparison else 0,
        }
        if base_stats is not None and name in base_stats.scores:
            item["diff"] = value - base_stats.scores[name]
        scores[name] = item
    aggregates = aggregate_summary(
        svc, exp["id"], base["id"] if base else None, aggregates_of(svc, exp["project_id"])
    )
    scores.update(aggregates)  # a project score's name names its column, as in the table
    metrics = {}
    for name in SUMMARY_METRICS:
        if name not in stats.metrics or (name in ("llm_calls", "llm_duration") and not stats.metrics[name]):
            continue
        value = stats.metrics[name]
        metric: dict[str, Any] = {
            "name": name,
            "metric": value,
            "unit": METRIC_UNITS[name],
            "improvements": comparison.metric_improvements.get(name, 0) if comparison else 0,
            "regressions": comparison.metric_regressions.get(name, 0) if comparison else 0,
        }
        if base_stats is not None and name in base_stats.metrics:
            metric["diff"] = value - base_stats.metrics[name]
        metrics[name] = metric
    out["scores"], out["metrics"] = scores, metrics
    return out


def summarize_dataset(
    svc: Services, who: Principal, dataset_id: str, *, base_url: str, summarize_data: bool = True
) -> dict[str, Any]:
    ds = get_object(svc, who, "dataset", dataset_id)
    project = get_object(svc, who, "project", ds["project_id"])
    total = svc.store.count_rows(ObjectRef("dataset", ds["id"])) if summarize_data else None
    return {
        "project_name": project["name"],
        "dataset_name": ds["name"],
        "project_url": _url(base_url, who.org_name, "p", project["name"]),
        "dataset_url": _url(base_url, who.org_name, "p", project["name"], "datasets", ds["name"]),
        "data_summary": {"total_records": total} if summarize_data else None,
    }

"""Experiment and dataset summaries, exactly in the shape the SDK unpacks (braintrust-api.md §b.7).

The SDK builds dataclasses from each score and metric item with `**item`, so items carry exactly
the documented keys; Assay's paired statistics go in a top-level `paired_statistics`, which the SDK
ignores. Scores are averaged per trace first, then over traces; the comparison experiment is the
explicit one, else the stored `base_exp_id`, else the previous experiment. Improvements and
regressions count the experiment's traces above or below the comparison's value of their test case
(matched by the project's comparison key, see `assay.services.comparison_key`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from assay.model.metrics import METRIC_UNITS, SUMMARY_METRICS
from assay.services import comparison_key, review
from assay.services import stats as stats_mod
from assay.services.aggregates import summary_items as aggregate_summary
from assay.services.auth import Principal
from assay.services.catalog import get_object, previous_experiment
from assay.services.context import Services
from assay.services.project_scores import aggregates_of
from assay.store.base import ExperimentComparison, MeasureComparison, ObjectRef


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


def _measures(
    found: ExperimentComparison | None,
) -> tuple[dict[str, MeasureComparison], dict[str, MeasureComparison]]:
    return (found.scores, found.metrics) if found is not None else ({}, {})


def summarize_experiment(
    svc: Services,
    who: Principal,
    experiment_id: str,
    *,
    base_url: str,
    summarize_scores: bool = True,
    comparison_experiment_id: str | None = None,
    fallback: bool = True,
    with_review: bool = False,
) -> dict[str, Any]:
    """The summary; without an explicit comparison and with `fallback` off, nothing is compared
    (the TypeScript SDK's `/experiment-comparison2` asks for the base itself first). `with_review`
    adds `review_progress` (`services.review.progress`)."""
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
    if with_review:
        out["review_progress"] = review.progress(svc, "experiment", exp["id"], exp["project_id"])
    if not summarize_scores:
        return out
    ref = ObjectRef("experiment", exp["id"])
    base = comparison_for(svc, who, exp, comparison_experiment_id, fallback=fallback)
    if base is None:
        stats = svc.store.trace_stats(ref)
        mine = {n: MeasureComparison(v, 1) for n, v in stats.scores.items()}
        mine_metrics = {n: MeasureComparison(v, 1) for n, v in stats.metrics.items()}
        theirs: dict[str, MeasureComparison] = {}
        theirs_metrics: dict[str, MeasureComparison] = {}
    else:
        out["comparison_experiment_name"] = base["name"]
        key = comparison_key.key_text(project)
        found = svc.store.compare_experiments(
            ObjectRef("experiment", base["id"]),
            [ref],
            key=comparison_key.compiled(key, svc.store.dialect),
            metrics=SUMMARY_METRICS,
        )
        # an experiment without rows (a base nothing was logged to yet) has no entry
        mine, mine_metrics = _measures(found.get(exp["id"]))
        theirs, theirs_metrics = _measures(found.get(base["id"]))
    scores = {}
    for name, m in sorted(mine.items()):
        item: dict[str, Any] = {
            "name": name,
            "score": m.mean,
            "improvements": m.higher,
            "regressions": m.lower,
        }
        if name in theirs and m.mean is not None and theirs[name].mean is not None:
            item["diff"] = m.mean - theirs[name].mean  # type: ignore[operator]
        scores[name] = item
    aggregates = aggregate_summary(
        svc, exp["id"], base["id"] if base else None, aggregates_of(svc, exp["project_id"])
    )
    scores.update(aggregates)  # a project score's name names its column, as in the table
    metrics = {}
    for name in SUMMARY_METRICS:
        mm = mine_metrics.get(name)
        if mm is None or mm.mean is None or (name in ("llm_calls", "llm_duration") and not mm.mean):
            continue
        metric: dict[str, Any] = {
            "name": name,
            "metric": mm.mean,
            "unit": METRIC_UNITS[name],
            "improvements": mm.lower,  # lower is better for every metric
            "regressions": mm.higher,
        }
        other = theirs_metrics.get(name)
        if other is not None and other.mean is not None:
            metric["diff"] = mm.mean - other.mean
        metrics[name] = metric
    out["scores"], out["metrics"] = scores, metrics
    if base is not None:
        # An Assay addition at the top level: the SDK reads known keys there and ignores others,
        # while every score and metric item must keep exactly the reference's keys (`**item`).
        out["paired_statistics"] = {
            "comparison_experiment_id": base["id"],
            "comparison_key": key,
            "test": stats_mod.TEST,
            "confidence": stats_mod.CONFIDENCE,
            "scores": {n: _paired(mine[n]) for n in scores if n in mine},  # not aggregate scores
            "metrics": {n: _paired(mine_metrics[n]) for n in metrics},
        }
    return out


def _paired(m: MeasureComparison) -> dict[str, Any]:
    p = stats_mod.paired_t(m.pairs, m.mean_diff, m.sd_diff)
    return {
        "n": p.n,
        "mean_diff": p.mean_diff,
        "ci_low": p.ci_low,
        "ci_high": p.ci_high,
        "p_value": p.p_value,
    }


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

"""The project's experiments list the web app shows: each experiment with its dataset, score averages,
row count and metadata.

The averages come from the store's per-trace statistics (the same numbers `summarize` reports), so
the list and an experiment's header always agree. The project's aggregate scores are scores here
too: each one's mean over the experiment's traces (as `summarize` reports it), one statement per
experiment, and only when the project defines aggregates.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from assay.services import aggregates
from assay.services.auth import Principal
from assay.services.catalog import get_object, project_of
from assay.services.context import Services
from assay.services.project_scores import aggregates_of
from assay.store.base import ObjectRef


def list_experiments(svc: Services, who: Principal, project_id: str) -> dict[str, Any]:
    """Newest first; `scores` maps score name to its mean over traces (aggregate scores included:
    an aggregate named like a logged score takes its place, as in the table), `metrics` likewise.
    `aggregate_scores` names the project's aggregates."""
    project = project_of(svc, who, project_id)
    docs = aggregates_of(svc, project["id"])
    datasets: dict[str, str | None] = {}
    out = []
    for exp in svc.store.list_objects("experiment", project_id=project["id"]):
        stats = svc.store.trace_stats(ObjectRef("experiment", exp["id"]))
        scores = dict(stats.scores)
        if docs and stats.traces:
            for name, value in aggregates.means(svc, exp["id"], docs).items():
                scores.pop(name, None)
                if value is not None:
                    scores[name] = value
        ds_id = exp.get("dataset_id")
        if ds_id and ds_id not in datasets:
            ds = svc.store.get_object("dataset", ds_id)
            datasets[ds_id] = ds["name"] if ds and not ds.get("deleted_at") else None
        out.append(
            {
                "id": exp["id"],
                "name": exp["name"],
                "created": exp["created"],
                "project_id": exp["project_id"],
                "description": exp.get("description"),
                "dataset_id": ds_id,
                "dataset_name": datasets.get(ds_id) if ds_id else None,
                "metadata": exp.get("metadata"),
                "tags": exp.get("tags"),
                "base_exp_id": exp.get("base_exp_id"),
                "row_count": stats.traces,
                "scores": scores,
                "metrics": stats.metrics,
            }
        )
    return {"objects": out, "aggregate_scores": [d["name"] for d in docs]}


def resolve_object(svc: Services, who: Principal, object_type: str, object_id: str) -> dict[str, Any]:
    """Where an object lives (organization, project, name): what a permalink redirects to."""
    doc = get_object(svc, who, "experiment" if object_type == "experiment" else "dataset", object_id)
    project = project_of(svc, who, doc["project_id"])
    kind = "experiments" if object_type == "experiment" else "datasets"
    parts = (who.org_name, "p", project["name"], kind, doc["name"])
    return {
        "object_type": object_type,
        "object_id": doc["id"],
        "object_name": doc["name"],
        "project_id": project["id"],
        "project_name": project["name"],
        "org_name": who.org_name,
        "path": "/app/" + "/".join(quote(p, safe="") for p in parts),
    }

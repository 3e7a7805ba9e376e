"""The project's experiments list the web app shows: each experiment with its dataset, score averages,
row count and metadata.

The aggregates come from the store's per-trace statistics (the same numbers `summarize` reports), so
the list and an experiment's header always agree.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from assay.services.auth import Principal
from assay.services.catalog import get_object, project_of
from assay.services.context import Services
from assay.store.base import ObjectRef


def list_experiments(svc: Services, who: Principal, project_id: str) -> list[dict[str, Any]]:
    """Newest first; `scores` maps score name to its mean over traces, `metrics` likewise."""
    project = project_of(svc, who, project_id)
    datasets: dict[str, str | None] = {}
    out = []
    for exp in svc.store.list_objects("experiment", project_id=project["id"]):
        stats = svc.store.trace_stats(ObjectRef("experiment", exp["id"]))
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
                "scores": stats.scores,
                "metrics": stats.metrics,
            }
        )
    return out


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

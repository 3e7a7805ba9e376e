"""`/v1/experiment` (braintrust-api.md §d.1)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from assay.api.deps import base_url, caller, paging, services
from assay.api.models import AUTHENTICATED, Experiment, ExperimentList, ExperimentSummary, ObjectId, errors
from assay.api.routing import api_router
from assay.api.row_routes import add_row_routes
from assay.model.errors import InvalidInput
from assay.model.objects import CreateExperiment, PatchExperiment
from assay.services import catalog, summaries
from assay.services.auth import Principal
from assay.services.catalog import Page
from assay.services.context import Services

router = api_router(tags=["experiments"], responses=AUTHENTICATED)


@router.post("/v1/experiment", response_model=Experiment, responses=errors(403, 404))
def create_experiment(
    body: CreateExperiment, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    """Create an experiment; with `ensure_new` (or no name) the name is made unique."""
    return catalog.create_experiment(svc, who, body)


def _metadata_filter(raw: str | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        wanted = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise InvalidInput(
            'metadata must be a URL-encoded JSON object, e.g. metadata={"env":"test"}'
        ) from None
    if not isinstance(wanted, dict):
        raise InvalidInput("metadata must be a JSON object")
    return wanted


@router.get("/v1/experiment", response_model=ExperimentList, responses=errors(404))
def list_experiments(
    experiment_name: str | None = None,
    project_name: str | None = None,
    project_id: str | None = None,
    org_name: str | None = None,
    metadata: str | None = Query(None, description="JSON object the experiment metadata must contain"),
    ids: list[ObjectId] | None = Query(None, description="Only these objects (their UUIDs)"),
    page: Page = Depends(paging),
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    if org_name and org_name != who.org_name:
        raise InvalidInput(f"unknown organization {org_name!r} for this API key")
    wanted = _metadata_filter(metadata)
    pid = catalog.find_project(svc, who, project_id=project_id, project_name=project_name)
    if pid is None:
        projects = [p["id"] for p in svc.store.list_objects("project", org_id=who.org_id)]
        found = [
            e
            for p in projects
            for e in svc.store.list_objects("experiment", project_id=p, name=experiment_name, ids=ids)
        ]
        found.sort(key=lambda e: (e["created"], e["id"]), reverse=True)
    else:
        found = svc.store.list_objects("experiment", project_id=pid, name=experiment_name, ids=ids)
    found = catalog.readable(svc, who, "experiment", found)
    if wanted is not None:
        found = [e for e in found if catalog.matches_metadata(e, wanted)]
    return {"objects": page.of(found)}


@router.get("/v1/experiment/{experiment_id}", response_model=Experiment, responses=errors(404))
def get_experiment(
    experiment_id: str, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    return catalog.get_object(svc, who, "experiment", experiment_id)


@router.patch("/v1/experiment/{experiment_id}", response_model=Experiment, responses=errors(403, 404, 409))
def patch_experiment(
    experiment_id: str,
    body: PatchExperiment,
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> Any:
    return catalog.patch_object(svc, who, "experiment", experiment_id, body.model_dump(exclude_unset=True))


@router.delete("/v1/experiment/{experiment_id}", response_model=Experiment, responses=errors(403, 404))
def delete_experiment(
    experiment_id: str, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    return catalog.delete_object(svc, who, "experiment", experiment_id)


@router.get(
    "/v1/experiment/{experiment_id}/summarize",
    response_model=ExperimentSummary,
    response_model_exclude_unset=True,
    responses=errors(404),
)
async def summarize_experiment(
    experiment_id: str,
    request: Request,
    summarize_scores: bool = True,
    comparison_experiment_id: str | None = None,
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    """Score and metric averages, with improvements and regressions against the comparison,
    and (Assay's addition) `review_progress`: the experiment's human-reviewed traces."""
    return await run_in_threadpool(
        summaries.summarize_experiment,
        svc,
        who,
        experiment_id,
        base_url=base_url(request),
        summarize_scores=summarize_scores,
        comparison_experiment_id=comparison_experiment_id,
        with_review=True,
    )


add_row_routes(router, "/v1/experiment", "experiment")

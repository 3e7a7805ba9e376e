"""The web app's navigation: the caller's organization, a project's experiments list, permalinks."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import Depends, Query
from starlette.concurrency import run_in_threadpool

from assay.api.deps import caller, services
from assay.api.models import AUTHENTICATED, OrganizationList, ProjectExperiments, ResolvedObject, errors
from assay.api.routing import api_router
from assay.services import experiment_list
from assay.services.auth import Principal
from assay.services.context import Services

router = api_router(tags=["web app"], responses=AUTHENTICATED)


@router.get("/v1/organization", response_model=OrganizationList)
def list_organizations(who: Principal = Depends(caller), svc: Services = Depends(services)) -> dict[str, Any]:
    """The organizations the caller acts in: the key's one, or every one a signed-in user joined
    (the one acting first)."""
    orgs = [{"id": who.org_id, "name": who.org_name}]
    if who.session_id:
        orgs += [
            {"id": o.id, "name": o.name}
            for o in svc.store.people.memberships(who.user_id)
            if o.id != who.org_id
        ]
    return {"objects": orgs}


@router.get("/v1/project/{project_id}/experiments", response_model=ProjectExperiments, responses=errors(404))
async def project_experiments(
    project_id: str, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> dict[str, Any]:
    """Experiments of a project, newest first, with dataset, score averages (the project's aggregate
    scores included), row count and metadata."""
    return await run_in_threadpool(experiment_list.list_experiments, svc, who, project_id)


@router.get("/v1/object/resolve", response_model=ResolvedObject, responses=errors(404))
def resolve_object(
    object_type: Literal["experiment", "dataset"] = Query(...),
    object_id: str = Query(...),
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    """Where an object lives: what `/app/object?object_type=…&object_id=…` redirects to."""
    return experiment_list.resolve_object(svc, who, object_type, object_id)

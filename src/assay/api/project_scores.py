"""`/v1/project_score`: aggregate scores of a project (the reference's routes and shapes)."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Query

from assay.api.deps import caller, paging, services
from assay.api.models import AUTHENTICATED, ObjectId, errors
from assay.api.routing import api_router
from assay.model.errors import InvalidInput
from assay.model.project_scores import CreateProjectScore, PatchProjectScore, ProjectScore, ProjectScoreList
from assay.services import project_scores
from assay.services.auth import Principal
from assay.services.catalog import Page
from assay.services.context import Services

router = api_router(tags=["scoring"], responses={**AUTHENTICATED, **errors(403, 404, 409)})


@router.get("/v1/project_score", response_model=ProjectScoreList)
def list_project_scores(
    project_id: str | None = None,
    project_name: str | None = None,
    project_score_name: str | None = None,
    score_type: str | None = Query(None, description="weighted, minimum or maximum"),
    org_name: str | None = None,
    ids: list[ObjectId] | None = Query(None, description="Only these objects (their UUIDs)"),
    page: Page = Depends(paging),
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> Any:
    """Project scores, newest first. Assay keeps aggregate scores (weighted, minimum, maximum)."""
    if org_name and org_name != who.org_name:
        raise InvalidInput(f"unknown organization {org_name!r} for this API key")
    found = project_scores.list_project_scores(
        svc,
        who,
        project_id=project_id,
        project_name=project_name,
        name=project_score_name,
        score_type=score_type,
        ids=ids,
        page=page,
    )
    return {"objects": found}


@router.post("/v1/project_score", response_model=ProjectScore)
def create_project_score(
    body: CreateProjectScore, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    """Create an aggregate score; one with the same name in the project is returned unchanged."""
    return project_scores.create_project_score(svc, who, body)


@router.put("/v1/project_score", response_model=ProjectScore)
def replace_project_score(
    body: CreateProjectScore, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    """Create an aggregate score, or replace the one with the same name in the project."""
    return project_scores.create_project_score(svc, who, body, replace=True)


@router.get("/v1/project_score/{project_score_id}", response_model=ProjectScore)
def get_project_score(
    project_score_id: str, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    return project_scores.get_project_score(svc, who, project_score_id)


@router.patch("/v1/project_score/{project_score_id}", response_model=ProjectScore)
def patch_project_score(
    project_score_id: str,
    body: PatchProjectScore,
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> Any:
    return project_scores.patch_project_score(svc, who, project_score_id, body)


@router.delete("/v1/project_score/{project_score_id}", response_model=ProjectScore)
def delete_project_score(
    project_score_id: str, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    return project_scores.delete_project_score(svc, who, project_score_id)

"""The TypeScript SDK's app-side registration and lookup routes (braintrust-ts-sdk.md §4.2 to §4.4).

Thin: each parses its body, calls `services/registration.py` (the same catalog rules as
`/v1/...`) and answers in the reference's shape: `experiment/get` and `self/get_object_info`
answer bare arrays, which the SDK checks with `.length`.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Query

from assay.api.deps import caller, services
from assay.api.models import AUTHENTICATED, errors
from assay.api.routing import api_router
from assay.model.objects import Experiment, Project
from assay.model.ts_sdk import (
    GetExperiments,
    ObjectInfo,
    ObjectInfoRequest,
    RegisterDataset,
    RegisteredDataset,
    RegisteredExperiment,
    RegisteredProject,
    RegisterExperiment,
    RegisterProject,
)
from assay.services import catalog, registration
from assay.services.auth import Principal
from assay.services.context import Services

router = api_router(tags=["typescript sdk"], responses={**AUTHENTICATED, **errors(403, 404, 409)})


@router.post("/api/experiment/register", response_model=RegisteredExperiment)
def register_experiment(
    body: RegisterExperiment, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    """Create the project if needed and a new experiment in it (or, with `update`, the existing one)."""
    return registration.register_experiment(svc, who, body)


@router.post("/api/experiment/get", response_model=list[Experiment])
def get_experiments(
    body: GetExperiments, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    """The project's experiments with that name, as a bare array (empty when none)."""
    return registration.get_experiments(svc, who, body)


@router.post("/api/dataset/register", response_model=RegisteredDataset)
def register_dataset(
    body: RegisterDataset, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    """Create-or-get the project by name and the dataset by name in it."""
    return registration.register_dataset(svc, who, body)


@router.post("/api/project/register", response_model=RegisteredProject)
def register_project(
    body: RegisterProject, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    return registration.register_project(svc, who, body.project_name, body.org_id)


@router.get("/api/project", response_model=Project)
def get_project(
    id: str = Query(min_length=1), who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    """The project itself (the SDK reads its `name`)."""
    return catalog.project_of(svc, who, id)


@router.post("/api/self/get_object_info", response_model=list[ObjectInfo])
def get_object_info(
    body: ObjectInfoRequest, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    """Name and parent project of each object id the caller may read."""
    return registration.object_info(svc, who, body)

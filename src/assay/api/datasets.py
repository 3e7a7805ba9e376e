"""`/v1/dataset` (braintrust-api.md §d.3)."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Query, Request

from assay.api.deps import base_url, caller, paging, services
from assay.api.models import AUTHENTICATED, Dataset, DatasetList, DatasetSummary, ObjectId, errors
from assay.api.routing import api_router
from assay.api.row_routes import add_row_routes
from assay.model.errors import InvalidInput
from assay.model.objects import CreateDataset, PatchDataset
from assay.services import catalog, summaries
from assay.services.auth import Principal
from assay.services.catalog import Page
from assay.services.context import Services

router = api_router(tags=["datasets"], responses=AUTHENTICATED)


@router.post("/v1/dataset", response_model=Dataset, responses=errors(403, 404))
def create_dataset(
    body: CreateDataset, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    """Create a dataset, or return the project's existing one with that name."""
    return catalog.create_dataset(svc, who, body)


@router.get("/v1/dataset", response_model=DatasetList, responses=errors(404))
def list_datasets(
    dataset_name: str | None = None,
    project_name: str | None = None,
    project_id: str | None = None,
    org_name: str | None = None,
    ids: list[ObjectId] | None = Query(None, description="Only these objects (their UUIDs)"),
    page: Page = Depends(paging),
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    if org_name and org_name != who.org_name:
        raise InvalidInput(f"unknown organization {org_name!r} for this API key")
    pid = catalog.find_project(svc, who, project_id=project_id, project_name=project_name)
    projects = [pid] if pid else [p["id"] for p in svc.store.list_objects("project", org_id=who.org_id)]
    found = [
        d
        for p in projects
        for d in svc.store.list_objects("dataset", project_id=p, name=dataset_name, ids=ids)
    ]
    found = catalog.readable(svc, who, "dataset", found)
    found.sort(key=lambda d: (d["created"], d["id"]), reverse=True)
    return {"objects": page.of(found)}


@router.get("/v1/dataset/{dataset_id}", response_model=Dataset, responses=errors(404))
def get_dataset(dataset_id: str, who: Principal = Depends(caller), svc: Services = Depends(services)) -> Any:
    return catalog.get_object(svc, who, "dataset", dataset_id)


@router.patch("/v1/dataset/{dataset_id}", response_model=Dataset, responses=errors(403, 404, 409))
def patch_dataset(
    dataset_id: str, body: PatchDataset, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    return catalog.patch_object(svc, who, "dataset", dataset_id, body.model_dump(exclude_unset=True))


@router.delete("/v1/dataset/{dataset_id}", response_model=Dataset, responses=errors(403, 404))
def delete_dataset(
    dataset_id: str, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    return catalog.delete_object(svc, who, "dataset", dataset_id)


@router.get(
    "/v1/dataset/{dataset_id}/summarize",
    response_model=DatasetSummary,
    response_model_exclude_unset=True,
    responses=errors(404),
)
def summarize_dataset(
    dataset_id: str,
    request: Request,
    summarize_data: bool = True,
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    return summaries.summarize_dataset(
        svc, who, dataset_id, base_url=base_url(request), summarize_data=summarize_data
    )


add_row_routes(router, "/v1/dataset", "dataset")

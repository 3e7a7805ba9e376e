"""`/v1/function`: scorers, classifiers and facets (the reference's routes and shapes), the
built-in scorers (`/v1/function_builtin`) and the LLM configuration the web app may see."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Query

from assay.api.deps import caller, paging, services
from assay.api.models import AUTHENTICATED, ObjectId, errors
from assay.api.routing import api_router
from assay.model.errors import InvalidInput
from assay.model.functions import (
    BuiltinScorer,
    CreateFunction,
    Function,
    FunctionList,
    LLMSettings,
    PatchFunction,
)
from assay.services import functions
from assay.services.auth import Principal
from assay.services.catalog import Page
from assay.services.context import Services

router = api_router(tags=["scoring"], responses={**AUTHENTICATED, **errors(403, 404, 409)})


@router.get("/v1/function", response_model=FunctionList)
def list_functions(
    project_id: str | None = None,
    project_name: str | None = None,
    function_name: str | None = None,
    slug: str | None = None,
    function_type: str | None = Query(None, description="scorer, classifier or facet (Assay)"),
    org_name: str | None = None,
    ids: list[ObjectId] | None = Query(None, description="Only these objects (their UUIDs)"),
    page: Page = Depends(paging),
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> Any:
    """Functions, newest first. Assay keeps scorers, classifiers and facets."""
    if org_name and org_name != who.org_name:
        raise InvalidInput(f"unknown organization {org_name!r} for this API key")
    found = functions.list_functions(
        svc,
        who,
        project_id=project_id,
        project_name=project_name,
        function_name=function_name,
        slug=slug,
        function_type=function_type,
        ids=ids,
        page=page,
    )
    return {"objects": found}


@router.post("/v1/function", response_model=Function)
def create_function(
    body: CreateFunction, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    """Create a function; one with the same slug in the project is returned unchanged."""
    return functions.create_function(svc, who, body)


@router.put("/v1/function", response_model=Function)
def replace_function(
    body: CreateFunction, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    """Create a function, or replace the one with the same slug in the project."""
    return functions.create_function(svc, who, body, replace=True)


@router.get("/v1/function_builtin", response_model=list[BuiltinScorer])
def builtin_functions(who: Principal = Depends(caller), svc: Services = Depends(services)) -> Any:
    """The built-in scorers (`autoevals`) and facets, addressed as `{"type": "global", "name": …}`."""
    return functions.builtins(svc.llm)


@router.get("/v1/llm", response_model=LLMSettings)
def llm_settings(who: Principal = Depends(caller), svc: Services = Depends(services)) -> Any:
    """Whether an LLM endpoint is configured on the server, its address and model (never its key)."""
    return svc.llm.status().__dict__


@router.get("/v1/function/{function_id}", response_model=Function)
def get_function(
    function_id: str, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    return functions.get_function(svc, who, function_id)


@router.patch("/v1/function/{function_id}", response_model=Function)
def patch_function(
    function_id: str, body: PatchFunction, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    """Change a function; its `version` changes when what it computes does."""
    return functions.patch_function(svc, who, function_id, body)


@router.delete("/v1/function/{function_id}", response_model=Function)
def delete_function(
    function_id: str, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    return functions.delete_function(svc, who, function_id)

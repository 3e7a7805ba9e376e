"""App-URL routes the SDK calls: login and the base-experiment lookup (braintrust-api.md §b.1, §b.10)."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request

from assay import __version__
from assay.api.deps import base_url, caller, json_object, services
from assay.api.models import (
    AUTHENTICATED,
    BaseExperiment,
    BaseExperimentBody,
    LoginResponse,
    VersionInfo,
    errors,
    json_body_schema,
)
from assay.api.routing import api_router
from assay.model.errors import InvalidInput
from assay.services.auth import Principal
from assay.services.catalog import get_object
from assay.services.context import Services
from assay.services.summaries import comparison_for

router = api_router(tags=["login"])


@router.post("/api/apikey/login", response_model=LoginResponse, responses=AUTHENTICATED)
def login(request: Request, who: Principal = Depends(caller)) -> dict[str, Any]:
    """Answer the SDK's login with the key's organization and this server as its API URL."""
    url = base_url(request)
    org = {
        "id": who.org_id,
        "name": who.org_name,
        "api_url": url,
        "proxy_url": None,
        "realtime_url": None,
        "is_universal_api": False,
        "git_metadata": None,
    }
    return {"org_info": [org]}


@router.post(
    "/api/base_experiment/get_id",
    response_model=BaseExperiment,
    responses={**AUTHENTICATED, **errors(404)},
    openapi_extra=json_body_schema(BaseExperimentBody),
)
def base_experiment(
    body: dict[str, Any] = Depends(json_object),
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    if not isinstance(body.get("id"), str):
        raise InvalidInput("body needs the experiment 'id'")
    exp = get_object(svc, who, "experiment", body["id"])
    base = comparison_for(svc, who, exp, None)
    if base is None:
        raise InvalidInput(f"experiment {exp['name']!r} has no base experiment")
    return {"base_exp_id": base["id"], "base_exp_name": base["name"]}


@router.get("/version", response_model=VersionInfo)
def version() -> dict[str, Any]:
    """No `logs3_payload_max_bytes`: the SDK then never uses the overflow upload path."""
    return {"version": __version__, "server": "assay"}

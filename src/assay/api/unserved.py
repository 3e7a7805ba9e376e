"""Reference routes for objects Assay does not keep (prompts, AI secrets) or calls it does not serve.

Each answers as the reference does when the object does not exist, so the SDKs and `bt` raise
their ordinary "not found" error at once instead of failing on a 404 route, retrying a 5xx, or
falling back to a cache: lists are empty and lookups by id are a 404 naming the object.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends
from pydantic import BaseModel

from assay.api.deps import caller
from assay.api.models import AUTHENTICATED, errors
from assay.api.routing import api_router
from assay.model.errors import NotFound
from assay.services.auth import Principal

router = api_router(tags=["not kept by assay"], responses={**AUTHENTICATED, **errors(403, 404, 409)})


class EmptyList(BaseModel):
    objects: list[dict[str, Any]]


def _none_kept(kind: str) -> None:
    @router.get(f"/v1/{kind}", response_model=EmptyList, summary=f"List {kind}s (Assay keeps none)")
    def listing(who: Principal = Depends(caller)) -> Any:
        return {"objects": []}

    @router.get(f"/v1/{kind}/{{object_id}}", summary=f"Get a {kind} (Assay keeps none: 404)")
    def by_id(object_id: str, who: Principal = Depends(caller)) -> Any:
        raise NotFound(f"{kind} {object_id!r} not found (Assay does not store {kind}s)")


_none_kept("prompt")


@router.post("/function/invoke", summary="Invoke a function (Assay does not invoke functions: 404)")
def invoke(who: Principal = Depends(caller)) -> Any:
    """Functions are not invoked over HTTP: scorers run as scoring jobs (`POST /v1/job`)."""
    raise NotFound(
        "function not found: Assay does not invoke functions (score rows with a scoring job, POST /v1/job)"
    )


@router.post("/api/ai_secret/get", response_model=list[dict[str, Any]])
def ai_secrets(who: Principal = Depends(caller)) -> Any:
    """No AI provider secrets are kept: `bt` asks at start-up and goes on with none."""
    return []

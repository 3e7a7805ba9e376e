"""Insert, fetch and feedback routes, identical for experiments, datasets and project logs."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Depends, Query
from starlette.concurrency import run_in_threadpool

from assay.api.deps import caller, services
from assay.api.fetch_params import FeedbackBody, FetchBody, InsertBody
from assay.api.models import FeedbackResponse, FetchResponse, InsertResponse, errors
from assay.api.responses import OrjsonResponse
from assay.services import ingest
from assay.services.auth import Principal
from assay.services.catalog import rows_owner
from assay.services.context import Services
from assay.store.base import ObjectRef


def _fetch(
    svc: Services, who: Principal, object_type: str, object_id: str, body: FetchBody
) -> dict[str, Any]:
    rows_owner(svc, who, object_type, object_id)
    page = svc.store.fetch(
        ObjectRef(object_type, object_id), limit=body.limit, cursor=body.cursor, version=body.snapshot()
    )
    out: dict[str, Any] = {"events": [orjson.Fragment(d) for d in page.documents]}  # spliced, not re-encoded
    if page.cursor:
        out["cursor"] = page.cursor
    return out


def add_row_routes(router: APIRouter, prefix: str, object_type: str) -> None:
    """Add `{prefix}/{id}/insert|fetch|feedback` for rows of `object_type`."""

    @router.post(
        f"{prefix}/{{object_id}}/insert",
        summary=f"Insert {object_type} events",
        response_model=InsertResponse,
        responses=errors(403, 404),
    )
    async def insert(
        object_id: str, body: InsertBody, who: Principal = Depends(caller), svc: Services = Depends(services)
    ) -> dict[str, Any]:
        ids = await run_in_threadpool(ingest.insert_events, svc, who, object_type, object_id, body.events)
        return {"row_ids": ids}

    @router.post(
        f"{prefix}/{{object_id}}/fetch",
        summary=f"Fetch {object_type} events",
        response_model=FetchResponse,
        responses=errors(404),
    )
    async def fetch_post(
        object_id: str,
        body: FetchBody | None = None,  # the SDK may post no body at all
        who: Principal = Depends(caller),
        svc: Services = Depends(services),
    ) -> OrjsonResponse:
        result = await run_in_threadpool(
            _fetch, svc, who, object_type, object_id, body or FetchBody.model_validate({})
        )
        return OrjsonResponse(result)

    @router.get(
        f"{prefix}/{{object_id}}/fetch",
        summary=f"Fetch {object_type} events (query form)",
        response_model=FetchResponse,
        responses=errors(404),
    )
    async def fetch_get(
        object_id: str,
        limit: int | None = Query(None, ge=1, le=100_000),
        cursor: str | None = None,
        max_xact_id: str | None = None,
        max_root_span_id: str | None = None,
        version: str | None = None,
        who: Principal = Depends(caller),
        svc: Services = Depends(services),
    ) -> OrjsonResponse:
        body = FetchBody(
            limit=limit,
            cursor=cursor,
            max_xact_id=max_xact_id,
            max_root_span_id=max_root_span_id,
            version=version,
        )
        return OrjsonResponse(await run_in_threadpool(_fetch, svc, who, object_type, object_id, body))

    @router.post(
        f"{prefix}/{{object_id}}/feedback",
        summary=f"Log feedback on {object_type} events",
        response_model=FeedbackResponse,
        responses=errors(403, 404),
    )
    async def feedback(
        object_id: str,
        body: FeedbackBody,
        who: Principal = Depends(caller),
        svc: Services = Depends(services),
    ) -> dict[str, Any]:
        await run_in_threadpool(ingest.feedback, svc, who, object_type, object_id, body.feedback)
        return {"status": "success"}

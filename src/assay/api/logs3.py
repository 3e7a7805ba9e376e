"""`POST /logs3`: the SDK's write path for experiments, datasets, project logs and feedback."""

from __future__ import annotations

from typing import Any

from fastapi import Depends
from starlette.concurrency import run_in_threadpool

from assay.api.deps import caller, json_body, services
from assay.api.models import AUTHENTICATED, Logs3Body, Logs3Response, errors, json_body_schema
from assay.api.routing import api_router
from assay.model.errors import InvalidInput
from assay.services.auth import Principal
from assay.services.context import Services
from assay.services.ingest import write_rows

router = api_router(tags=["logs"], responses=AUTHENTICATED)


@router.post(
    "/logs3",
    response_model=Logs3Response,
    responses=errors(403, 404),
    openapi_extra=json_body_schema(Logs3Body),
)
async def logs3(
    body: Any = Depends(json_body),
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    """Write one request's rows atomically; answer once they are durable."""
    if not isinstance(body, dict) or "rows" not in body:
        raise InvalidInput("body must be {'rows': [...], 'api_version': 2}")
    if isinstance(body["rows"], dict) and body["rows"].get("type") == "logs3_overflow":
        raise InvalidInput("overflow uploads are not supported; send rows inline")
    result, ids = await run_in_threadpool(write_rows, svc, who, body["rows"])
    return {"status": "success", "xact_id": result.xact_id, "row_ids": ids}

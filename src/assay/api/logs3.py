"""`POST /logs3`: the SDK's write path for experiments, datasets, project logs and feedback.

The SDK sends its rows in requests of 100 while the user's program keeps logging, and drops its
oldest unsent events when the server answers too slowly; so this route spends as little as it
can outside the write itself. The caller is authenticated in the same worker thread as the write
(one thread hop, not one per dependency), and the answer is encoded directly: its shape is
declared (`Logs3Response`) but not validated again per request.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from assay.api.deps import caller, json_body, services
from assay.api.models import AUTHENTICATED, Logs3Body, Logs3Response, errors, json_body_schema
from assay.api.responses import OrjsonResponse
from assay.api.routing import api_router
from assay.model.errors import InvalidInput
from assay.services.ingest import write_rows
from assay.store.base import WriteResult

router = api_router(tags=["logs"], responses=AUTHENTICATED)


def _write(request: Request, body: Any) -> tuple[WriteResult, list[str]]:
    who = caller(request)  # first, as a dependency would: an anonymous caller learns nothing more
    if not isinstance(body, dict) or "rows" not in body:
        raise InvalidInput("body must be {'rows': [...], 'api_version': 2}")
    if isinstance(body["rows"], dict) and body["rows"].get("type") == "logs3_overflow":
        raise InvalidInput("overflow uploads are not supported; send rows inline")
    return write_rows(services(request), who, body["rows"])


@router.post(
    "/logs3",
    response_model=Logs3Response,
    responses=errors(403, 404),
    openapi_extra=json_body_schema(Logs3Body),
)
async def logs3(request: Request) -> OrjsonResponse:
    """Write one request's rows atomically; answer once they are durable."""
    result, ids = await run_in_threadpool(_write, request, await json_body(request))
    return OrjsonResponse({"status": "success", "xact_id": result.xact_id, "row_ids": ids})

"""Downloading an experiment's table as CSV or JSON, streamed so a large experiment never sits in memory."""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote

from fastapi import Depends
from fastapi.responses import StreamingResponse
from pydantic import Field

from assay.api.deps import caller, services
from assay.api.models import AUTHENTICATED, errors
from assay.api.routing import api_router
from assay.services import exports
from assay.services.auth import Principal
from assay.services.catalog import get_object
from assay.services.context import Services
from assay.services.table_query import TableQuery

router = api_router(tags=["web app"], responses=AUTHENTICATED)


class ExportQuery(TableQuery):
    format: Literal["csv", "json"] = "csv"
    columns: list[str] | None = Field(None, description="Column paths to keep; omit for all fields")


@router.post(
    "/v1/experiment/{experiment_id}/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The rows as CSV (`format: csv`) or a JSON array (`format: json`), as a download",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            },
        },
        **errors(404, 408),
    },
)
def export_table(
    experiment_id: str, body: ExportQuery, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> StreamingResponse:
    """The filtered table as CSV or JSON (an array), in table order."""
    exp = get_object(svc, who, "experiment", experiment_id)
    chunks = exports.stream(svc, who, exp["id"], body, body.format, body.columns)
    media = "text/csv; charset=utf-8" if body.format == "csv" else "application/json"
    filename = quote(f"{exp['name']}.{body.format}")
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"}
    return StreamingResponse(chunks, media_type=media, headers=headers)

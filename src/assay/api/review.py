"""`/v1/{experiment|project_logs}/{id}/review`: a row's human review, and one reviewer's values
for it (Assay's route; the web app's scores panel and review mode use it). Reading needs read
on the rows, reviewing needs update on them: a review writes to the rows, as the reference's
feedback and merge inserts do. See `services.review_entry`."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import Depends, Query
from starlette.concurrency import run_in_threadpool

from assay.api.deps import caller, services
from assay.api.models import AUTHENTICATED, errors
from assay.api.routing import api_router
from assay.services import review_entry
from assay.services.auth import Principal
from assay.services.context import Services
from assay.services.review_entry import ReviewInput, ReviewState

router = api_router(tags=["human review"], responses={**AUTHENTICATED, **errors(403, 404)})
RowsType = Literal["experiment", "project_logs"]


@router.get("/v1/{object_type}/{object_id}/review", response_model=ReviewState)
async def get_review(
    object_type: RowsType,
    object_id: str,
    id: str = Query(min_length=1, max_length=1000, description="The row (a trace's row is its root span)"),
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> Any:
    """Every reviewer's values on a row, the row's combined values, its status and assignees."""
    return await run_in_threadpool(review_entry.state, svc, who, object_type, object_id, id)


@router.post("/v1/{object_type}/{object_id}/review", response_model=ReviewState)
async def review(
    object_type: RowsType,
    object_id: str,
    body: ReviewInput,
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> Any:
    """Set your review values on a row (each reviewer's are kept apart; numeric ones are
    averaged onto the row), mark its review complete, add a comment or tags."""
    return await run_in_threadpool(review_entry.record, svc, who, object_type, object_id, body)

"""The experiment table the web app shows, as a public API: pages, groups, views, fields."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import Depends
from starlette.concurrency import run_in_threadpool

from assay.api.deps import caller, services
from assay.api.models import (
    AUTHENTICATED,
    CheckResult,
    TableCount,
    TableFields,
    TableGroups,
    TablePage,
    TableSummary,
    TableViews,
    errors,
)
from assay.api.responses import OrjsonResponse
from assay.api.routing import api_router
from assay.services import tables
from assay.services.auth import Principal
from assay.services.context import Services
from assay.services.table_query import CheckQuery, GroupQuery, PageQuery, SummaryQuery, TableQuery

router = api_router(tags=["web app"], responses={**AUTHENTICATED, **errors(404, 408)})


@router.post("/v1/experiment/{experiment_id}/table", response_model=TablePage)
async def table_page(
    experiment_id: str, body: PageQuery, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> OrjsonResponse:
    """One page of table rows (traces or spans) matching the filters, and their total."""
    # Rows carry user JSON: encoded directly, as fetch does (see `model/json_encode.py`).
    return OrjsonResponse(await run_in_threadpool(tables.page, svc, who, experiment_id, body))


@router.post("/v1/experiment/{experiment_id}/table/count", response_model=TableCount)
async def table_count(
    experiment_id: str, body: TableQuery, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> dict[str, Any]:
    """How many rows match: asked for after the first page, so the rows are not held up by it."""
    return await run_in_threadpool(tables.count, svc, who, experiment_id, body)


@router.post("/v1/experiment/{experiment_id}/table/groups", response_model=TableGroups)
async def table_groups(
    experiment_id: str, body: GroupQuery, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> OrjsonResponse:
    """Per-group counts and score/metric averages, optionally with the comparison's averages."""
    # Group keys can be user JSON values: encoded directly, as fetch does.
    return OrjsonResponse(await run_in_threadpool(tables.groups, svc, who, experiment_id, body))


@router.post(
    "/v1/experiment/{experiment_id}/table/summary",
    response_model=TableSummary,
    response_model_exclude_unset=True,
)
async def table_summary(
    experiment_id: str,
    body: SummaryQuery,
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    """Score and metric averages over the rows the filters keep (the header statistics and the
    Summary layouts), optionally against a comparison experiment over the same filters."""
    return await run_in_threadpool(tables.summary, svc, who, experiment_id, body)


@router.post("/v1/experiment/{experiment_id}/table/check", response_model=CheckResult)
def table_check(
    experiment_id: str, body: CheckQuery, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> dict[str, Any]:
    """Check a SQL filter or a custom column on its own, without running a query: `valid`, and
    otherwise the `message` with its `line` and `column` in the text."""
    tables.rows_owner(svc, who, "experiment", experiment_id)
    return tables.check(svc, body)


@router.get("/v1/experiment/{experiment_id}/table/views", response_model=TableViews)
def table_views(
    experiment_id: str,
    row_type: Literal["traces", "spans"] = "traces",
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    """The built-in views (Default, Non-errors, Errors, Scorer errors, Unreviewed, Assigned to me)."""
    return {"objects": tables.builtin_views(svc, who, experiment_id, row_type)}


@router.get("/v1/experiment/{experiment_id}/table/fields", response_model=TableFields)
async def table_fields(
    experiment_id: str, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> dict[str, Any]:
    """Inferred fields: score names, metric names and metadata keys seen in the experiment."""
    return await run_in_threadpool(tables.fields, svc, who, experiment_id)

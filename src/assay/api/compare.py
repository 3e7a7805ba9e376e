"""Comparing a base experiment with up to 7 others: summary with paired statistics, histograms."""

from __future__ import annotations

from fastapi import Depends, Query
from starlette.concurrency import run_in_threadpool

from assay.api.deps import caller, services
from assay.api.models import AUTHENTICATED, TableCount, errors
from assay.api.responses import OrjsonResponse
from assay.api.routing import api_router
from assay.model.comparison import (
    MAX_COMPARED,
    CompareGroups,
    CompareRowsPage,
    ComparisonHistograms,
    ComparisonSummary,
)
from assay.services import compare, compare_filters
from assay.services import compare_groups as compare_groups_service
from assay.services import compare_rows as compare_rows_service
from assay.services.auth import Principal
from assay.services.compare_filters import CompareHistogramsQuery, CompareSummaryQuery
from assay.services.compare_rows import CompareGroupsQuery, CompareQuery, CompareRowsQuery
from assay.services.context import Services

router = api_router(tags=["compare"], responses={**AUTHENTICATED, **errors(404, 408)})

With = Query(
    [],
    alias="with",
    description=f"The experiments compared with the base (ids, or names in its project); at most {MAX_COMPARED}",
)


@router.get("/v1/experiment/{experiment_id}/compare")
async def compare_summary(
    experiment_id: str,
    others: list[str] = With,
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> ComparisonSummary:
    """Every score and metric of the base (the path's experiment) and of each other experiment:
    means, differences, improvements and regressions against the base, and a paired t-test (mean
    difference over matched test cases, 95% confidence interval, p-value, n)."""
    return await run_in_threadpool(compare.summary, svc, who, experiment_id, others)


@router.post("/v1/experiment/{experiment_id}/compare/summary")
async def compare_filtered_summary(
    experiment_id: str,
    body: CompareSummaryQuery,
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> ComparisonSummary:
    """The comparison's summary (as `GET …/compare`) over the traces the table's filters, search
    and custom columns keep in each experiment, as `POST …/table/summary` counts them for one: the
    header statistics and the Summary layouts of a comparison under a filter."""
    return await run_in_threadpool(compare_filters.summary, svc, who, experiment_id, body)


@router.post("/v1/experiment/{experiment_id}/compare/histograms")
async def compare_filtered_histograms(
    experiment_id: str,
    body: CompareHistogramsQuery,
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> ComparisonHistograms:
    """Each score's distribution (as `GET …/compare/histograms`) over the traces the table's
    filters keep in each experiment."""
    return await run_in_threadpool(compare_filters.histograms, svc, who, experiment_id, body)


@router.get("/v1/experiment/{experiment_id}/compare/histograms")
async def compare_histograms(
    experiment_id: str,
    others: list[str] = With,
    bins: int = Query(10, ge=1, le=compare.MAX_BINS, description="Equal bins over [0, 1]"),
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> ComparisonHistograms:
    """Each score's distribution over traces, for the base and each other experiment."""
    return await run_in_threadpool(compare.histograms, svc, who, experiment_id, others, bins)


@router.post("/v1/experiment/{experiment_id}/compare/rows", response_model=CompareRowsPage)
async def compare_rows(
    experiment_id: str,
    body: CompareRowsQuery,
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> OrjsonResponse:
    """A page of the experiment's trace rows (filters, search and sort as in the table), each with
    the base's and every other compared experiment's test case (matched by comparison key): scores,
    metrics, the matched trace, and deltas against the base. `change` keeps only the rows whose test
    case improved or regressed in one experiment."""
    found = await run_in_threadpool(compare_rows_service.page, svc, who, experiment_id, body)
    return OrjsonResponse(found.model_dump())  # rows hold user JSON: orjson, not pydantic, encodes it


@router.post("/v1/experiment/{experiment_id}/compare/count", response_model=TableCount)
async def compare_count(
    experiment_id: str,
    body: CompareQuery,
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> dict[str, int]:
    """How many rows the same comparison query matches."""
    return {"total": await run_in_threadpool(compare_rows_service.count, svc, who, experiment_id, body)}


@router.post("/v1/experiment/{experiment_id}/compare/groups", response_model=CompareGroups)
async def compare_groups(
    experiment_id: str,
    body: CompareGroupsQuery,
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> OrjsonResponse:
    """Per group: every compared experiment's count, score and metric means, and its improvements
    and regressions against the base."""
    found = await run_in_threadpool(compare_groups_service.groups, svc, who, experiment_id, body)
    return OrjsonResponse(found.model_dump())  # a group's value is user JSON

"""The trace view's routes: a trace's skeleton, one span in full, search, and whole spans by page.

For experiments, datasets and project logs alike (`/v1/{object_type}/{object_id}/trace/…`; for
project logs the object id is the project's id). Each handler calls one function of
`assay.services.traces`, which runs its statements through the query layer.
"""

from __future__ import annotations

from fastapi import Depends, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from assay.api.deps import caller, services
from assay.api.models import AUTHENTICATED, errors
from assay.api.responses import OrjsonResponse
from assay.api.routing import api_router
from assay.services import traces
from assay.services.auth import Principal
from assay.services.context import Services
from assay.services.traces import SpanDetail, SpanNames, TraceObject, TraceSearch, TraceSkeleton, TraceSpans

router = api_router(tags=["traces"], responses={**AUTHENTICATED, **errors(404, 408)})
TRACE = "/v1/{object_type}/{object_id}/trace/{root_span_id}"


@router.get(TRACE, response_model=TraceSkeleton)
async def trace_skeleton(
    object_type: TraceObject,
    object_id: str,
    root_span_id: str,
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> OrjsonResponse:
    """Every span of the trace, compact and in start order: ids, parent index, name, type, timing,
    error flag, tokens, cost and scores, as parallel lists. No inputs or outputs: fetch a span's
    fields with the span route when it is selected."""
    found = await run_in_threadpool(traces.skeleton, svc, who, object_type, object_id, root_span_id)
    # Returned as is: the model is built from checked query results, and validating or dumping
    # 30,000-span lists through pydantic again would cost a good part of the query's time.
    return OrjsonResponse({**found.__dict__, "spans": found.spans.__dict__})


@router.get(TRACE + "/span/{span_id}")
async def trace_span(
    object_type: TraceObject,
    object_id: str,
    root_span_id: str,
    span_id: str,
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> SpanDetail:
    """One span's full row (input, output, expected, metadata, scores, metrics, error, tags,
    comments…) and the score spans under it, whose output and metadata explain each score."""
    return await run_in_threadpool(traces.span, svc, who, object_type, object_id, root_span_id, span_id)


@router.get(TRACE + "/search")
async def trace_search(
    object_type: TraceObject,
    object_id: str,
    root_span_id: str,
    q: str = Query(min_length=1, max_length=1000, description="Text to find (case-insensitive)"),
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> TraceSearch:
    """The ids of the spans of the trace whose name, input, output, expected, metadata or error
    contain `q`, searched in the database (the browser holds only the skeleton)."""
    return await run_in_threadpool(traces.search, svc, who, object_type, object_id, root_span_id, q)


@router.get(TRACE + "/spans")
async def trace_spans(
    object_type: TraceObject,
    object_id: str,
    root_span_id: str,
    offset: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=1000),
    type: list[str] | None = Query(None, max_length=20, description="Only spans of these types (e.g. llm)"),
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> TraceSpans:
    """Whole spans of the trace in start order, a page at a time, and how many there are."""
    return await run_in_threadpool(
        traces.spans_page, svc, who, object_type, object_id, root_span_id, offset, limit, type
    )


class SpanNamesQuery(BaseModel):
    span_ids: list[str] = Field(max_length=1000, description="Span ids to name (at most 1,000)")


@router.post("/v1/{object_type}/{object_id}/span_names")
async def span_names(
    object_type: TraceObject,
    object_id: str,
    body: SpanNamesQuery,
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> SpanNames:
    """The name and type of each given span of the object (the spans table names parents this way)."""
    return await run_in_threadpool(traces.span_names, svc, who, object_type, object_id, body.span_ids)

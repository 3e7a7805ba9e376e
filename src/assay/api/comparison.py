"""The TypeScript SDK's summary routes: `/experiment-comparison2` and `/dataset-summary` (§4.7, §4.8).

Both answer from the same summaries as `/v1/experiment/{id}/summarize` and
`/v1/dataset/{id}/summarize`, reshaped. The SDK asks `/api/base_experiment/get_id` for the
comparison first and passes it as `base_experiment_id`; without one nothing is compared.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from assay.api.deps import base_url, caller, services
from assay.api.models import AUTHENTICATED, errors
from assay.api.routing import api_router
from assay.model.ts_sdk import DatasetSummary, ExperimentComparison
from assay.services import summaries
from assay.services.auth import Principal
from assay.services.context import Services

router = api_router(tags=["typescript sdk"], responses={**AUTHENTICATED, **errors(403, 404, 409)})


@router.get("/experiment-comparison2", response_model=ExperimentComparison, response_model_exclude_none=True)
async def experiment_comparison(
    request: Request,
    experiment_id: str = Query(min_length=1),
    base_experiment_id: str | None = None,
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> Any:
    """Score and metric averages, with diffs, improvements and regressions against the base."""
    summary = await run_in_threadpool(
        summaries.summarize_experiment,
        svc,
        who,
        experiment_id,
        base_url=base_url(request),
        comparison_experiment_id=base_experiment_id or None,
        fallback=False,
    )
    return {"scores": summary["scores"] or {}, "metrics": summary["metrics"] or {}}


@router.get("/dataset-summary", response_model=DatasetSummary)
def dataset_summary(
    request: Request,
    dataset_id: str = Query(min_length=1),
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> Any:
    summary = summaries.summarize_dataset(svc, who, dataset_id, base_url=base_url(request))
    return summary["data_summary"]

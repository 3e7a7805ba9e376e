"""`/v1/job`: retrospective scoring as durable background jobs (Assay's routes)."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Query

from assay.api.deps import caller, services
from assay.api.routing import api_router
from assay.services.auth import Principal
from assay.services.context import Services
from assay.services.jobs import service
from assay.services.jobs.model import CreateScoreJob, JobList, JobOut

router = api_router(tags=["scoring"])


@router.post("/v1/job", response_model=JobOut)
def create_job(
    body: CreateScoreJob, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    """Queue a job. `kind: "score"` runs scorers, classifiers and facets over rows (the selection,
    or every row matching a filter) and writes each result as a new span in the row's trace.
    Follow it with `GET /v1/job/{id}`."""
    return service.job_out(service.create_score_job(svc, who, body))


@router.get("/v1/job", response_model=JobList)
def list_jobs(
    project_id: str | None = None,
    object_id: str | None = Query(None, description="Only jobs over this experiment (or project's logs)"),
    limit: int = Query(50, ge=1, le=1000),
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> Any:
    jobs = service.list_jobs(svc, who, project_id=project_id, object_id=object_id, limit=limit)
    return {"objects": [service.job_out(j) for j in jobs]}


@router.get("/v1/job/{job_id}", response_model=JobOut)
def get_job(job_id: str, who: Principal = Depends(caller), svc: Services = Depends(services)) -> Any:
    """The job's state and progress."""
    return service.job_out(service.get_job(svc, who, job_id))


@router.post("/v1/job/{job_id}/cancel", response_model=JobOut)
def cancel_job(job_id: str, who: Principal = Depends(caller), svc: Services = Depends(services)) -> Any:
    """Stop the job: rows not started are left alone; results written so far stay."""
    return service.job_out(service.cancel_job(svc, who, job_id))

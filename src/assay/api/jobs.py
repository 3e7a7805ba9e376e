"""`/v1/job`: retrospective scoring and topics as durable background jobs (Assay's routes)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import Discriminator, Tag

from assay.api.deps import caller, services
from assay.api.models import AUTHENTICATED, errors
from assay.api.routing import api_router
from assay.services.auth import Principal
from assay.services.context import Services
from assay.services.jobs import service
from assay.services.jobs.model import CreateScoreJob, CreateTopicsJob, JobList, JobOut

router = api_router(tags=["scoring"], responses={**AUTHENTICATED, **errors(403, 404)})


def _kind(body: Any) -> str:
    """A job request's kind: `score` unless it says otherwise (the first kind needed none)."""
    found = body.get("kind", "score") if isinstance(body, dict) else getattr(body, "kind", "score")
    return found if found in ("score", "topics") else "score"


CreateJob = Annotated[
    Annotated[CreateScoreJob, Tag("score")] | Annotated[CreateTopicsJob, Tag("topics")],
    Discriminator(_kind),
]


@router.post("/v1/job", response_model=JobOut)
def create_job(body: CreateJob, who: Principal = Depends(caller), svc: Services = Depends(services)) -> Any:
    """Queue a job. `kind: "score"` runs scorers, classifiers and facets over rows (the selection,
    or every row matching a filter) and writes each result as a new span in the row's trace;
    `kind: "topics"` clusters the traces into named topics and labels each trace with its topic
    (the topics, counts and shares are the finished job's `result`). Follow it with
    `GET /v1/job/{id}`."""
    if isinstance(body, CreateTopicsJob):
        return service.job_out(service.create_topics_job(svc, who, body))
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

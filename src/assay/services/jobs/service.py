"""Creating, reading and cancelling background jobs (`/v1/job`, `assay score`).

A scoring job is checked whole when it is created: the caller may update the rows' object, every
scorer exists and can run here (an LLM judge needs the configured LLM), and the rows are chosen
then — the ids given, or every row matching a table filter at that moment. What each scorer
computes is frozen into the job (the function's definition and version), so editing a scorer
while a job runs does not change what that job writes. The work itself happens in the workers
(`assay.services.jobs.worker`), in any server sharing the database.

These are also the assistant's tools for starting and following scoring jobs.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from sqlglot import exp

from assay.model.errors import InvalidInput, NotFound
from assay.model.objects import utcnow
from assay.query import Source
from assay.query.parse import ParsedQuery
from assay.services.auth import Action, Principal, Resource, require
from assay.services.catalog import rows_owner
from assay.services.context import Services
from assay.services.functions import get_function
from assay.services.jobs.model import MAX_JOB_ROWS, CreateScoreJob, CreateTopicsJob, JobOut, ScorerRef
from assay.services.queries import run_parsed
from assay.services.scorers.resolve import runner
from assay.services.table_query import Built, TableQuery, shape_of
from assay.store.jobs import Job

MAX_ID_LENGTH = 1024


def _principal_record(who: Principal) -> dict[str, Any]:
    """Who created a job, as stored: the job's writes are checked as theirs."""
    return {k: v for k, v in asdict(who).items() if isinstance(v, str)}


def _owner(
    svc: Services, who: Principal, object_type: str, object_id: str, action: Action
) -> tuple[dict[str, Any], str]:
    doc = rows_owner(svc, who, object_type, object_id, action)
    return doc, doc["id"] if object_type == "project_logs" else doc["project_id"]


def scorer_spec(svc: Services, who: Principal, ref: ScorerRef) -> dict[str, Any]:
    """What a job runs for `ref`: a stored function's whole definition, or a built-in reference."""
    if ref.type == "function":
        if not ref.id:
            raise InvalidInput("a scorer of type 'function' needs its id")
        return {"type": "function", "doc": get_function(svc, who, ref.id)}
    if not ref.name:
        raise InvalidInput("a scorer of type 'global' needs the built-in's name, e.g. Levenshtein")
    return {
        "type": "global",
        "name": ref.name,
        "function_type": ref.function_type or "scorer",
        **({"args": ref.args} if ref.args else {}),
    }


def definition(spec: dict[str, Any]) -> dict[str, Any]:
    """The `runner` argument of a job's scorer entry."""
    return spec["doc"] if spec["type"] == "function" else spec


def _select_rows(svc: Services, body: CreateScoreJob) -> list[str]:
    if body.row_ids is not None:
        if not body.row_ids:
            raise InvalidInput("row_ids is empty: select rows, or pass a filter")
        for rid in body.row_ids:
            if not isinstance(rid, str) or not 0 < len(rid) <= MAX_ID_LENGTH:
                raise InvalidInput(f"row ids must be strings of 1 to {MAX_ID_LENGTH} characters")
        return list(dict.fromkeys(body.row_ids))
    q = body.filter or TableQuery()
    built = Built(q)
    select = built.select([exp.column("id")])
    select.set("limit", exp.Limit(expression=exp.Literal.number(MAX_JOB_ROWS + 1)))
    source = Source(body.object_type, (body.object_id,), shape_of(q.row_type))
    ids = [str(r["id"]) for r in run_parsed(svc, ParsedQuery(select), source).rows]
    if len(ids) > MAX_JOB_ROWS:
        raise InvalidInput(f"more than {MAX_JOB_ROWS} rows match; narrow the filter or score in parts")
    return ids


def _new_job(who: Principal, project_id: str, kind: str, spec: dict[str, Any]) -> Job:
    now = utcnow().isoformat()
    return Job(
        id=str(uuid.uuid4()),
        org_id=who.org_id,
        project_id=project_id,
        kind=kind,
        state="queued",
        spec=spec,
        created=now,
        updated=now,
        created_by=_principal_record(who),
    )


def create_score_job(svc: Services, who: Principal, body: CreateScoreJob) -> Job:
    """Queue a scoring job over the chosen rows; see the module's docstring."""
    owner, project_id = _owner(svc, who, body.object_type, body.object_id, "update")
    scorers: list[dict[str, Any]] = []
    seen: set[str] = set()
    for ref in body.scorers:
        spec = scorer_spec(svc, who, ref)
        run = runner(svc, svc.llm, definition(spec), body.object_type, owner["id"])
        if run.needs_llm:
            svc.llm.require()
        if run.key in seen:
            continue
        seen.add(run.key)
        scorers.append(
            {
                **spec,
                "key": run.key,
                "name": run.name,
                "version": run.version,
                "function_type": run.function_type,
            }
        )
    body = body.model_copy(update={"object_id": owner["id"]})
    items = _select_rows(svc, body)
    spec = {
        "object_type": body.object_type,
        "object_id": owner["id"],
        "scorers": scorers,
        "selection": "rows" if body.row_ids is not None else "filter",
        **({"filter": body.filter.model_dump(mode="json")} if body.filter is not None else {}),
    }
    return svc.store.jobs.create(_new_job(who, project_id, "score", spec), items, svc.settings.job_chunk_rows)


def create_topics_job(svc: Services, who: Principal, body: CreateTopicsJob) -> Job:
    """Queue a topics job: one item, the object (`assay.services.topics`)."""
    owner, project_id = _owner(svc, who, body.object_type, body.object_id, "update")
    spec = {**body.model_dump(mode="json"), "object_id": owner["id"]}
    return svc.store.jobs.create(_new_job(who, project_id, "topics", spec), [owner["id"]], 1)


def get_job(svc: Services, who: Principal, job_id: str, action: Action = "read") -> Job:
    """The job, if `who` may `action` its project (404 when it may not read it)."""
    job = svc.store.jobs.get(job_id) if isinstance(job_id, str) else None
    if job is None:
        raise NotFound(f"job {job_id!r} not found")
    require(
        svc.policy,
        who,
        action,
        Resource("project", job.project_id, job.org_id, job.project_id),
        f"job {job_id!r}",
    )
    return job


def list_jobs(
    svc: Services,
    who: Principal,
    *,
    project_id: str | None = None,
    object_id: str | None = None,
    limit: int = 50,
) -> list[Job]:
    """Jobs the caller may read, newest first."""
    jobs = svc.store.jobs.list_jobs(who.org_id, project_id=project_id, object_id=object_id, limit=limit)
    return [
        j
        for j in jobs
        if svc.policy.can(who, "read", Resource("project", j.project_id, j.org_id, j.project_id))
    ]


def cancel_job(svc: Services, who: Principal, job_id: str) -> Job:
    """Stop a job: no more rows are started; what is written stays."""
    get_job(svc, who, job_id, "update")
    job = svc.store.jobs.cancel(job_id)
    assert job is not None
    return job


def job_out(job: Job) -> dict[str, Any]:
    """The API's view of a job (`JobOut`)."""
    spec = job.spec
    out = JobOut(
        id=job.id,
        kind=job.kind,
        state=job.state,
        project_id=job.project_id,
        object_type=spec.get("object_type"),
        object_id=spec.get("object_id"),
        created=job.created,
        updated=job.updated,
        finished=job.finished,
        total=job.total,
        done=job.done,
        failed=job.failed,
        progress=(job.done + job.failed) / job.total if job.total else 1.0,
        scorers=[
            {k: s.get(k) for k in ("key", "name", "function_type", "version")}
            for s in spec.get("scorers") or []
        ],
        error=job.error,
        result=job.result,
    )
    return out.model_dump()

"""The analysis assistant's deterministic analyses as routes: `/v1/experiment/{id}/analysis/<kind>`.

Each route resolves the experiment for the caller (one lookup, one access decision, in
`services.analysis.scope.Scope`) and runs one analysis; the web app's assistant panel and
`assay analyze` use exactly these routes.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from assay.api.deps import caller, services
from assay.api.models import AUTHENTICATED, errors
from assay.api.responses import OrjsonResponse
from assay.api.routing import api_router
from assay.services.analysis import (
    agent,
    agreement,
    changes,
    codegen,
    conversations,
    error_groups,
    slices,
    to_dataset,
)
from assay.services.analysis.agent import ChatAnswer, ChatRequest
from assay.services.analysis.codegen import CodeQuery, GeneratedCode
from assay.services.analysis.models import (
    AgreementQuery,
    AgreementReport,
    ChangesQuery,
    ChangesReport,
    ErrorQuery,
    ErrorReport,
    SliceQuery,
    SliceReport,
)
from assay.services.analysis.scope import Scope
from assay.services.analysis.to_dataset import DatasetFromRows, DatasetFromRowsResult
from assay.services.auth import Principal
from assay.services.context import Services

# The shared error body, with descriptions that say what these routes check.
ERRORS: dict[int | str, dict[str, Any]] = {
    **AUTHENTICATED,
    **errors(404, 408),
    400: {
        **AUTHENTICATED[400],
        "description": "Bad input: the message names the field, score, key or filter position",
    },
    404: {
        **errors(404)[404],
        "description": "No such experiment (or dataset), or not readable with this key",
    },
}
router = api_router(tags=["analysis"], responses=ERRORS)
PREFIX = "/v1/experiment/{experiment_id}/analysis"


@router.post(f"{PREFIX}/changes", response_model=ChangesReport)
async def analysis_changes(
    experiment_id: str,
    body: ChangesQuery,
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    """What improved and what regressed against the base (the one given, else the stored base,
    else the previous experiment), per score, with the test cases that moved most."""

    def run() -> dict[str, Any]:
        return changes.analyze(Scope(svc, who, experiment_id), body).model_dump()

    return await run_in_threadpool(run)


@router.post(f"{PREFIX}/slices", response_model=SliceReport)
async def analysis_slices(
    experiment_id: str, body: SliceQuery, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> OrjsonResponse:
    """Metadata values and pairs of values whose scores are significantly below the rest of the
    experiment (Welch's test, Holm-adjusted), worst first, with n, effect size, confidence
    interval and the lowest-scoring traces of each."""

    def run() -> dict[str, Any]:
        return slices.analyze(Scope(svc, who, experiment_id), body).model_dump()

    # Slice values are user JSON: encoded directly.
    return OrjsonResponse(await run_in_threadpool(run))


@router.post(f"{PREFIX}/errors", response_model=ErrorReport)
async def analysis_errors(
    experiment_id: str, body: ErrorQuery, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> OrjsonResponse:
    """Errors and scorer failures grouped into categories: messages that differ only in numbers,
    ids, hex, quoted strings, paths or URLs are one category; counts and example spans."""

    def run() -> dict[str, Any]:
        return error_groups.analyze(Scope(svc, who, experiment_id), body).model_dump()

    return OrjsonResponse(await run_in_threadpool(run))


@router.post(f"{PREFIX}/agreement", response_model=AgreementReport)
async def analysis_agreement(
    experiment_id: str,
    body: AgreementQuery,
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    """How much each pair of scores agrees (correlation, pass/fail agreement, Cohen's kappa),
    least agreeing first; with `human` scores named, the scorers ranked against them."""

    def run() -> dict[str, Any]:
        return agreement.analyze(Scope(svc, who, experiment_id), body).model_dump()

    return await run_in_threadpool(run)


@router.post(
    f"{PREFIX}/dataset",
    response_model=DatasetFromRowsResult,
    responses={403: {**errors(403)[403], "description": "The key may not write the dataset"}},
)
async def analysis_dataset(
    experiment_id: str,
    body: DatasetFromRows,
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> OrjsonResponse:
    """Create a dataset (or add to one) from chosen rows or the rows matching filters, through the
    ordinary dataset insert path, each record keeping its `origin`. `dry_run` writes nothing."""

    def run() -> dict[str, Any]:
        return to_dataset.create(Scope(svc, who, experiment_id), body).model_dump()

    return OrjsonResponse(await run_in_threadpool(run))


@router.post(f"{PREFIX}/code", response_model=GeneratedCode)
async def analysis_code(
    experiment_id: str, body: CodeQuery, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> dict[str, Any]:
    """An `Eval()` script in Python and in TypeScript that re-runs a dataset with this
    experiment's scorers (autoevals scorers imported, others as stubs to fill in)."""

    def run() -> dict[str, Any]:
        return codegen.generate(Scope(svc, who, experiment_id), body).model_dump()

    return await run_in_threadpool(run)


class ConversationItem(BaseModel):
    id: str
    title: str
    experiment_id: str
    created: str


class ConversationList(BaseModel):
    objects: list[ConversationItem]


@router.post(
    "/v1/experiment/{experiment_id}/assistant/chat",
    response_model=ChatAnswer,
    responses={
        403: {**errors(403)[403], "description": "The key may not update the project"},
        502: {**errors(502)[502], "description": "The LLM endpoint failed"},
    },
)
async def assistant_chat(
    experiment_id: str, body: ChatRequest, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> OrjsonResponse:
    """One turn of the chat agent (needs an OpenAI-compatible LLM configured on the server): the
    model answers by calling the analyses, SQL and row fetches as tools; a tool that writes waits
    for `confirm`. The conversation is kept in the experiment's project."""

    def run() -> dict[str, Any]:
        return agent.chat(Scope(svc, who, experiment_id), body).model_dump()

    # Tool results carry user JSON: encoded directly.
    return OrjsonResponse(await run_in_threadpool(run))


@router.get("/v1/assistant/conversation/{conversation_id}", response_model=ChatAnswer)
async def assistant_conversation(
    conversation_id: str, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> OrjsonResponse:
    """A kept conversation, with its tool calls and what waits for confirmation."""

    def run() -> dict[str, Any]:
        return agent.answer_of(conversations.load(svc, who, conversation_id)).model_dump()

    return OrjsonResponse(await run_in_threadpool(run))


@router.get("/v1/project/{project_id}/assistant/conversations", response_model=ConversationList)
def assistant_conversations(
    project_id: str, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> dict[str, Any]:
    """The project's conversations, newest first."""
    found = conversations.list_for(svc, who, project_id)
    return {
        "objects": [
            {"id": d["id"], "title": d["title"], "experiment_id": d["experiment_id"], "created": d["created"]}
            for d in found
        ]
    }

"""The chat agent (with an OpenAI-compatible LLM configured): free questions answered by calling
the deterministic analyses, SQL and row fetches as tools (`agent_tools`).

One turn: the user's message is added to the conversation, then the LLM is asked (with the tool
declarations) until it answers without calling a tool, at most `MAX_STEPS` times; every call and
result is kept in the conversation and shown. A tool that writes (creating a dataset) is not run:
the turn ends with it `pending`, and the user's confirmation (or refusal) resumes the turn. The
rows an answer cites as `[trace:<id>]` are returned as citations when a tool result of this
conversation holds that id, so a link never points at an id the model made up.
"""

from __future__ import annotations

import re
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

from assay.model.errors import InvalidInput, UpstreamFailed
from assay.services.analysis import conversations
from assay.services.analysis.agent_tools import TOOLS, run_tool
from assay.services.analysis.scope import Scope
from assay.services.llm import LLMError

MAX_STEPS = 8
CITATION = re.compile(r"\[trace:([A-Za-z0-9_.:\-]{1,200})\]")
SYSTEM = (
    "You are Assay's analysis assistant for the experiment {name!r} (id {id}) of project {project!r}. "
    "Answer from this experiment's data only, by calling the tools; never invent numbers or ids. "
    "Cite each trace you rely on as [trace:<root_span_id>], with ids the tools returned. "
    "Say how sure a finding is (n, confidence interval, p-value) when a tool gives them. "
    "Creating a dataset writes data: propose it with the create_dataset tool and the user will be "
    "asked to confirm; do not claim it is done before the tool's result says so."
)


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: str | None = Field(None, max_length=200, description="Continue this conversation")
    message: str | None = Field(None, min_length=1, max_length=20_000, description="The user's message")
    confirm: bool | None = Field(
        None, description="The answer to the pending tool call that writes: true runs it, false declines it"
    )


class ToolCall(BaseModel):
    id: str
    name: str
    arguments: str = Field(description="JSON text of the arguments, as the model wrote them")
    writes: bool


class ChatMessage(BaseModel):
    role: Literal["user", "assistant", "tool"]
    content: str | None = None
    tool_calls: list[ToolCall] = Field(default_factory=list, description="Tools the assistant called")
    tool_call_id: str | None = Field(None, description="The call a tool message answers")
    name: str | None = Field(None, description="The tool a tool message comes from")


class Citation(BaseModel):
    root_span_id: str
    experiment_id: str


class ChatAnswer(BaseModel):
    conversation_id: str
    experiment_id: str
    messages: list[ChatMessage] = Field(description="The whole conversation, oldest first")
    pending: ToolCall | None = Field(None, description="A tool call that writes, waiting for `confirm`")
    citations: list[Citation] = Field(default_factory=list, description="Traces the last answer cites")


def chat(scope: Scope, q: ChatRequest) -> ChatAnswer:
    svc, who = scope.svc, scope.who
    svc.llm.require()
    if q.conversation_id is None:
        if q.message is None:
            raise InvalidInput("send a `message` to start a conversation")
        doc, created = conversations.new(svc, who, scope.experiment, q.message), True
    else:
        doc, created = conversations.load(svc, who, q.conversation_id, "update"), False
        if doc["experiment_id"] != scope.id:
            raise InvalidInput("this conversation is about another experiment")
    messages: list[dict[str, Any]] = doc["messages"]
    pending: list[dict[str, Any]] = doc["pending"]
    if pending:
        if q.confirm is None:
            raise InvalidInput(
                f"the tool call {pending[0]['function']['name']} waits for confirm: true or false"
            )
        first = pending.pop(0)
        if q.confirm:
            messages.append(_tool_message(scope, first))
        else:
            messages.append(
                _result(first, orjson.dumps({"declined": "the user declined this action"}).decode())
            )
    elif q.confirm is not None:
        raise InvalidInput("nothing waits for a confirmation in this conversation")
    if q.message is not None:
        if pending:
            raise InvalidInput("answer the pending tool call first")
        messages.append({"role": "user", "content": q.message})
    _run(scope, messages, pending)
    doc["messages"], doc["pending"] = messages, pending
    doc = conversations.save(svc, doc, created)
    return answer_of(doc)


def _run(scope: Scope, messages: list[dict[str, Any]], pending: list[dict[str, Any]]) -> None:
    """Run the remaining tool calls, then ask the model until it answers (or a write waits)."""
    for _ in range(MAX_STEPS):
        while pending:
            call = pending[0]
            tool = TOOLS.get(call["function"]["name"])
            if tool is not None and tool.writes:
                return  # the user decides
            messages.append(_tool_message(scope, pending.pop(0)))
        if messages and messages[-1]["role"] == "assistant" and not messages[-1].get("tool_calls"):
            return
        reply = _ask(scope, messages)
        messages.append(reply)
        pending.extend(reply.get("tool_calls") or [])
        if not pending:
            return
    messages.append({"role": "assistant", "content": f"I stopped after {MAX_STEPS} steps without an answer."})
    pending.clear()


def _ask(scope: Scope, messages: list[dict[str, Any]]) -> dict[str, Any]:
    project = scope.svc.store.get_object("project", scope.experiment["project_id"]) or {}
    system = SYSTEM.format(name=scope.experiment["name"], id=scope.id, project=project.get("name", ""))
    body = {
        "messages": [{"role": "system", "content": system}, *messages],
        "tools": [t.declaration() for t in TOOLS.values()],
    }
    try:
        answer = scope.svc.llm.chat(body)
        message = answer["choices"][0]["message"]
    except LLMError as exc:
        raise UpstreamFailed(str(exc)) from None
    except (KeyError, IndexError, TypeError):
        raise UpstreamFailed("the LLM answer has no choices[0].message") from None
    calls = [
        {
            "id": str(c["id"]),
            "type": "function",
            "function": {
                "name": str(c["function"]["name"]),
                "arguments": str(c["function"].get("arguments") or "{}"),
            },
        }
        for c in message.get("tool_calls") or []
        if isinstance(c, dict) and isinstance(c.get("function"), dict)
    ]
    out: dict[str, Any] = {"role": "assistant", "content": message.get("content")}
    if calls:
        out["tool_calls"] = calls
    return out


def _tool_message(scope: Scope, call: dict[str, Any]) -> dict[str, Any]:
    text, _ = run_tool(scope, call["function"]["name"], call["function"]["arguments"])
    return _result(call, text)


def _result(call: dict[str, Any], text: str) -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": call["id"], "name": call["function"]["name"], "content": text}


def _call(c: dict[str, Any]) -> ToolCall:
    tool = TOOLS.get(c["function"]["name"])
    return ToolCall(
        id=c["id"],
        name=c["function"]["name"],
        arguments=c["function"]["arguments"],
        writes=bool(tool and tool.writes),
    )


def answer_of(doc: dict[str, Any]) -> ChatAnswer:
    messages = doc["messages"]
    shown = [
        ChatMessage(
            role=m["role"],
            content=m.get("content"),
            tool_calls=[_call(c) for c in m.get("tool_calls") or []],
            tool_call_id=m.get("tool_call_id"),
            name=m.get("name"),
        )
        for m in messages
    ]
    last = next((m for m in reversed(messages) if m["role"] == "assistant" and m.get("content")), None)
    seen = " ".join(m["content"] for m in messages if m["role"] == "tool")
    cited = dict.fromkeys(CITATION.findall(last["content"])) if last else {}
    return ChatAnswer(
        conversation_id=doc["id"],
        experiment_id=doc["experiment_id"],
        messages=shown,
        pending=_call(doc["pending"][0]) if doc["pending"] else None,
        citations=[Citation(root_span_id=c, experiment_id=doc["experiment_id"]) for c in cited if c in seen],
    )

"""The demo's task: a small tool-using agent, traced through the SDK as a real agent would be.

Each test case becomes a trace with LLM spans (the conversation, in the variant's provider
format), a `tools` function span holding the tool spans it called (the support agent's tool calls
two nested functions of its own), and the final answer. A model API failure raises out of the
task: the SDK records it as the trace's error. On the research case the baseline never decides
it has read enough and pages through search results until its step limit: one trace of several
thousand spans, which the variants (who stop after two pages) do not have.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from assay.demo.chat import Chat
from assay.demo.model import Turn, answer, plan, run_tool
from assay.demo.variants import Variant

STEP_LIMIT = 800  # the runaway agent's steps: three spans each (step, model call, tool)


class StepLimitExceeded(RuntimeError):
    """The agent made `STEP_LIMIT` steps without answering."""


def question_of(input: Any) -> str:
    return str(input["question"]) if isinstance(input, dict) else str(input)


def make_task(variant: Variant) -> Any:
    """The task function `Eval()` calls for `variant`: (input, hooks) -> the final answer."""

    def task(input: Any, hooks: Any) -> str:
        metadata = dict(hooks.metadata or {})
        turn = Turn(
            variant, question_of(input), question_of(input), hooks.expected, metadata, hooks.trial_index
        )
        image = _chart_png(input)
        user = question_of(input)
        if isinstance(input, dict) and "legend" in input:
            user += " Legend: " + ", ".join(
                f"{colour} = {label}" for label, colour in input["legend"].items()
            )
        chat = Chat(turn, user, image)
        if metadata.get("category") == "research" and variant.name == "baseline":
            return _run_away(chat, turn)
        tool = plan(turn)
        if tool is not None:
            call_id = chat.call(tool=tool)
            assert call_id is not None
            chat.tool_result(call_id, _call_tools(tool, turn))
        reply = answer(turn)
        chat.call(text=reply)
        return reply

    return task


def _chart_png(input: Any) -> str | None:
    """The chart's bytes (base64) for the model's image input; the input holds it as an attachment."""
    chart = input.get("chart") if isinstance(input, dict) else None
    data = getattr(chart, "data", None)  # a ReadonlyAttachment when read back from the dataset
    return base64.b64encode(data).decode() if isinstance(data, bytes) else None


def _call_tools(tool: tuple[str, dict[str, Any]], turn: Turn) -> Any:
    import braintrust
    from braintrust.span_types import SpanTypeAttribute

    name, args = tool
    with braintrust.start_span(name="tools", type=SpanTypeAttribute.FUNCTION, input=[name]) as group:
        with braintrust.start_span(name=name, type=SpanTypeAttribute.TOOL, input=args) as span:
            result = _support(args, turn) if name == "lookup_order" else run_tool(name, args, turn)
            span.log(output=result)
        group.log(output={name: "ok"})
    return result


def _support(args: dict[str, Any], turn: Turn) -> dict[str, Any]:
    """The order tool: a database read, then the carrier's tracking for orders on their way."""
    import braintrust
    from braintrust.span_types import SpanTypeAttribute

    order = turn.metadata["order"]
    with braintrust.start_span(name="orders_db.get", type=SpanTypeAttribute.FUNCTION, input=args) as span:
        found = {"id": order["id"], "state": order["state"], "carrier": order["carrier"]}
        span.log(output=found, metadata={"table": "orders", "rows": 1})
    if order["state"] in ("shipped", "delayed"):
        query = {"carrier": order["carrier"], "order_id": order["id"]}
        with braintrust.start_span(
            name="track_shipment", type=SpanTypeAttribute.FUNCTION, input=query
        ) as span:
            found["eta_days"] = order["days"]
            span.log(output={"eta_days": order["days"], "status": order["state"]})
    return found


def _run_away(chat: Chat, turn: Turn) -> str:
    """The baseline on the research case: page after page of search results, never an answer."""
    import braintrust
    from braintrust.span_types import SpanTypeAttribute

    args: dict[str, Any] = {"query": "cites:'Attention Is All You Need'", "page": 1}
    for step in range(1, STEP_LIMIT + 1):
        with braintrust.start_span(name=f"step {step}", type=SpanTypeAttribute.FUNCTION) as span:
            call_id = chat.call(tool=("search_papers", args))
            assert call_id is not None
            with braintrust.start_span(name="search_papers", type=SpanTypeAttribute.TOOL, input=args) as tool:
                result = run_tool("search_papers", args, turn)
                tool.log(output=result)
            chat.tool_result(call_id, result)
            chat.messages[2:-2] = []  # the agent keeps only its latest call and result in context
            span.log(output={"read": len(result["results"])})
        args = {**args, "page": result["next_page"]}
    raise StepLimitExceeded(f"no answer after {STEP_LIMIT} steps ({json.dumps(args)})")

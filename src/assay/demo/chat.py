"""One conversation with the stand-in model, logged as LLM spans in its provider's own format.

OpenAI variants log what the SDK's OpenAI wrapper logs (input: the messages; output: the
`choices`, tool calls with JSON-string arguments, `tool` messages for results); Anthropic variants
log Anthropic messages (content blocks: `text`, `image`, `tool_use`, and `tool_result` blocks in
a user turn). Both carry the model's name and token counts, so the trace's cost is estimated.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from assay.demo.model import Turn, token_count

TOOLS = {
    "search": "Search an encyclopedia; returns the best matching snippet.",
    "calculator": "Evaluate an arithmetic expression exactly.",
    "convert": "Convert an amount between units.",
    "lookup_order": "Look up an order's state, carrier and delivery estimate.",
    "search_papers": "Search a citation index, one page of results at a time.",
}


class Chat:
    """The messages so far in the provider's format; `call` logs one model call as an LLM span."""

    def __init__(self, turn: Turn, user: str, image_png_b64: str | None = None) -> None:
        self.turn = turn
        self.anthropic = turn.variant.provider == "anthropic"
        content: Any = user
        if image_png_b64 is not None:
            image = (
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/png", "data": image_png_b64},
                }
                if self.anthropic
                else {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{image_png_b64}"}}
            )
            content = [{"type": "text", "text": user}, image]
        self.messages: list[dict[str, Any]] = [
            {"role": "system", "content": turn.variant.prompt},
            {"role": "user", "content": content},
        ]
        self.calls = 0

    def _id(self, prefix: str) -> str:
        seed = f"{self.turn.variant.name}|{self.turn.case_id}|{self.turn.trial}|{self.calls}"
        return prefix + hashlib.sha256(seed.encode()).hexdigest()[:20]

    def call(self, *, tool: tuple[str, dict[str, Any]] | None = None, text: str = "") -> str | None:
        """Log one call whose reply is `tool` (a tool call) or `text`; return the tool call's id."""
        import braintrust
        from braintrust.span_types import SpanTypeAttribute

        self.calls += 1
        variant = self.turn.variant
        name = "anthropic.messages.create" if self.anthropic else "Chat Completion"
        metadata = {
            "model": variant.model,
            "provider": variant.provider,
            "temperature": 0.7 if variant.trials > 1 else 0,
            "tools": [{"name": n, "description": d} for n, d in TOOLS.items()],
        }
        call_id = self._id("toolu_" if self.anthropic else "call_") if tool else None
        with braintrust.start_span(name=name, type=SpanTypeAttribute.LLM) as span:
            span.log(input=list(self.messages), metadata=metadata)
            failure = self.turn.upstream_error() if self.calls == 1 else None
            if failure is not None:
                raise failure
            message, output = self._reply(tool, text, call_id)
            prompt, completion = token_count(self.messages), token_count(message)
            span.log(
                output=output,
                metrics={
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                    "tokens": prompt + completion,
                },
            )
        self.messages.append(message)
        return call_id

    def _reply(
        self, tool: tuple[str, dict[str, Any]] | None, text: str, call_id: str | None
    ) -> tuple[dict[str, Any], Any]:
        if self.anthropic:
            text = text or (f"I'll use the {tool[0]} tool." if tool else "")
            blocks: list[dict[str, Any]] = [{"type": "text", "text": text}] if text else []
            if tool:
                blocks.append({"type": "tool_use", "id": call_id, "name": tool[0], "input": tool[1]})
            message: dict[str, Any] = {"role": "assistant", "content": blocks}
            output = {
                "id": self._id("msg_"),
                "type": "message",
                "model": self.turn.variant.model,
                **message,
                "stop_reason": "tool_use" if tool else "end_turn",
            }
            return message, output
        message = {"role": "assistant", "content": text or None}
        if tool:
            call = {
                "id": call_id,
                "type": "function",
                "function": {"name": tool[0], "arguments": json.dumps(tool[1])},
            }
            message["tool_calls"] = [call]
        finish = "tool_calls" if tool else "stop"
        return message, [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}]

    def tool_result(self, call_id: str, result: Any) -> None:
        """The tool's answer, as the next message of the conversation."""
        text = json.dumps(result, ensure_ascii=False)
        if self.anthropic:
            block = {
                "type": "tool_result",
                "tool_use_id": call_id,
                "content": [{"type": "text", "text": text}],
            }
            self.messages.append({"role": "user", "content": [block]})
        else:
            self.messages.append({"role": "tool", "tool_call_id": call_id, "content": text})

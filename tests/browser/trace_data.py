"""Traces logged through the public API for the trace view's tests and bench/trace.py: an OpenAI
and an Anthropic agent conversation with tool calls and an LLM judge, and one very large trace."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx

WEATHER_Q = "What's the weather in Paris?"
WEATHER_A = "It is 18°C and sunny in Paris."
FILES_Q = "How many files are in /tmp?"
FILES_A = "There are 3 files in /tmp."
RATIONALE = "The answer names the temperature and the sky, but not the source of the forecast."
DEEP = 20  # the big trace has a chain of spans this deep, the last named "deep-20"


def _span(
    eid: str, root: str, sid: str, parent: str | None, name: str, kind: str, t: float, **f: Any
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": sid,
        "span_id": sid,
        "root_span_id": root,
        "experiment_id": eid,
        "span_attributes": {"name": name, "type": kind},
        "metrics": {"start": t, "end": t + f.pop("took", 0.5), **f.pop("metrics", {})},
        **f,
    }
    if parent:
        row["span_parents"] = [parent]
    return row


def openai_trace(eid: str, t0: float = 1_800_000_000.0) -> list[dict[str, Any]]:
    """A weather agent: the model calls a tool, reads its result, answers; a judge scores it."""
    root = f"openai-{uuid.uuid4().hex[:8]}"
    system = {"role": "system", "content": "You are a weather assistant."}
    user = {"role": "user", "content": WEATHER_Q}
    call = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_w1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
            }
        ],
    }
    result = {"role": "tool", "tool_call_id": "call_w1", "content": '{"temp_c": 18, "sky": "sunny"}'}
    usage = {"prompt_tokens": 120, "completion_tokens": 18, "tokens": 138}
    return [
        _span(
            eid,
            root,
            root,
            None,
            "weather agent",
            "task",
            t0,
            took=3.0,
            input=WEATHER_Q,
            output=WEATHER_A,
            expected="18°C, sunny",
        ),
        _span(
            eid,
            root,
            f"{root}-llm1",
            root,
            "Chat Completion",
            "llm",
            t0 + 0.1,
            took=0.8,
            input=[system, user],
            output=[{"index": 0, "message": call, "finish_reason": "tool_calls"}],
            metadata={"model": "gpt-4o-mini"},
            metrics=usage,
        ),
        _span(
            eid,
            root,
            f"{root}-tool",
            f"{root}-llm1",
            "get_weather",
            "tool",
            t0 + 1.0,
            took=0.3,
            input={"city": "Paris"},
            output={"temp_c": 18, "sky": "sunny"},
        ),
        _span(
            eid,
            root,
            f"{root}-llm2",
            root,
            "Chat Completion",
            "llm",
            t0 + 1.4,
            took=0.9,
            input=[system, user, call, result],
            output=[
                {"index": 0, "message": {"role": "assistant", "content": WEATHER_A}, "finish_reason": "stop"}
            ],
            metadata={"model": "gpt-4o-mini"},
            metrics=usage,
        ),
        _span(
            eid,
            root,
            f"{root}-judge",
            root,
            "Factuality",
            "score",
            t0 + 2.5,
            took=0.4,
            scores={"Factuality": 0.6},
            output={"choice": "C", "score": 0.6},
            metadata={"rationale": RATIONALE},
        ),
    ]


def anthropic_trace(eid: str, t0: float = 1_800_000_100.0) -> list[dict[str, Any]]:
    """A files agent on Anthropic messages: text and tool_use blocks, then a tool_result."""
    root = f"anthropic-{uuid.uuid4().hex[:8]}"
    user = {"role": "user", "content": FILES_Q}
    use = {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "Let me look."},
            {"type": "tool_use", "id": "toolu_f1", "name": "list_files", "input": {"path": "/tmp"}},
        ],
    }
    result = {
        "role": "user",
        "content": [
            {
                "type": "tool_result",
                "tool_use_id": "toolu_f1",
                "content": [{"type": "text", "text": "a.txt b.txt c.txt"}],
            }
        ],
    }
    usage = {"prompt_tokens": 90, "completion_tokens": 30, "tokens": 120}
    return [
        _span(eid, root, root, None, "files agent", "task", t0, took=2.0, input=FILES_Q, output=FILES_A),
        _span(
            eid,
            root,
            f"{root}-llm1",
            root,
            "anthropic.messages.create",
            "llm",
            t0 + 0.1,
            took=0.7,
            input=[user],
            output={"type": "message", "stop_reason": "tool_use", **use},
            metadata={"model": "claude-3-5-haiku-latest"},
            metrics=usage,
        ),
        _span(
            eid,
            root,
            f"{root}-tool",
            root,
            "list_files",
            "tool",
            t0 + 0.9,
            took=0.1,
            input={"path": "/tmp"},
            output=["a.txt", "b.txt", "c.txt"],
        ),
        _span(
            eid,
            root,
            f"{root}-llm2",
            root,
            "anthropic.messages.create",
            "llm",
            t0 + 1.1,
            took=0.8,
            input=[user, use, result],
            output={"type": "message", "role": "assistant", "content": [{"type": "text", "text": FILES_A}]},
            metadata={"model": "claude-3-5-haiku-latest"},
            metrics=usage,
        ),
    ]


def big_trace(
    eid: str, spans: int = 30_000, input_bytes: int = 2048, root: str = "big-root"
) -> Iterator[dict[str, Any]]:
    """One trace of `spans` spans with `input_bytes` of input each: a chain `deep-1` … `deep-20`
    under the root, every other span a child of a chain span (so depths stay within 21); one in
    five is an LLM span with tokens. Start times increase with the span number."""
    t0 = 1_800_001_000.0
    chain = [root]
    filler = "lorem ipsum dolor sit amet " * (input_bytes // 27 + 1)
    yield _span(
        eid, root, root, None, "big trace", "task", t0, took=spans * 0.001, input=filler[:input_bytes]
    )
    for d in range(1, DEEP + 1):
        sid = f"deep-{d}"
        yield _span(
            eid,
            root,
            sid,
            chain[-1],
            sid,
            "function",
            t0 + d * 0.001,
            took=spans * 0.0009,
            input=f"the span {d} levels deep " + filler[: input_bytes - 40],
        )
        chain.append(sid)
    for i in range(DEEP + 1, spans):
        parent = chain[i % len(chain)]
        llm = i % 5 == 0
        yield _span(
            eid,
            root,
            f"s{i}",
            parent,
            f"step {i}",
            "llm" if llm else "function",
            t0 + i * 0.001,
            took=0.0008,
            input=filler[:input_bytes],
            output=f"out {i}",
            metrics={"prompt_tokens": 40, "completion_tokens": 10, "tokens": 50} if llm else {},
        )


def log_rows(
    url: str, key: str, rows: Iterator[dict[str, Any]] | list[dict[str, Any]], batch: int = 1000
) -> None:
    """Send rows through /logs3 in batches."""
    h = {"Authorization": f"Bearer {key}"}
    buf: list[dict[str, Any]] = []
    with httpx.Client(timeout=300, headers=h) as client:
        for row in rows:
            buf.append(row)
            if len(buf) >= batch:
                client.post(
                    url + "/logs3", content=json.dumps({"rows": buf, "api_version": 2})
                ).raise_for_status()
                buf = []
        if buf:
            client.post(
                url + "/logs3", content=json.dumps({"rows": buf, "api_version": 2})
            ).raise_for_status()

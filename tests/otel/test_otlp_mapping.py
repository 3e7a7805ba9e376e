"""OTLP spans become Assay rows: GenAI conventions, OpenInference, OpenLLMetry and `braintrust.*`
attributes mapped to input, output, metadata, metrics and span types; parents and timing kept;
routing by header, resource and span attribute (ring 1: the in-process app)."""

from __future__ import annotations

import gzip
import json
from typing import Any

import orjson
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from tests.conftest import Api
from tests.otel.otlp import PROTOBUF, START, export, span, trace_id

QUESTION = "Weather in Paris?"


def post(api: Api, request: ExportTraceServiceRequest, parent: str | None, **headers: str) -> Any:
    extra = {**PROTOBUF, **({"x-bt-parent": parent} if parent else {}), **headers}
    return api.post("/otel/v1/traces", content=request.SerializeToString(), headers=extra)


@pytest.fixture
def project(api: Api) -> dict[str, Any]:
    return api.post("/v1/project", json={"name": "otel"}).json()


def rows(api: Api, project_id: str) -> dict[str, dict[str, Any]]:
    """The project's log rows by span name."""
    events = api.get(f"/v1/project_logs/{project_id}/fetch").json()["events"]
    return {e["span_attributes"]["name"]: e for e in events}


def ingest(api: Api, project: dict[str, Any], *spans: Any, **kw: Any) -> dict[str, dict[str, Any]]:
    response = post(api, export(*spans, **kw), f"project_id:{project['id']}")
    assert response.status_code == 200, response.content
    assert response.headers["content-type"] == "application/x-protobuf"
    ExportTraceServiceResponse.FromString(response.content)  # a valid (empty) protobuf answer
    return rows(api, project["id"])


def test_genai_chat_span_maps_messages_tool_calls_tokens_model_and_cost(
    api: Api, project: dict[str, Any]
) -> None:
    trace = trace_id()
    call = {"type": "tool_call", "id": "call_1", "name": "get_weather", "arguments": {"city": "Paris"}}
    attrs = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
        "gen_ai.request.temperature": 0.5,
        "gen_ai.request.max_tokens": 200,
        "gen_ai.usage.input_tokens": 100,
        "gen_ai.usage.output_tokens": 20,
        "gen_ai.usage.cache_read.input_tokens": 40,
        "gen_ai.system_instructions": json.dumps([{"type": "text", "content": "Be brief."}]),
        "gen_ai.input.messages": json.dumps(
            [
                {"role": "user", "parts": [{"type": "text", "content": QUESTION}]},
                {"role": "assistant", "parts": [call]},
                {
                    "role": "tool",
                    "parts": [{"type": "tool_call_response", "id": "call_1", "response": "rainy"}],
                },
            ]
        ),
        "gen_ai.output.messages": json.dumps(
            [{"role": "assistant", "parts": [{"type": "text", "content": "Rainy."}], "finish_reason": "stop"}]
        ),
        "server.address": "api.openai.com",
    }
    row = ingest(api, project, span("chat gpt-4o-mini", trace, parent=b"\x01" * 8, attrs=attrs))[
        "chat gpt-4o-mini"
    ]
    assert row["span_attributes"]["type"] == "llm"
    assert row["input"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": QUESTION},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "type": "function",
                    "id": "call_1",
                    "function": {"name": "get_weather", "arguments": {"city": "Paris"}},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "rainy"},
    ]
    assert row["output"] == [{"role": "assistant", "content": "Rainy.", "finish_reason": "stop"}]
    assert row["metrics"]["prompt_tokens"] == 100
    assert row["metrics"]["completion_tokens"] == 20
    assert row["metrics"]["tokens"] == 120
    assert row["metrics"]["prompt_cached_tokens"] == 40
    # Mapped attributes are stored once (on their field); the rest stay in metadata under their names.
    assert row["metadata"] == {
        "model": "gpt-4o-mini",
        "provider": "openai",
        "temperature": 0.5,
        "max_tokens": 200,
        "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
        "server.address": "api.openai.com",
        "service.name": "tests",
    }
    summary = api.post(
        "/btql",
        json={"query": f"SELECT metrics FROM project_logs('{project['id']}', shape => 'summary')"},
    ).json()["data"][0]["metrics"]
    assert summary["estimated_cost"] > 0  # priced from metadata.model and the token counts
    assert summary["llm_calls"] == 1


def test_genai_messages_as_structured_attribute_values(api: Api, project: dict[str, Any]) -> None:
    """`gen_ai.input.messages` may be a structured AnyValue (a list of key-value lists), not JSON text."""
    attrs = {
        "gen_ai.operation.name": "chat",
        "gen_ai.input.messages": [{"role": "user", "parts": [{"type": "text", "content": QUESTION}]}],
        "gen_ai.output.messages": [{"role": "assistant", "parts": [{"type": "text", "content": "Rainy."}]}],
    }
    row = ingest(api, project, span("chat", trace_id(), attrs=attrs))["chat"]
    assert row["input"] == [{"role": "user", "content": QUESTION}]
    assert row["output"] == [{"role": "assistant", "content": "Rainy."}]


def test_openinference_spans(api: Api, project: dict[str, Any]) -> None:
    trace, root_id = trace_id(), b"\x02" * 8
    llm_attrs = {
        "openinference.span.kind": "LLM",
        "llm.model_name": "gpt-4o",
        "llm.provider": "openai",
        "llm.token_count.prompt": 30,
        "llm.token_count.completion": 5,
        "llm.token_count.total": 35,
        "llm.invocation_parameters": json.dumps({"temperature": 0.1, "max_tokens": 64}),
        "llm.input_messages.0.message.role": "system",
        "llm.input_messages.0.message.content": "Be brief.",
        "llm.input_messages.1.message.role": "user",
        "llm.input_messages.1.message.contents.0.message_content.type": "text",
        "llm.input_messages.1.message.contents.0.message_content.text": QUESTION,
        "llm.input_messages.1.message.contents.1.message_content.type": "image",
        "llm.input_messages.1.message.contents.1.message_content.image.image.url": "https://example.com/p.png",
        "llm.output_messages.0.message.role": "assistant",
        "llm.output_messages.0.message.tool_calls.0.tool_call.id": "c1",
        "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "get_weather",
        "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"city": "Paris"}',
        "llm.tools.0.tool.json_schema": json.dumps({"name": "get_weather"}),
        "input.value": '{"messages": []}',
        "input.mime_type": "application/json",
        "session.id": "s-1",
    }
    chain_attrs = {
        "openinference.span.kind": "CHAIN",
        "input.value": json.dumps({"question": QUESTION}),
        "input.mime_type": "application/json",
        "output.value": "Rainy.",
        "output.mime_type": "text/plain",
        "metadata": json.dumps({"user": "u-7"}),
        "tag.tags": ["prod", "eu"],
    }
    found = ingest(
        api,
        project,
        span("pipeline", trace, root_id, attrs=chain_attrs),
        span("ChatCompletion", trace, parent=root_id, attrs=llm_attrs),
    )
    llm, chain = found["ChatCompletion"], found["pipeline"]
    assert llm["span_attributes"]["type"] == "llm"
    assert llm["input"] == [
        {"role": "system", "content": "Be brief."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": QUESTION},
                {"type": "image_url", "image_url": {"url": "https://example.com/p.png"}},
            ],
        },
    ]
    assert llm["output"] == [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "type": "function",
                    "id": "c1",
                    "function": {"name": "get_weather", "arguments": {"city": "Paris"}},
                }
            ],
        }
    ]
    assert llm["metrics"]["prompt_tokens"] == 30 and llm["metrics"]["tokens"] == 35
    assert llm["metadata"]["model"] == "gpt-4o"
    assert llm["metadata"]["temperature"] == 0.1
    assert llm["metadata"]["tools"] == [{"name": "get_weather"}]
    assert llm["metadata"]["session.id"] == "s-1"
    assert llm["metadata"]["input.value"] == '{"messages": []}'  # messages won; the raw request is kept
    assert chain["span_attributes"]["type"] == "function"
    assert chain["input"] == {"question": QUESTION}
    assert chain["output"] == "Rainy."
    assert chain["metadata"]["user"] == "u-7"
    assert chain["tags"] == ["prod", "eu"]


def test_openllmetry_indexed_prompts_and_deprecated_usage_names(api: Api, project: dict[str, Any]) -> None:
    attrs = {
        "gen_ai.system": "anthropic",
        "gen_ai.request.model": "claude-3-5-haiku-latest",
        "gen_ai.usage.prompt_tokens": 11,
        "gen_ai.usage.completion_tokens": 3,
        "gen_ai.prompt.0.role": "user",
        "gen_ai.prompt.0.content": QUESTION,
        "gen_ai.completion.0.role": "assistant",
        "gen_ai.completion.0.content": "Rainy.",
        "gen_ai.completion.0.finish_reason": "stop",
        "gen_ai.completion.0.tool_calls.0.id": "t1",
        "gen_ai.completion.0.tool_calls.0.name": "lookup",
        "gen_ai.completion.0.tool_calls.0.arguments": '{"q": "paris"}',
    }
    row = ingest(api, project, span("anthropic.chat", trace_id(), attrs=attrs))["anthropic.chat"]
    assert row["span_attributes"]["type"] == "llm"  # a model attribute alone marks an LLM call
    assert row["input"] == [{"role": "user", "content": QUESTION}]
    assert row["output"] == [
        {
            "role": "assistant",
            "content": "Rainy.",
            "finish_reason": "stop",
            "tool_calls": [
                {"type": "function", "id": "t1", "function": {"name": "lookup", "arguments": {"q": "paris"}}}
            ],
        }
    ]
    assert (row["metrics"]["prompt_tokens"], row["metrics"]["completion_tokens"]) == (11, 3)
    assert row["metadata"]["provider"] == "anthropic"


def test_genai_message_events(api: Api, project: dict[str, Any]) -> None:
    """The older conventions put messages in span events: one per message, or one JSON prompt."""
    per_message = [
        ("gen_ai.system.message", {"content": "Be brief."}),
        ("gen_ai.user.message", {"content": QUESTION}),
        (
            "gen_ai.choice",
            {"index": 0, "finish_reason": "stop", "message": json.dumps({"content": "Rainy."})},
        ),
    ]
    whole = [
        ("gen_ai.content.prompt", {"gen_ai.prompt": json.dumps([{"role": "user", "content": QUESTION}])}),
        (
            "gen_ai.content.completion",
            {"gen_ai.completion": json.dumps([{"role": "assistant", "content": "Hi"}])},
        ),
    ]
    trace = trace_id()
    found = ingest(
        api,
        project,
        span("events", trace, attrs={"gen_ai.operation.name": "chat"}, events=per_message),
        span("content events", trace, attrs={"gen_ai.operation.name": "chat"}, events=whole),
    )
    assert found["events"]["input"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": QUESTION},
    ]
    assert found["events"]["output"] == [{"role": "assistant", "content": "Rainy.", "finish_reason": "stop"}]
    assert found["content events"]["input"] == [{"role": "user", "content": QUESTION}]
    assert found["content events"]["output"] == [{"role": "assistant", "content": "Hi"}]


@pytest.mark.parametrize(
    ("attrs", "is_root", "expected"),
    [
        ({"gen_ai.operation.name": "chat"}, False, "llm"),
        ({"gen_ai.operation.name": "embeddings"}, False, "llm"),
        ({"gen_ai.operation.name": "execute_tool"}, False, "tool"),
        ({"gen_ai.operation.name": "invoke_agent"}, True, "task"),
        ({"gen_ai.operation.name": "retrieval"}, False, "function"),
        ({"openinference.span.kind": "TOOL"}, False, "tool"),
        ({"openinference.span.kind": "AGENT"}, False, "task"),
        ({"openinference.span.kind": "EVALUATOR"}, False, "score"),
        ({"openinference.span.kind": "RETRIEVER"}, False, "function"),
        ({"gen_ai.tool.name": "search"}, False, "tool"),
        ({"braintrust.span_attributes": json.dumps({"type": "eval"})}, False, "eval"),
        ({}, True, "task"),
        ({}, False, "function"),
    ],
)
def test_span_types(
    api: Api, project: dict[str, Any], attrs: dict[str, Any], is_root: bool, expected: str
) -> None:
    s = span("s", trace_id(), parent=b"" if is_root else b"\x03" * 8, attrs=attrs)
    assert ingest(api, project, s)["s"]["span_attributes"]["type"] == expected


def test_tree_timing_and_errors(api: Api, project: dict[str, Any]) -> None:
    trace, root_id, child_id = trace_id(), b"\x0a" * 8, b"\x0b" * 8
    exception = {
        "exception.type": "KeyError",
        "exception.message": "'paris'",
        "exception.stacktrace": "Traceback…",
    }
    found = ingest(
        api,
        project,
        span("root", trace, root_id, duration_ms=1500),
        span(
            "child",
            trace,
            child_id,
            root_id,
            start=START + 250_000_000,
            error="lookup failed",
            events=[("exception", exception)],
        ),
        span(
            "grandchild",
            trace,
            parent=child_id,
            start=START + 300_000_000,
            error="",
            events=[("exception", exception)],
        ),
    )
    root, child, grandchild = found["root"], found["child"], found["grandchild"]
    assert {r["root_span_id"] for r in found.values()} == {trace.hex()}
    assert root["id"] == root["span_id"] == root_id.hex() and root["span_parents"] is None and root["is_root"]
    assert child["span_parents"] == [root_id.hex()] and not child["is_root"]
    assert grandchild["span_parents"] == [child_id.hex()]
    assert root["metrics"]["start"] == pytest.approx(START / 1e9)
    assert root["metrics"]["end"] - root["metrics"]["start"] == pytest.approx(1.5)
    assert root["created"] == "2026-01-01T00:00:00+00:00"
    assert root["error"] is None
    assert child["error"] == "lookup failed\nTraceback…"
    assert grandchild["error"] == "KeyError: 'paris'\nTraceback…"  # no status message: the exception's


def test_braintrust_attributes(api: Api, project: dict[str, Any]) -> None:
    """The reference product's own attributes set fields directly and win over the conventions."""
    attrs = {
        "braintrust.input_json": json.dumps({"q": 1}),
        "braintrust.output_json": json.dumps([1, 2]),
        "braintrust.expected": "two",
        "braintrust.metadata": json.dumps({"dataset": "d1"}),
        "braintrust.scores": json.dumps({"accuracy": 0.75}),
        "braintrust.metrics": json.dumps({"retries": 2}),
        "braintrust.tags": ["gold"],
        "input.value": "ignored",
    }
    row = ingest(api, project, span("bt", trace_id(), attrs=attrs))["bt"]
    assert (row["input"], row["output"], row["expected"]) == ({"q": 1}, [1, 2], "two")
    assert row["scores"] == {"accuracy": 0.75}
    assert row["metrics"]["retries"] == 2
    assert row["tags"] == ["gold"]
    assert row["metadata"]["dataset"] == "d1"
    assert "braintrust.scores" not in row["metadata"]


def test_routing_precedence_span_then_resource_then_header(api: Api, project: dict[str, Any]) -> None:
    other = api.post("/v1/project", json={"name": "other"}).json()
    exp = api.post("/v1/experiment", json={"project_id": project["id"], "name": "otel-exp"}).json()
    trace = trace_id()
    by_span = span("by span", trace, attrs={"braintrust.parent": f"experiment_id:{exp['id']}"})
    by_resource = span("by resource", trace)
    request = export(by_span, by_resource, resource={"braintrust.parent": f"project_id:{other['id']}"})
    request.resource_spans.add().scope_spans.add().spans.append(span("by header", trace))
    assert post(api, request, f"project_id:{project['id']}").status_code == 200
    assert set(rows(api, other["id"])) == {"by resource"}
    assert set(rows(api, project["id"])) == {"by header"}
    in_exp = api.get(f"/v1/experiment/{exp['id']}/fetch").json()["events"]
    assert [e["span_attributes"]["name"] for e in in_exp] == ["by span"]
    assert "braintrust.parent" not in (in_exp[0]["metadata"] or {})


def test_project_name_destination_creates_the_project_once(api: Api) -> None:
    for name in ("first", "second"):
        assert post(api, export(span(name, trace_id())), "project_name:new-from-otel").status_code == 200
    projects = api.get("/v1/project", params={"project_name": "new-from-otel"}).json()["objects"]
    matching = [p for p in projects if p["name"] == "new-from-otel"]
    assert len(matching) == 1
    assert set(rows(api, matching[0]["id"])) == {"first", "second"}


def test_json_encoding(api: Api, project: dict[str, Any]) -> None:
    """OTLP/JSON: hex ids, 64-bit integers as strings, enums as numbers, camelCase names."""
    doc = {
        "resourceSpans": [
            {
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "json-svc"}}]},
                "scopeSpans": [
                    {
                        "scope": {"name": "manual"},
                        "spans": [
                            {
                                "traceId": "5b8efff798038103d269b633813fc60c",
                                "spanId": "eee19b7ec3c1b174",
                                "parentSpanId": "",
                                "name": "chat json",
                                "kind": 3,
                                "startTimeUnixNano": "1767225600000000000",
                                "endTimeUnixNano": "1767225601000000000",
                                "attributes": [
                                    {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
                                    {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "7"}},
                                    {"key": "gen_ai.usage.output_tokens", "value": {"intValue": 2}},
                                    {
                                        "key": "gen_ai.input.messages",
                                        "value": {
                                            "stringValue": json.dumps([{"role": "user", "content": "hi"}])
                                        },
                                    },
                                    {
                                        "key": "extra",
                                        "value": {
                                            "kvlistValue": {
                                                "values": [
                                                    {"key": "n", "value": {"doubleValue": 1.5}},
                                                    {
                                                        "key": "flags",
                                                        "value": {
                                                            "arrayValue": {"values": [{"boolValue": True}]}
                                                        },
                                                    },
                                                ]
                                            }
                                        },
                                    },
                                ],
                                "status": {"code": 1},
                                "unknownFutureField": 1,
                            }
                        ],
                    }
                ],
            }
        ]
    }
    response = api.post(
        "/otel/v1/traces",
        content=orjson.dumps(doc),
        headers={"Content-Type": "application/json", "x-bt-parent": f"project_id:{project['id']}"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {}
    row = rows(api, project["id"])["chat json"]
    assert row["id"] == "eee19b7ec3c1b174" and row["root_span_id"] == "5b8efff798038103d269b633813fc60c"
    assert row["input"] == [{"role": "user", "content": "hi"}]
    assert (row["metrics"]["prompt_tokens"], row["metrics"]["completion_tokens"]) == (7, 2)
    assert row["metrics"]["end"] - row["metrics"]["start"] == pytest.approx(1.0)
    assert row["metadata"]["extra"] == {"n": 1.5, "flags": [True]}
    assert row["metadata"]["service.name"] == "json-svc"


def test_gzip_bodies_and_replays(api: Api, project: dict[str, Any]) -> None:
    request = export(span("zipped", trace_id(), attrs={"gen_ai.operation.name": "chat"}))
    body = gzip.compress(request.SerializeToString())
    headers = {**PROTOBUF, "Content-Encoding": "gzip", "x-bt-parent": f"project_id:{project['id']}"}
    assert api.post("/otel/v1/traces", content=body, headers=headers).status_code == 200
    first = rows(api, project["id"])["zipped"]
    # An exporter retries a failed export unchanged: the replay changes nothing.
    assert api.post("/otel/v1/traces", content=body, headers=headers).status_code == 200
    assert rows(api, project["id"])["zipped"]["_xact_id"] == first["_xact_id"]

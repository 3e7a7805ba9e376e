"""The real OpenTelemetry SDK and OTLP/HTTP exporter, configured only by the standard environment
variables, export a nested LLM trace to a real `assay serve`; it then reads back through the API
with its input, output, tokens, cost and span tree (ring 2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import Server
from tests.otel import export_trace

pytestmark = pytest.mark.e2e
SCRIPT = Path(export_trace.__file__)


def run_exporter(server: Server, **otel_env: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env.update(otel_env)
    done = subprocess.run([sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Failed to export" not in done.stderr, done.stderr
    return done.stdout.strip()


def project_named(server: Server, name: str) -> dict[str, Any]:
    auth = {"Authorization": f"Bearer {server.key}"}
    found = httpx.get(f"{server.url}/v1/project", headers=auth).json()["objects"]
    return next(p for p in found if p["name"] == name)


def trace_rows(server: Server, project_id: str, trace: str) -> dict[str, dict[str, Any]]:
    auth = {"Authorization": f"Bearer {server.key}"}
    events = httpx.get(f"{server.url}/v1/project_logs/{project_id}/fetch", headers=auth).json()["events"]
    return {e["span_attributes"]["name"]: e for e in events if e["root_span_id"] == trace}


def btql(server: Server, query: str) -> list[dict[str, Any]]:
    auth = {"Authorization": f"Bearer {server.key}"}
    response = httpx.post(f"{server.url}/btql", json={"query": query}, headers=auth)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def test_sdk_exports_a_nested_llm_trace(server: Server) -> None:
    trace = run_exporter(
        server,
        OTEL_EXPORTER_OTLP_ENDPOINT=f"{server.url}/otel",
        OTEL_EXPORTER_OTLP_HEADERS=f"Authorization=Bearer {server.key},x-bt-parent=project_name:otel-sdk",
    )
    project = project_named(server, "otel-sdk")
    spans = trace_rows(server, project["id"], trace)
    assert set(spans) == {
        "invoke_agent weather",
        "chat gpt-4o-mini",
        "execute_tool get_weather",
        "cache lookup",
        "ChatCompletion",
    }
    root = spans["invoke_agent weather"]
    assert root["is_root"] and root["span_parents"] is None
    assert root["span_attributes"]["type"] == "task"
    assert (root["input"], root["output"]) == (export_trace.QUESTION, export_trace.ANSWER)
    for name, row in spans.items():
        assert row["root_span_id"] == trace
        if name != "invoke_agent weather":
            assert row["span_parents"] == [root["span_id"]], name
            assert root["metrics"]["start"] <= row["metrics"]["start"] <= row["metrics"]["end"]
            assert row["metrics"]["end"] <= root["metrics"]["end"]

    chat = spans["chat gpt-4o-mini"]
    assert chat["span_attributes"]["type"] == "llm"
    assert chat["input"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": export_trace.QUESTION},
    ]
    assert chat["output"][0]["tool_calls"][0]["function"] == {
        "name": "get_weather",
        "arguments": {"city": "Paris"},
    }
    assert (chat["metrics"]["prompt_tokens"], chat["metrics"]["completion_tokens"]) == (42, 12)
    assert chat["metadata"]["model"] == "gpt-4o-mini" and chat["metadata"]["service.name"] == "weather-agent"

    tool = spans["execute_tool get_weather"]
    assert tool["span_attributes"]["type"] == "tool"
    assert (tool["input"], tool["output"]) == ({"city": "Paris"}, {"sky": "rainy", "temperature_f": 57})

    assert spans["cache lookup"]["error"].startswith("cache miss\nTraceback")
    openinference = spans["ChatCompletion"]
    assert openinference["span_attributes"]["type"] == "llm"
    assert openinference["input"][2] == {
        "role": "tool",
        "tool_call_id": "call_1",
        "content": '{"sky": "rainy", "temperature_f": 57}',
    }
    assert openinference["output"] == [{"role": "assistant", "content": export_trace.ANSWER}]

    # The trace through the query layer: one summary row with the trace's totals, priced.
    (summary,) = btql(
        server,
        f"SELECT * FROM project_logs('{project['id']}', shape => 'summary') WHERE root_span_id = '{trace}'",
    )
    assert summary["span_count"] == 5 and summary["has_error"]
    metrics = summary["metrics"]
    assert (metrics["prompt_tokens"], metrics["completion_tokens"], metrics["total_tokens"]) == (122, 21, 143)
    assert metrics["llm_calls"] == 2 and metrics["errors"] == 1
    assert metrics["estimated_cost"] > 0
    tree = btql(
        server,
        f"SELECT span_attributes.name AS name, span_parents FROM project_logs('{project['id']}') "
        f"WHERE root_span_id = '{trace}' AND is_root",
    )
    assert tree == [{"name": "invoke_agent weather", "span_parents": None}]


def test_sdk_with_gzip_and_a_signal_specific_endpoint(server: Server) -> None:
    """Exporters are also configured with the full traces URL, gzip, and a URL-encoded header."""
    auth = {"Authorization": f"Bearer {server.key}"}
    exp_project = httpx.post(f"{server.url}/v1/project", json={"name": "otel-exp"}, headers=auth).json()
    exp = httpx.post(
        f"{server.url}/v1/experiment", json={"project_id": exp_project["id"], "name": "run-1"}, headers=auth
    ).json()
    trace = run_exporter(
        server,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=f"{server.url}/otel/v1/traces",
        OTEL_EXPORTER_OTLP_TRACES_HEADERS=f"authorization=Bearer%20{server.key},x-bt-parent=experiment_id:{exp['id']}",
        OTEL_EXPORTER_OTLP_COMPRESSION="gzip",
    )
    events = httpx.get(f"{server.url}/v1/experiment/{exp['id']}/fetch", headers=auth).json()["events"]
    assert {e["root_span_id"] for e in events} == {trace}
    assert len(events) == 5
    summary = httpx.get(f"{server.url}/v1/experiment/{exp['id']}/summarize", headers=auth).json()
    assert summary["metrics"]["prompt_tokens"]["metric"] == 122
    assert summary["metrics"]["llm_calls"]["metric"] == 2

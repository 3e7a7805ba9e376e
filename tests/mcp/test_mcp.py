"""The MCP SDK's own client lists Assay's tools and runs each against a real `assay serve`, over the
streamable HTTP transport at /mcp and over stdio through `assay mcp`; tool answers agree with the
REST API, and a caller without access is refused exactly as the API refuses it (ring 2)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import anyio
import httpx
import httpx2
import pytest
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult

from mcp import Client, StdioServerParameters
from tests.conftest import ASSAY, Server, database_url, start_server

pytestmark = pytest.mark.e2e
Mode = Literal["auto", "legacy"]
TOOLS = {"list_projects", "list_experiments", "query", "summarize_experiment", "get_trace", "permalink"}


@dataclass
class Seeded:
    server: Server
    project: dict[str, Any]
    base: dict[str, Any]
    new: dict[str, Any]
    other_key: str  # a key of another organization

    def api(self, method: str, path: str, key: str | None = None, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key or self.server.key}"}
        return httpx.request(method, self.server.url + path, headers=headers, timeout=30, **kw)


def _rows(exp_id: str, scores: list[float]) -> list[dict[str, Any]]:
    rows = []
    for i, score in enumerate(scores):
        root = f"{exp_id[:8]}-case-{i}"
        rows.append(
            {
                "id": root,
                "span_id": root,
                "root_span_id": root,
                "experiment_id": exp_id,
                "input": {"question": f"q{i}"},
                "output": f"answer {i}",
                "expected": f"answer {i}",
                "scores": {"accuracy": score},
                "metadata": {"category": "even" if i % 2 == 0 else "odd"},
                "span_attributes": {"name": "eval", "type": "eval"},
                "metrics": {"start": 100.0 + i, "end": 101.0 + i},
            }
        )
        rows.append(
            {
                "id": f"{root}-llm",
                "span_id": f"{root}-llm",
                "root_span_id": root,
                "span_parents": [root],
                "experiment_id": exp_id,
                "input": [{"role": "user", "content": f"q{i}"}],
                "output": f"answer {i}",
                "span_attributes": {"name": "chat", "type": "llm"},
                "metrics": {
                    "start": 100.2 + i,
                    "end": 100.8 + i,
                    "prompt_tokens": 10,
                    "completion_tokens": 2,
                },
            }
        )
    return rows


@pytest.fixture(scope="module")
def seeded(
    tmp_path_factory: pytest.TempPathFactory, db_backend: str, request: pytest.FixtureRequest
) -> Iterator[Seeded]:
    data_dir = tmp_path_factory.mktemp("mcp-server")
    db_url = database_url(request, db_backend, "mcp")
    other_key = subprocess.run(
        [ASSAY, "keys", "create", "--data-dir", str(data_dir), "--org", "other-org"],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **({"ASSAY_DB_URL": db_url} if db_url else {})},
    ).stdout.strip()
    server = start_server(data_dir, db_url=db_url)
    seeded = Seeded(server, {}, {}, {}, other_key)
    seeded.project = seeded.api("POST", "/v1/project", json={"name": "mcp-demo"}).json()
    for name, scores in (("base", [0.5, 0.5, 1.0]), ("new", [1.0, 0.5, 0.0])):
        exp = seeded.api(
            "POST", "/v1/experiment", json={"project_id": seeded.project["id"], "name": name}
        ).json()
        assert seeded.api("POST", "/logs3", json={"rows": _rows(exp["id"], scores)}).status_code == 200
        setattr(seeded, name, exp)
    yield seeded
    server.stop()


@asynccontextmanager
async def http_client(seeded: Seeded, key: str, mode: Mode = "auto") -> AsyncIterator[Client]:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=60)
    transport = streamable_http_client(f"{seeded.server.url}/mcp", http_client=http)
    async with http, Client(transport, mode=mode) as client:
        yield client


@asynccontextmanager
async def stdio_client(seeded: Seeded, key: str, mode: Mode = "auto") -> AsyncIterator[Client]:
    params = StdioServerParameters(
        command=ASSAY,
        args=["mcp", "--url", seeded.server.url, "--api-key", key],
        env={"HOME": str(seeded.server.data_dir)},
    )
    async with Client(params, mode=mode) as client:
        yield client


def connect(seeded: Seeded, transport: str, key: str, mode: Mode = "auto") -> Any:
    return (http_client if transport == "http" else stdio_client)(seeded, key, mode)


def run_async(fn: Callable[[], Awaitable[None]]) -> None:
    """Run `fn` on an event loop of its own thread: the browser tests' Playwright keeps one
    running in the main thread for the whole session."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(anyio.run, fn).result()


def data(result: CallToolResult) -> Any:
    assert not result.is_error, result.content
    structured = result.structured_content
    assert structured is not None
    return structured.get("result", structured)  # list results are wrapped as {"result": [...]}


def text(result: CallToolResult) -> str:
    assert result.is_error
    return " ".join(getattr(c, "text", "") for c in result.content)


@pytest.mark.parametrize("transport", ["http", "stdio"])
def test_tools_are_listed_and_each_runs(seeded: Seeded, transport: str) -> None:
    project, new, base = seeded.project, seeded.new, seeded.base
    url = seeded.server.url

    async def run() -> None:
        async with connect(seeded, transport, seeded.server.key) as client:
            listed = (await client.list_tools()).tools
            assert {t.name for t in listed} == TOOLS
            for tool in listed:
                assert tool.description and tool.annotations and tool.annotations.read_only_hint

            projects = data(await client.call_tool("list_projects", {}))
            assert [p["name"] for p in projects] == ["mcp-demo"]
            assert projects[0]["url"] == f"{url}/app/local/p/mcp-demo"

            experiments = data(await client.call_tool("list_experiments", {"project": "mcp-demo"}))
            assert [e["name"] for e in experiments] == ["new", "base"]
            assert experiments[0]["row_count"] == 3
            assert experiments[0]["scores"]["accuracy"] == pytest.approx(0.5)
            assert (
                experiments[0]["permalink"]
                == f"{url}/app/object?object_type=experiment&object_id={new['id']}"
            )

            sql = (
                "SELECT metadata.category AS category, count(*) AS n "
                f"FROM experiment('{new['id']}') WHERE is_root GROUP BY 1 ORDER BY 1"
            )
            result = data(await client.call_tool("query", {"sql": sql}))
            api_rows = seeded.api("POST", "/btql", json={"query": sql}).json()["data"]
            assert result["rows"] == api_rows == [{"category": "even", "n": 2}, {"category": "odd", "n": 1}]
            page = data(
                await client.call_tool(
                    "query", {"sql": f"SELECT id FROM experiment('{new['id']}')", "limit": 2}
                )
            )
            assert len(page["rows"]) == 2 and page["cursor"]

            summary = data(
                await client.call_tool("summarize_experiment", {"experiment": "new", "project": "mcp-demo"})
            )
            api_summary = seeded.api("GET", f"/v1/experiment/{new['id']}/summarize").json()
            assert summary["scores"] == api_summary["scores"]
            assert summary["scores"]["accuracy"]["improvements"] == 1
            assert summary["scores"]["accuracy"]["regressions"] == 1
            assert summary["comparison_experiment_name"] == "base"
            assert summary["comparison_experiment_id"] == base["id"]

            trace = data(
                await client.call_tool(
                    "get_trace",
                    {
                        "object_type": "experiment",
                        "object_id": new["id"],
                        "trace_id": f"{new['id'][:8]}-case-0-llm",
                    },
                )
            )
            assert trace["root_span_id"] == f"{new['id'][:8]}-case-0"
            assert [s["name"] for s in trace["spans"]] == ["eval", "chat"]  # in start order
            assert trace["spans"][1]["span_parents"] == [trace["root_span_id"]]
            assert trace["spans"][0]["scores"] == {"accuracy": 1.0}
            assert trace["spans"][1]["metrics"]["prompt_tokens"] == 10
            assert trace["url"] == f"{url}/app/local/p/mcp-demo/experiments/new/trace/{trace['root_span_id']}"

            link = data(
                await client.call_tool("permalink", {"object_type": "experiment", "object_id": "base"})
            )
            assert link["url"] == f"{url}/app/object?object_type=experiment&object_id={base['id']}"
            link = data(
                await client.call_tool("permalink", {"object_type": "project", "object_id": project["id"]})
            )
            assert link["url"] == f"{url}/app/local/p/mcp-demo"

    run_async(run)


@pytest.mark.parametrize("transport", ["http", "stdio"])
def test_a_caller_without_access_is_refused_as_by_the_api(seeded: Seeded, transport: str) -> None:
    """Another organization's key sees none of this organization's objects: each tool answers what
    the API answers for the same object (and an unknown id is not found for everyone)."""
    new, other = seeded.new, seeded.other_key
    api_answer = seeded.api("GET", f"/v1/experiment/{new['id']}/summarize", key=other)
    assert api_answer.status_code == 404
    api_message = api_answer.json()["error"]["message"]
    btql_answer = seeded.api(
        "POST", "/btql", key=other, json={"query": f"SELECT id FROM experiment('{new['id']}')"}
    )
    # An unreadable source is answered as an unknown one: a 404 (the permission matrix checks both).
    assert btql_answer.status_code == 404
    fetch_answer = seeded.api("GET", f"/v1/experiment/{new['id']}/fetch", key=other)
    assert fetch_answer.status_code == 404

    async def run() -> None:
        async with connect(seeded, transport, other) as client:
            assert data(await client.call_tool("list_projects", {})) == []
            refused = await client.call_tool("summarize_experiment", {"experiment": new["id"]})
            assert api_message in text(refused) and f"HTTP {api_answer.status_code}" in text(refused)
            trace = {"object_type": "experiment", "object_id": new["id"], "trace_id": "x"}
            refused = await client.call_tool("get_trace", trace)
            assert f"{fetch_answer.json()['error']['message']} (HTTP 404)" in text(refused)
            sql = {"sql": f"SELECT id FROM experiment('{new['id']}')"}
            assert btql_answer.json()["error"]["message"] in text(await client.call_tool("query", sql))
            by_name = await client.call_tool("list_experiments", {"project": "mcp-demo"})
            assert "project 'mcp-demo' not found" in text(
                by_name
            )  # names of others' objects resolve to nothing
            unknown = await client.call_tool("permalink", {"object_type": "dataset", "object_id": "nope"})
            assert "dataset 'nope' not found (HTTP 404)" in text(unknown)

    run_async(run)


@pytest.mark.parametrize("transport", ["http", "stdio"])
def test_clients_of_the_handshake_era_protocol(seeded: Seeded, transport: str) -> None:
    """Assistants that still open with the `initialize` handshake (protocol 2025-11-25) work too."""

    async def run() -> None:
        async with connect(seeded, transport, seeded.server.key, mode="legacy") as client:
            assert client.protocol_version == "2025-11-25"
            assert {t.name for t in (await client.list_tools()).tools} == TOOLS
            assert [p["name"] for p in data(await client.call_tool("list_projects", {}))] == ["mcp-demo"]

    run_async(run)


def test_http_transport_needs_a_valid_key(seeded: Seeded) -> None:
    for headers in ({}, {"Authorization": "Bearer sk-wrong"}):
        response = httpx.post(
            f"{seeded.server.url}/mcp",
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers={**headers, "Accept": "application/json, text/event-stream"},
        )
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert "API key" in response.json()["error"]["message"]


def test_stdio_server_refuses_to_start_with_a_bad_key(seeded: Seeded, tmp_path: Path) -> None:
    done = subprocess.run(
        [ASSAY, "mcp", "--url", seeded.server.url, "--api-key", "sk-wrong"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 2
    assert "401" in done.stderr and "invalid API key" in done.stderr
    assert done.stdout == ""  # stdout is the protocol channel: nothing else is written to it

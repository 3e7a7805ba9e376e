"""`assay mcp`: Assay's MCP tools on stdin/stdout, for assistants that start their tools as a process.

It relays to a running Assay server's `/mcp` endpoint over HTTP with an API key, rather than opening
the database itself: the embedded DuckDB file admits one process, which is the server's, and this
way the tools, their access checks and their answers are the server's own, not a second copy.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
from mcp.client.streamable_http import streamable_http_client
from mcp.server import Server, ServerRequestContext
from mcp.server.stdio import stdio_server
from mcp.types import CallToolRequestParams, CallToolResult, ListToolsResult, PaginatedRequestParams

from assay import __version__
from assay.mcp.http import PATH
from mcp import Client


class UpstreamError(Exception):
    """The Assay server could not be reached or refused the key; the message says which."""


@asynccontextmanager
async def upstream(url: str, api_key: str) -> AsyncIterator[Client]:
    """A client of `<url>/mcp`, checked once (a bad URL or key fails here, not on the first call)."""
    endpoint = url.rstrip("/") + PATH
    async with httpx2.AsyncClient(
        headers={"Authorization": f"Bearer {api_key}"}, timeout=httpx2.Timeout(120.0)
    ) as http:
        try:
            probe = await http.post(endpoint, json={"jsonrpc": "2.0", "id": 0, "method": "ping"})
        except httpx2.TransportError as exc:
            raise UpstreamError(f"cannot reach {endpoint}: {exc}") from None
        if probe.status_code in (401, 403, 404):
            raise UpstreamError(f"{endpoint} answered {probe.status_code}: {_message(probe)}")
        async with Client(streamable_http_client(endpoint, http_client=http)) as client:
            yield client


def _message(response: httpx2.Response) -> str:
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return response.text[:300]


def relay(client: Client) -> Server[Any]:
    """A stdio-side server whose tool list and tool calls are the upstream server's."""

    async def list_tools(
        _: ServerRequestContext[Any], params: PaginatedRequestParams | None
    ) -> ListToolsResult:
        return await client.list_tools(cursor=params.cursor if params else None)

    async def call_tool(_: ServerRequestContext[Any], params: CallToolRequestParams) -> CallToolResult:
        return await client.call_tool(params.name, params.arguments)

    return Server(
        "assay",
        version=__version__,
        instructions=client.instructions,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )


async def serve_stdio(url: str, api_key: str) -> None:
    async with upstream(url, api_key) as client, stdio_server() as (read, write):
        server = relay(client)
        await server.run(read, write, server.create_initialization_options())

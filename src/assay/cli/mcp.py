"""`assay mcp`: serve Assay's MCP tools on stdin/stdout, relaying to a running `assay serve`."""

from __future__ import annotations

import anyio
import typer

from assay.cli.sql import ApiKey, Url, server_key, server_url
from assay.mcp.proxy import UpstreamError, serve_stdio


def mcp(url: str | None = Url, api_key: str | None = ApiKey) -> None:
    """Serve the MCP tools (projects, experiments, SQL, summaries, traces, permalinks) over stdio.

    For assistants that start MCP servers as a process (Claude Desktop, editors). It talks to a
    running Assay server with an API key; HTTP clients can use <server>/mcp directly instead.

    Example: BRAINTRUST_API_KEY=sk-... assay mcp --url http://127.0.0.1:8000
    """
    target, key = server_url(url), server_key(api_key)
    try:
        anyio.run(serve_stdio, target, key)
    except UpstreamError as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from None

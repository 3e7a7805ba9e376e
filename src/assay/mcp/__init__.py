"""Assay's MCP server: read-only tools for AI assistants (projects, experiments, SQL, summaries,
traces, permalinks), over HTTP at `/mcp` on the server and over stdio with `assay mcp`."""

from assay.mcp.server import build_server

__all__ = ["build_server"]

"""The MCP server: Assay's read-only tools for assistants, with the official MCP SDK.

Each tool call authenticates the API key of the HTTP request that carries it (the same header and
policy as the REST API) and runs as that caller, so it sees what the key may see and nothing else;
errors carry the API's own message and status.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, Literal, TypeVar

import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from assay import __version__
from assay.mcp import tools
from assay.model.errors import AssayError
from assay.services.auth import Principal
from assay.services.context import Services

T = TypeVar("T")
READ_ONLY = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)
INSTRUCTIONS = (
    "Assay holds AI evaluation results: projects contain experiments (evaluation runs) and project "
    "logs; both hold traces made of spans with input, output, expected, scores (0..1) and metrics. "
    "Start with list_projects and list_experiments; summarize_experiment compares an experiment with "
    "its baseline; query runs SQL such as SELECT metadata.category, avg(scores.Factuality) FROM "
    "experiment('<id>', shape => 'summary') GROUP BY 1; get_trace shows one test case span by span."
)


def _caller(svc: Services, ctx: Context) -> tuple[Principal, str]:
    """The caller, authenticated by the policy from this request's `Authorization: Bearer` header,
    and the base URL links should use."""
    headers = ctx.headers or {}
    scheme, _, token = headers.get("authorization", "").partition(" ")
    who = svc.policy.authenticate(token.strip() if scheme.lower() == "bearer" else None)
    request = ctx.request_context.request
    base = svc.settings.public_url or str(getattr(request, "base_url", "") or "")
    return who, base.rstrip("/")


def build_server(svc: Services) -> MCPServer:
    """An MCP server whose tools run against `svc` (the app's store, settings and policy)."""
    server = MCPServer(
        "assay", instructions=INSTRUCTIONS, version=__version__, website_url=None, log_level="WARNING"
    )

    async def run(ctx: Context, fn: Callable[..., T], *args: Any) -> T:
        try:
            who, base = _caller(svc, ctx)
            return await anyio.to_thread.run_sync(partial(fn, svc, who, *args, base_url=base))
        except AssayError as exc:
            raise ToolError(f"{exc.message} (HTTP {exc.status_code})") from None

    def with_base(fn: Callable[..., T]) -> Callable[..., T]:
        """Adapt a tools function that takes no base URL to `run`'s calling convention."""

        def call(svc: Services, who: Principal, *args: Any, base_url: str) -> T:
            return fn(svc, who, *args)

        return call

    @server.tool(annotations=READ_ONLY)
    async def list_projects(ctx: Context) -> list[tools.Project]:
        """The projects this API key can read, with their web app links."""
        return await run(ctx, tools.list_projects)

    @server.tool(annotations=READ_ONLY)
    async def list_experiments(
        ctx: Context,
        project: str = Field(description="Project id or name"),
        limit: int = Field(50, ge=1, le=1000, description="At most this many, newest first"),
    ) -> list[tools.Experiment]:
        """A project's experiments, newest first: dataset, trace count, score and metric averages."""
        return await run(ctx, tools.list_experiments, project, limit)

    @server.tool(annotations=READ_ONLY)
    async def query(
        ctx: Context,
        sql: str = Field(description="A query in Assay's SQL dialect (the /btql dialect)"),
        limit: int | None = Field(None, ge=0, description="Page size (default 1000, at most 100000)"),
        cursor: str | None = Field(None, description="The cursor of the previous page"),
    ) -> tools.QueryResult:
        """Run a read-only SQL query over experiments, datasets or project logs, e.g.
        SELECT input, output, scores FROM experiment('<id or name>') WHERE is_root LIMIT 10.
        Sources: experiment(...), dataset(...), project_logs('<project id>'); shape => 'spans' |
        'traces' | 'summary' (one row per trace with scores averaged over its spans)."""
        return await run(ctx, with_base(tools.run_sql), sql, limit, cursor)

    @server.tool(annotations=READ_ONLY)
    async def summarize_experiment(
        ctx: Context,
        experiment: str = Field(description="Experiment id or name"),
        project: str | None = Field(None, description="Project id or name, when the name is ambiguous"),
        comparison_experiment: str | None = Field(
            None,
            description="Experiment to compare with (default: its base experiment, else the previous one)",
        ),
    ) -> dict[str, Any]:
        """Score and metric averages of an experiment and, against its baseline, the difference and
        how many test cases improved or regressed, with permalinks to both."""
        return await run(ctx, tools.summarize_experiment, experiment, project, comparison_experiment)

    @server.tool(annotations=READ_ONLY)
    async def get_trace(
        ctx: Context,
        object_type: tools.RowSource = Field(description="Where the trace lives"),
        object_id: str = Field(description="Experiment id, dataset id, or project id for project logs"),
        trace_id: str = Field(description="The trace's root_span_id, or the id of any of its rows"),
    ) -> tools.Trace:
        """One trace (a test case or a logged request), span by span: inputs, outputs, scores,
        metrics, errors and the parent of each span."""
        return await run(ctx, tools.get_trace, object_type, object_id, trace_id)

    @server.tool(annotations=READ_ONLY)
    async def permalink(
        ctx: Context,
        object_type: Literal["experiment", "dataset", "project"] = Field(description="What to link to"),
        object_id: str = Field(description="Its id (or, for experiments and projects, its name)"),
    ) -> tools.Link:
        """A link to the object's page in Assay's web app, to show to a person."""
        return await run(ctx, tools.permalink, object_type, object_id)

    return server

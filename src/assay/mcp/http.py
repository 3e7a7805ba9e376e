"""The MCP server on Assay's HTTP server, at `/mcp` (the MCP streamable HTTP transport).

Stateless and answered with plain JSON: every request stands alone (no session held in this
process), so any Assay server behind a load balancer can answer any request. A request without a
valid API key is refused with 401 before the MCP layer sees it. DNS-rebinding protection (a check
of the Host header) is off: it guards servers that trust local callers, and this one trusts only
API keys, which a rebinding page does not have.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from assay.api.errors import error_response
from assay.mcp.server import build_server
from assay.model.errors import Unauthorized
from assay.services.context import Services

PATH = "/mcp"


class McpEndpoint:
    """An ASGI app: authenticate, then hand the request to the MCP SDK's transport."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self.server = build_server(svc)
        self.manager = self._new_manager()

    def _new_manager(self) -> StreamableHTTPSessionManager:
        """A fresh transport (its Starlette app is not used): a session manager runs only once,
        and an app's lifespan may run more than once (each test client of one app starts it)."""
        self.server.streamable_http_app(
            json_response=True,
            stateless_http=True,
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )
        return self.server.session_manager

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Run the transport's task group for the app's lifetime (its lifespan)."""
        try:
            async with self.manager.run():
                yield
        finally:
            self.manager = self._new_manager()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or [])
        scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        try:
            await anyio.to_thread.run_sync(
                self.svc.policy.authenticate, token.strip() if scheme.lower() == "bearer" else None
            )
        except Unauthorized as exc:
            response = error_response(401, exc.message)
            response.headers["WWW-Authenticate"] = "Bearer"
            await response(scope, receive, send)
            return
        await self.manager.handle_request(scope, receive, send)


def mount(app: FastAPI, endpoint: McpEndpoint) -> None:
    """Serve `endpoint` at `/mcp` (not in the OpenAPI schema: MCP is JSON-RPC, described by MCP);
    the app's lifespan runs `endpoint.running()`."""
    app.router.routes.append(Route(PATH, endpoint=endpoint, methods=["GET", "POST", "DELETE"]))

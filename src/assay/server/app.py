"""Build the ASGI application: routers, error handling, body limit, the built UI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp

from assay import __version__
from assay.api import (
    acls,
    analysis,
    api_keys,
    attachments,
    btql,
    compare,
    comparison,
    datasets,
    experiments,
    exports,
    functions,
    jobs,
    login,
    logs3,
    orgs,
    otel,
    project_scores,
    projects,
    registration,
    review,
    session,
    tables,
    traces,
    unserved,
    users,
    views,
)
from assay.api.errors import BodyLimits, install_error_handlers, install_openapi
from assay.api.responses import OrjsonResponse
from assay.mcp import http as mcp_http
from assay.server import docs, ui
from assay.server.headers import SecurityHeaders
from assay.server.settings import Settings
from assay.services.access import AccessPolicy
from assay.services.attachments import UPLOAD_PATH, open_attachment_storage
from assay.services.auth import Policy
from assay.services.context import Services
from assay.services.jobs.worker import Workers
from assay.store import Store, open_store

ROUTERS = (
    login.router,
    logs3.router,
    projects.router,
    experiments.router,
    datasets.router,
    btql.router,
    otel.router,
    functions.router,
    jobs.router,
    project_scores.router,
)
# What only the TypeScript SDK and `bt` call, and the reference objects Assay does not keep.
CLIENT_ROUTERS = (registration.router, comparison.router, attachments.router, unserved.router)
UI_ROUTERS = (  # the web app's API
    orgs.router,
    tables.router,
    exports.router,
    traces.router,
    analysis.router,
    compare.router,
    review.router,
)
# people and access (issue 10)
PEOPLE_ROUTERS = (session.router, users.router, api_keys.router, acls.router, views.router)


def open_settings_store(settings: Settings) -> Store:
    """The store the settings name, with their memory and spill limits."""
    return open_store(
        settings.resolved_db_url(),
        memory_bytes=settings.db_memory_bytes,
        temp_bytes=settings.db_temp_bytes,
        disk_reserve=settings.disk_reserve_bytes,
    )


def create_app(settings: Settings, store: Store | None = None, policy: Policy | None = None) -> FastAPI:
    """The FastAPI app. Pass `store` to share one (tests); otherwise it is opened from settings
    and closed when the app shuts down. `policy` decides access (default: the users, groups,
    roles and ACLs stored in the database, `services.access.AccessPolicy`)."""
    owned = store is None
    db = store if store is not None else open_settings_store(settings)
    db.ensure_org(settings.org_name)
    services = Services(
        store=db,
        settings=settings,
        policy=policy or AccessPolicy(db),
        attachments=open_attachment_storage(settings, db),
    )
    mcp = mcp_http.McpEndpoint(services)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        workers = Workers(app.state.services)  # durable background jobs (retrospective scoring)
        workers.start()
        try:
            async with mcp.running():
                yield
        finally:
            workers.stop()
            app.state.services.llm.close()
            if owned:
                db.close()

    app = FastAPI(
        title="Assay",
        version=__version__,
        description="Record AI evaluation runs and interpret their results. Speaks the Braintrust SDK's API.",
        default_response_class=OrjsonResponse,
        lifespan=lifespan,
        docs_url=None,  # served from packaged assets by `docs.install`, not from a CDN
        redoc_url=None,
    )
    app.state.services = services
    install_error_handlers(app)
    install_openapi(app)
    for router in (*ROUTERS, *CLIENT_ROUTERS, *UI_ROUTERS, *PEOPLE_ROUTERS):
        app.include_router(router)
    mcp_http.mount(app, mcp)  # the MCP tools at /mcp
    ui.install(app)
    docs.install(app)
    return app


def wrap(app: FastAPI, settings: Settings) -> ASGIApp:
    """The outer layers: security headers on every answer, and oversized or over-nested bodies
    refused before any handler runs (attachment uploads stream through to their handler, which
    has its own limit)."""
    return SecurityHeaders(BodyLimits(app, settings.max_body_bytes, streamed=(UPLOAD_PATH,)))

"""Dependencies shared by the routers: the services, the caller, the JSON body, the base URL."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Query, Request

from assay.model.errors import Forbidden, InvalidInput
from assay.services import sessions
from assay.services.auth import Principal
from assay.services.catalog import Page
from assay.services.context import Services


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def caller(request: Request) -> Principal:
    """The caller: an `Authorization: Bearer <key>` header, else a signed-in browser's session
    cookie (whose writes must come from this site and carry the CSRF token)."""
    svc = services(request)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return svc.policy.authenticate(token.strip())
    cookie = request.cookies.get(sessions.SESSION_COOKIE)
    if cookie:
        if request.method.upper() not in sessions.SAFE_METHODS:
            check_origin(request)
        return sessions.authenticate(
            svc,
            cookie,
            method=request.method,
            csrf=request.headers.get(sessions.CSRF_HEADER),
            org_name=request.headers.get("x-bt-org-name"),
        )
    return svc.policy.authenticate(None)


def own_origins(request: Request) -> set[str]:
    """The origins of this server's own pages: the one called, and the configured public URL."""
    out = {f"{request.url.scheme}://{request.headers.get('host', '')}"}
    public = services(request).settings.public_url
    if public:
        scheme, _, rest = public.partition("://")
        out.add(f"{scheme}://{rest.split('/', 1)[0]}")
    return out


def check_origin(request: Request) -> None:
    """Refuse a browser request made by another site's page (cross-site request forgery)."""
    if not sessions.same_origin(
        request.headers.get("origin"), request.headers.get("sec-fetch-site"), own_origins(request)
    ):
        raise Forbidden("refused: this request comes from another site's page")


async def json_body(request: Request) -> Any:
    """The request body parsed as JSON whatever its Content-Type (the SDK sends none on /logs3)."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"malformed JSON body: {exc}") from None


async def json_object(request: Request) -> dict[str, Any]:
    body = await json_body(request)
    if not isinstance(body, dict):
        raise InvalidInput("the request body must be a JSON object")
    return body


def base_url(request: Request) -> str:
    """The address clients should use: the configured public URL, else the one they called."""
    configured = services(request).settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


def paging(
    limit: int | None = Query(None, ge=0, description="At most this many objects (0: none)"),
    starting_after: str | None = Query(None, description="Objects after the one with this id"),
    ending_before: str | None = Query(None, description="Objects before the one with this id"),
) -> Page:
    """The list routes' cursors (`Page`)."""
    return Page(limit, starting_after, ending_before)

"""Dependencies shared by the routers: the services, the caller, the JSON body, the base URL."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request

from assay.model.errors import InvalidInput
from assay.services.auth import Principal
from assay.services.context import Services


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def caller(request: Request) -> Principal:
    """Authenticate the `Authorization: Bearer <key>` header through the access policy."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        token = ""
    return services(request).policy.authenticate(token.strip() or None)


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

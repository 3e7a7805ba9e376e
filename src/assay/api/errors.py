"""Mapping failures to precise 4xx answers, and the limits every request body obeys.

Every error body is `{"error": {"message": ..., "status": ...}}`. Anything unexpected becomes a
500 with a generic message and is logged; tests treat any 500 as a bug.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assay.api.responses import OrjsonResponse
from assay.model.errors import AssayError, InvalidInput
from assay.model.json_limits import check_body

log = logging.getLogger("assay.api")


def error_response(status: int, message: str) -> OrjsonResponse:
    return OrjsonResponse({"error": {"message": message, "status": status}}, status_code=status)


def _describe(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        if err.get("type") == "json_invalid":
            return "malformed JSON body"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def _routes(routes: list[BaseRoute]) -> Iterator[BaseRoute]:
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI's lazily included routers
        yield from _routes(included.routes) if included is not None else [route]


def allowed_methods(app: FastAPI, path: str) -> str:
    """Every method some route accepts on `path`, for the `Allow` header of a 405: the route
    Starlette matched first knows only its own (`GET /v1/project` and `POST /v1/project` are
    two routes).

    A path that a literal route names and a parameter route also matches (`/v1/acl/list_org` and
    `/v1/acl/{acl_id}`) takes the literal route's methods: that is the resource it names."""
    table: list[tuple[re.Pattern[str], int, set[str]]] | None = getattr(app.state, "route_methods", None)
    if table is None:
        table = [
            (r.path_regex, r.path.count("{"), set(r.methods or ()))
            for r in _routes(app.routes)
            if isinstance(r, Route | APIRoute)
        ]
        app.state.route_methods = table
    matches = [(params, methods) for pattern, params, methods in table if pattern.match(path)]
    fewest = min((params for params, _ in matches), default=0)
    found = {m for params, methods in matches if params == fewest for m in methods}
    return ", ".join(sorted(found))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AssayError)
    async def _assay(_: Request, exc: AssayError) -> OrjsonResponse:
        response = error_response(exc.status_code, exc.message)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> OrjsonResponse:
        return error_response(400, _describe(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> OrjsonResponse:
        if exc.status_code == 404 and exc.detail == "Not Found":
            return error_response(404, f"no route for {request.method} {request.url.path}")
        if exc.status_code == 405:
            allowed = allowed_methods(request.app, request.url.path)
            response = error_response(
                405, f"method {request.method} not allowed on {request.url.path} (allowed: {allowed})"
            )
            response.headers["Allow"] = allowed
            return response
        return error_response(exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> OrjsonResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, "internal error; see the server log")


# Routes whose bodies keep the Content-Type they were sent with (OTLP is protobuf or JSON).
OWN_CONTENT_TYPE = ("/otel/",)
BINARY_TYPES = (b"application/x-protobuf", b"application/protobuf", b"application/octet-stream")


def install_openapi(app: FastAPI) -> None:
    """The schema FastAPI generates, less its 422 answers: Assay answers invalid requests with 400
    and its own error body (`install_error_handlers`), which every route declares."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    operation.get("responses", {}).pop("422", None)
            components = schema.get("components", {}).get("schemas", {})
            for name in ("HTTPValidationError", "ValidationError"):
                components.pop(name, None)
            return schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _media_type(content_type: bytes | None) -> bytes:
    return (content_type or b"").split(b";")[0].strip().lower()


class BodyLimits:
    """Refuse bodies over `limit` bytes with 413, whether or not Content-Length is sent, and
    JSON bodies that nest too deep or hold integers that would lose precision with a 400 naming
    the place (`model/json_limits.py`), before any handler or parser sees them.

    Paths in `streamed` (attachment uploads: large, not JSON) pass through untouched.
    It also marks every other non-empty body as JSON: the reference SDK posts `/logs3` without a
    Content-Type, and clients such as `curl -d` send a form type, but every Assay body is JSON,
    except under `OWN_CONTENT_TYPE` (OTLP parses, bounds and answers errors in its own format; what
    it stores is held to the limits by the store) and declared binary ones.
    """

    def __init__(self, app: ASGIApp, limit: int, streamed: tuple[str, ...] = ()) -> None:
        self.app, self.limit, self.streamed = app, limit, streamed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.streamed:
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._too_large(scope, receive, send)
            return
        # Buffer the body (the handlers read it whole anyway) so an oversized one is refused
        # before any handler runs, and nothing is written.
        chunks, seen, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.limit:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        media = _media_type(dict(scope.get("headers") or []).get(b"content-type"))
        own = str(scope.get("path", "")).startswith(OWN_CONTENT_TYPE)
        if body and not own and not media.startswith(BINARY_TYPES):
            try:
                check_body(body)
            except InvalidInput as exc:
                await error_response(400, exc.message)(scope, receive, send)
                return
            headers = [(k, v) for k, v in scope.get("headers") or [] if k != b"content-type"]
            scope = {**scope, "headers": [*headers, (b"content-type", b"application/json")]}
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(413, f"request body larger than the limit of {self.limit} bytes")
        await response(scope, receive, send)

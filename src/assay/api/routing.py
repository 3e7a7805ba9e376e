"""Routers whose JSON bodies are parsed by orjson, the one JSON parser of the API.

FastAPI parses pydantic request bodies with the standard library, which accepts `NaN`,
`Infinity` and `1e400` (stored later as null by orjson) and parses 20-digit integers that orjson
then cannot store. Every route of Assay parses with orjson instead, like `deps.json_body`, so a
body means the same on every route; the limits on nesting and integers are checked before that
(`model/json_limits.py`, applied by `errors.BodyLimits`).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute


class OrjsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = orjson.loads(await self.body())  # JSONDecodeError is json's: FastAPI maps it
        return self._json


class JsonRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            return await handler(OrjsonRequest(request.scope, request.receive))

        return route


def api_router(**kwargs: Any) -> APIRouter:
    """An `APIRouter` for Assay's routes (use it instead of `APIRouter`)."""
    return APIRouter(route_class=JsonRoute, **kwargs)

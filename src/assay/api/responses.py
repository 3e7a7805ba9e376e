"""A JSON response rendered by `encode_json`: orjson's speed, and any depth (see `json_encode`)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from assay.model.json_encode import encode_json

__all__ = ["OrjsonResponse", "encode_json"]


class OrjsonResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return encode_json(content)

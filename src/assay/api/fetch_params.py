"""Request models shared by the object routers: fetch, insert and feedback bodies."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from assay.model.errors import InvalidInput


class FetchBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    limit: int | None = Field(None, ge=1, le=100_000)
    cursor: str | None = None
    max_xact_id: str | int | None = None
    max_root_span_id: str | None = None
    version: str | int | None = None

    def snapshot(self) -> int | None:
        """The `_xact_id` to read at: the smaller of `version` and `max_xact_id`."""
        bounds = []
        for name in ("version", "max_xact_id"):
            value = getattr(self, name)
            if value is None or value == "":
                continue
            try:
                bounds.append(int(value))
            except ValueError:
                raise InvalidInput(f"{name} must be a transaction id (digits), got {value!r}") from None
        return min(bounds) if bounds else None


class InsertBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    events: list[dict[str, Any]] = Field(description="Rows to write, each an object")


class FeedbackBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    feedback: list[dict[str, Any]] = Field(description="Feedback items, each naming the row `id` it is about")

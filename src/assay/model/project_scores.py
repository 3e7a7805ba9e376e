"""Project scores (`/v1/project_score`, the reference's `ProjectScore`): aggregate scores.

An aggregate score combines a trace's scores into one number, and is shown wherever scores are:

| `score_type` | `categories` | the trace's value |
|---|---|---|
| `weighted` | `{"<score>": <weight>, ...}` (weights > 0) | the weighted mean of the component scores the trace has |
| `minimum` | `["<score>", ...]` | the smallest component score the trace has |
| `maximum` | `["<score>", ...]` | the largest component score the trace has |

**A missing component is skipped**, not counted as 0: a weighted mean is taken over the
components present, with their weights (renormalised); the minimum and maximum over those
present. A trace with none of the components has no value (null), like a trace without a score.
An experiment's aggregate is the mean of its traces' values, exactly like any other score.

Assay keeps the aggregate types; human-review score types (`categorical`, `slider`,
`free-form`) and `online` rules are not kept yet and are refused with a 400.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

AggregateType = Literal["weighted", "minimum", "maximum"]
AGGREGATE_TYPES: tuple[str, ...] = ("weighted", "minimum", "maximum")
OTHER_SCORE_TYPES = frozenset({"slider", "categorical", "free-form", "online"})
MAX_COMPONENTS = 50


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class CreateProjectScore(_Lenient):
    """`POST` / `PUT /v1/project_score` (reference `CreateProjectScore`)."""

    project_id: str = Field(min_length=1)
    name: str = Field(min_length=1, max_length=200, description="The score's name, as its column shows it")
    description: str | None = Field(None, max_length=4000)
    score_type: str = Field(description="weighted, minimum or maximum")
    categories: Any = Field(
        None,
        description='weighted: {"<score>": weight, ...}; minimum and maximum: ["<score>", ...]',
    )
    config: dict[str, Any] | None = None


class PatchProjectScore(_Lenient):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=4000)
    score_type: str | None = None
    categories: Any = None
    config: dict[str, Any] | None = None


class ProjectScore(BaseModel):
    """A stored project score, as `/v1/project_score` returns it."""

    id: str
    project_id: str
    user_id: str | None = None
    created: str
    name: str
    description: str | None = None
    score_type: AggregateType
    categories: dict[str, float] | list[str]
    config: dict[str, Any] | None = None
    position: str | None = None
    deleted_at: str | None = None


class ProjectScoreList(BaseModel):
    objects: list[ProjectScore]

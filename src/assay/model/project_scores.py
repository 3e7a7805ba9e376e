"""Project scores (`/v1/project_score`, the reference's `ProjectScore`): aggregate scores and
human-review scores, one object kind told apart by `score_type`.

**Aggregates** combine a trace's scores into one number, and are shown wherever scores are:

| `score_type` | `categories` | the trace's value |
|---|---|---|
| `weighted` | `{"<score>": <weight>, ...}` (weights > 0) | the weighted mean of the component scores the trace has |
| `minimum` | `["<score>", ...]` | the smallest component score the trace has |
| `maximum` | `["<score>", ...]` | the largest component score the trace has |

**A missing component is skipped**, not counted as 0: a weighted mean is taken over the
components present, with their weights (renormalised); the minimum and maximum over those
present. A trace with none of the components has no value (null), like a trace without a score.
An experiment's aggregate is the mean of its traces' values, exactly like any other score.

**Human-review scores** are what reviewers enter (`assay.services.review_entry`):

| `score_type` | `categories` | `config` | a reviewer's value |
|---|---|---|---|
| `slider` | none | | a number from 0 to 1 |
| `categorical` | `[{"name", "value"}, ...]` (values 0..1) | `destination: "expected"`, `multi_select` | an option's name (a list of names when multiple choice) |
| `free-form` | none | `destination`: a dotted path in `metadata` | text |

`online` rules are not kept and are refused with a 400.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ScoreType = Literal["weighted", "minimum", "maximum", "slider", "categorical", "free-form"]
AGGREGATE_TYPES: tuple[str, ...] = ("weighted", "minimum", "maximum")
HUMAN_TYPES: tuple[str, ...] = ("slider", "categorical", "free-form")
SCORE_TYPES: tuple[str, ...] = (*AGGREGATE_TYPES, *HUMAN_TYPES)
OTHER_SCORE_TYPES = frozenset({"online"})
MAX_COMPONENTS = 50
MAX_OPTIONS = 50


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class CreateProjectScore(_Lenient):
    """`POST` / `PUT /v1/project_score` (reference `CreateProjectScore`)."""

    project_id: str = Field(min_length=1)
    name: str = Field(min_length=1, max_length=200, description="The score's name, as its column shows it")
    description: str | None = Field(None, max_length=4000, description="Markdown, shown to reviewers")
    score_type: str = Field(description="weighted, minimum, maximum, slider, categorical or free-form")
    categories: Any = Field(
        None,
        description='weighted: {"<score>": weight, ...}; minimum and maximum: ["<score>", ...]; '
        'categorical: [{"name": "<option>", "value": 0..1}, ...]; slider and free-form: none',
    )
    config: dict[str, Any] | None = Field(
        None,
        description='categorical: {"destination": "expected"} writes the choice into `expected` instead '
        'of a score, {"multi_select": true} allows several options; free-form: {"destination": '
        '"<dotted path in metadata>"} (default: the score\'s name)',
    )


class PatchProjectScore(_Lenient):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=4000)
    score_type: str | None = None
    categories: Any = None
    config: dict[str, Any] | None = None


class ScoreCategory(BaseModel):
    """One option of a categorical review score."""

    name: str
    value: float = Field(description="What choosing it scores, from 0 to 1")


class ProjectScore(BaseModel):
    """A stored project score, as `/v1/project_score` returns it."""

    id: str
    project_id: str
    user_id: str | None = None
    created: str
    name: str
    description: str | None = None
    score_type: ScoreType
    categories: dict[str, float] | list[ScoreCategory] | list[str] | None = None
    config: dict[str, Any] | None = Field(
        None,
        description='review scores: "destination" (categorical: "expected"; free-form: the path in '
        'metadata) and "multi_select" (categorical)',
    )
    position: str | None = None
    deleted_at: str | None = None


class ProjectScoreList(BaseModel):
    objects: list[ProjectScore]

"""The catalog objects of the reference API: organizations, projects, experiments, datasets.

Field names and optionality follow braintrust-api.md §d; unknown fields sent by newer SDKs are
accepted by the request models and ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

# Catalog objects. Functions (scorers, classifiers, facets) and project scores hang off a project
# and are decided on it.
CatalogKind = Literal["project", "experiment", "dataset"]
ObjectKind = CatalogKind | Literal["function", "project_score", "assistant_conversation"]
RowObjectType = Literal["experiment", "dataset", "project_logs"]
# A dataset's or parameters' version as callers send it: a transaction id as a string or an
# integer. Strict, so `true` or `1.5` is a 400 rather than silently becoming version 1.
ObjectVersion = StrictStr | StrictInt


@dataclass(frozen=True)
class ObjectType:
    """A kind of object that holds rows, declared once: everything else reads this table."""

    name: RowObjectType  # rows' `object_type`, the query source `name(…)` and the route `/v1/<name>`
    catalog_kind: CatalogKind  # the catalog object whose id names it (project logs: the project)
    id_field: str  # the row field naming the object when a row is written

    @property
    def prefix(self) -> str:
        return f"/v1/{self.name}"


OBJECT_TYPES: dict[str, ObjectType] = {
    t.name: t
    for t in (
        ObjectType("experiment", "experiment", "experiment_id"),
        ObjectType("dataset", "dataset", "dataset_id"),
        ObjectType("project_logs", "project", "project_id"),
    )
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(ts: datetime | None) -> str | None:
    return ts.astimezone(UTC).isoformat() if ts else None


class Organization(BaseModel):
    id: str
    name: str
    created: str


class Project(BaseModel):
    id: str
    org_id: str
    name: str
    description: str | None = None
    created: str
    deleted_at: str | None = None
    user_id: str | None = None
    settings: dict[str, Any] | None = None


class Experiment(BaseModel):
    id: str
    project_id: str
    name: str
    description: str | None = None
    created: str
    repo_info: dict[str, Any] | None = None
    commit: str | None = None
    base_exp_id: str | None = None
    deleted_at: str | None = None
    dataset_id: str | None = None
    dataset_version: str | None = None
    parameters_id: str | None = None
    parameters_version: str | None = None
    public: bool = False
    user_id: str | None = None
    metadata: dict[str, Any] | None = None
    tags: list[str] | None = None


class Dataset(BaseModel):
    id: str
    project_id: str
    name: str
    description: str | None = None
    created: str
    deleted_at: str | None = None
    user_id: str | None = None
    metadata: dict[str, Any] | None = None
    tags: list[str] | None = None
    url_slug: str | None = None


class _Lenient(BaseModel):
    """Request bodies: unknown keys (`org_name`, `ancestor_commits`, …) are accepted and ignored."""

    model_config = ConfigDict(extra="ignore")


class CreateProject(_Lenient):
    name: str = Field(min_length=1, max_length=1024)
    description: str | None = None
    org_name: str | None = None


class ProjectSettings(BaseModel):
    """A project's settings. Other settings of the reference (`spanFieldOrder`, …) are kept as sent."""

    model_config = ConfigDict(extra="allow")

    comparison_key: str | None = Field(
        None,
        max_length=4000,
        description="How test cases of two experiments are matched: an expression of the query language "
        "over a trace, or an array of them, e.g. `input.question` or `[input.query, metadata.category]`. "
        "Default (unset or empty): `input`.",
        examples=["input", "[input.query, metadata.category]"],
    )
    baseline_experiment_id: str | None = None


class PatchProject(_Lenient):
    name: str | None = Field(None, min_length=1, max_length=1024)
    description: str | None = None
    settings: ProjectSettings | None = None


class CreateExperiment(_Lenient):
    project_id: str = Field(min_length=1)
    name: str | None = Field(None, min_length=1, max_length=1024)
    description: str | None = None
    base_exp_id: str | None = None
    dataset_id: str | None = None
    dataset_version: ObjectVersion | None = None
    parameters_id: str | None = None
    parameters_version: ObjectVersion | None = None
    ensure_new: bool = False
    public: bool = False
    metadata: dict[str, Any] | None = None
    tags: list[str] | None = None
    repo_info: dict[str, Any] | None = None


class PatchExperiment(_Lenient):
    name: str | None = Field(None, min_length=1, max_length=1024)
    description: str | None = None
    base_exp_id: str | None = None
    dataset_id: str | None = None
    dataset_version: ObjectVersion | None = None
    public: bool | None = None
    metadata: dict[str, Any] | None = None
    tags: list[str] | None = None
    repo_info: dict[str, Any] | None = None
    parameters_id: str | None = None
    parameters_version: ObjectVersion | None = None


class CreateDataset(_Lenient):
    project_id: str = Field(min_length=1)
    name: str = Field("logs", min_length=1, max_length=1024)
    description: str | None = None
    metadata: dict[str, Any] | None = None


class PatchDataset(_Lenient):
    name: str | None = Field(None, min_length=1, max_length=1024)
    description: str | None = None
    metadata: dict[str, Any] | None = None

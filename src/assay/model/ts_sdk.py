"""Request and response shapes of the routes only the TypeScript SDK uses (braintrust-ts-sdk.md §4).

It registers objects through `/api/{experiment,dataset,project}/register` and looks them up
through `/api/experiment/get` and `/api/self/get_object_info`, where the Python SDK uses the
`/v1/...` CRUD routes; it summarizes through `/experiment-comparison2` and `/dataset-summary`
where Python uses `/v1/.../summarize`. These models describe those bodies; the semantics live in
`services/registration.py` and `services/summaries.py`, shared with the `/v1/...` routes.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assay.model.objects import Dataset, Experiment, ObjectVersion, Project

Name = Field(None, min_length=1, max_length=1024)


class _Lenient(BaseModel):
    """Unknown keys (`repo_info`, `internal_metadata`, `parameters_id`, …) are accepted and ignored."""

    model_config = ConfigDict(extra="ignore")


class ProjectRef(_Lenient):
    """A project named by id or by name (created on registration when only the name is known)."""

    project_id: str | None = Field(None, min_length=1)
    project_name: str | None = Name
    org_id: str | None = None
    org_name: str | None = None


class RegisterExperiment(ProjectRef):
    experiment_name: str | None = Name
    description: str | None = None
    update: bool = False
    base_exp_id: str | None = None
    base_experiment: str | None = Field(None, description="Name of the base experiment in the project.")
    ancestor_commits: list[str] | None = Field(
        None, description="Commits of the caller's checkout, newest first; picks the base experiment."
    )
    dataset_id: str | None = None
    dataset_version: ObjectVersion | None = None
    public: bool = False
    metadata: dict[str, Any] | None = None
    tags: list[str] | None = None
    repo_info: dict[str, Any] | None = None


class GetExperiments(ProjectRef):
    experiment_name: str | None = Name


class RegisterDataset(ProjectRef):
    dataset_name: str = Field("logs", min_length=1, max_length=1024)
    description: str | None = None
    metadata: dict[str, Any] | None = None


class RegisterProject(_Lenient):
    project_name: str = Field(min_length=1, max_length=1024)
    org_id: str | None = None


class ObjectInfoRequest(_Lenient):
    object_type: Literal["project", "experiment", "dataset"]
    object_ids: list[str] = Field(max_length=1000)


class RegisteredExperiment(BaseModel):
    project: Project
    experiment: Experiment


class RegisteredDataset(BaseModel):
    project: Project
    dataset: Dataset


class RegisteredProject(BaseModel):
    project: Project


class ParentProject(BaseModel):
    id: str
    name: str


class ObjectInfo(BaseModel):
    """What `initDataset({datasetId})` needs to know about an object it has only the id of."""

    object_id: str
    object_name: str
    parent_cols: dict[str, ParentProject]


class ScoreSummary(BaseModel):
    name: str
    score: float | None
    improvements: int
    regressions: int
    diff: float | None = None


class MetricSummary(BaseModel):
    name: str
    metric: float
    unit: str
    improvements: int
    regressions: int
    diff: float | None = None


class ExperimentComparison(BaseModel):
    """`summarize()` reads `scores` and `metrics`; a key is absent when there is nothing to diff."""

    scores: dict[str, ScoreSummary]
    metrics: dict[str, MetricSummary]


class DatasetSummary(BaseModel):
    total_records: int

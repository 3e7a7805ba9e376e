"""What the API answers, declared once per shape, and the errors each route may give.

Every route names its response model and its error statuses, so the OpenAPI schema is complete
and the web app's generated types cover every answer. The models describe the reference API's
JSON exactly: optional keys the server leaves out are declared optional (and the routes that
build them leave unset keys out), so declaring a model never adds or renames a field.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from assay.model.comparison import SummaryPairedStatistics
from assay.model.objects import Dataset, Experiment, Project

__all__ = ["Dataset", "Experiment", "Project"]


# -- errors ---------------------------------------------------------------------------------
class ErrorDetail(BaseModel):
    message: str = Field(description="What is wrong, and where (a field, a row, a line and column)")
    status: int


class ErrorBody(BaseModel):
    """Every error answer: `{"error": {"message": ..., "status": ...}}`."""

    error: ErrorDetail


ERROR_TEXT = {
    400: "Bad input: the message names the field, row or query position",
    401: "Missing or invalid API key (or session)",
    403: "The key may read this resource but not change it",
    404: "No such resource, or not readable with this key",
    408: "The query ran past its time limit",
    409: "The name is taken by another object",
    413: "Request body larger than the limit",
    429: "Too many failed attempts: wait the seconds the message (and Retry-After) says",
    502: "An upstream service Assay called (an LLM endpoint) failed",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry declaring these error statuses."""
    return {code: {"model": ErrorBody, "description": ERROR_TEXT[code]} for code in codes}


# Every authenticated route may answer these; routers declare them once for all their routes.
AUTHENTICATED = errors(400, 401, 413)


def json_body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` publishing `model` as the JSON body of a route that reads its body itself
    (to accept what the reference SDK sends, e.g. no Content-Type, and to parse it fast)."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": model.model_json_schema(ref_template="#/components/schemas/{model}")
                }
            },
        }
    }


# -- catalog --------------------------------------------------------------------------------
# Catalog objects' ids are UUIDs the server makes; a list filter naming anything else is a 400
# (it could match nothing), and the schema says so.
ObjectId = Annotated[
    str,
    StringConstraints(
        pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    ),
]


class ProjectList(BaseModel):
    objects: list[Project]


class ExperimentList(BaseModel):
    objects: list[Experiment]


class DatasetList(BaseModel):
    objects: list[Dataset]


# -- SDK ------------------------------------------------------------------------------------
class OrgInfo(BaseModel):
    id: str
    name: str
    api_url: str
    proxy_url: str | None
    realtime_url: str | None
    is_universal_api: bool
    git_metadata: dict[str, Any] | None


class LoginResponse(BaseModel):
    org_info: list[OrgInfo]


class BaseExperiment(BaseModel):
    base_exp_id: str
    base_exp_name: str


class BaseExperimentBody(BaseModel):
    id: str = Field(description="The experiment whose base experiment is asked for")


class VersionInfo(BaseModel):
    version: str
    server: str


class Logs3Body(BaseModel):
    """`POST /logs3`: the rows of one write request (each routed by `experiment_id`, `dataset_id`,
    or `project_id` with `log_id: "g"`)."""

    model_config = ConfigDict(extra="allow")

    rows: list[dict[str, Any]]
    api_version: Any = Field(None, description="Ignored (the SDK sends 2)")


class Logs3Response(BaseModel):
    status: Literal["success"]
    xact_id: str | None = Field(description="The transaction id; null when the request changed nothing")
    row_ids: list[str]


class InsertResponse(BaseModel):
    row_ids: list[str]


class FeedbackResponse(BaseModel):
    status: Literal["success"]


class FetchResponse(BaseModel):
    events: list[dict[str, Any]]
    cursor: str | None = Field(None, description="Present when more traces follow")


# -- summaries --------------------------------------------------------------------------------
class ScoreSummary(BaseModel):
    name: str
    score: float
    diff: float | None = Field(None, description="Present when the comparison has this score")
    improvements: int
    regressions: int


class MetricSummary(BaseModel):
    name: str
    metric: float
    unit: str
    diff: float | None = Field(None, description="Present when the comparison has this metric")
    improvements: int
    regressions: int


class ReviewProgress(BaseModel):
    """Traces reviewed (a human review score set, or the review marked complete; docs/review.md)."""

    reviewed: int
    total: int


class ExperimentSummary(BaseModel):
    project_name: str
    experiment_name: str
    project_url: str
    experiment_url: str
    comparison_experiment_name: str | None
    scores: dict[str, ScoreSummary] | None
    metrics: dict[str, MetricSummary] | None
    paired_statistics: SummaryPairedStatistics | None = Field(
        None, description="Assay's addition with a comparison: the paired t-test of each score and metric"
    )
    review_progress: ReviewProgress | None = Field(
        None, description="Assay's addition: how many of the experiment's traces are human-reviewed"
    )


class DataSummary(BaseModel):
    total_records: int


class DatasetSummary(BaseModel):
    project_name: str
    dataset_name: str
    project_url: str
    dataset_url: str
    data_summary: DataSummary | None


# -- queries --------------------------------------------------------------------------------
class BtqlBody(BaseModel):
    """`POST /btql`: other keys the reference accepts are ignored."""

    model_config = ConfigDict(extra="allow")

    query: str | dict[str, Any] = Field(description="SQL text, pipe text, or the SDK's JSON query tree")
    fmt: Literal["json", "jsonl", "parquet"] | None = "json"
    version: str | int | None = Field(None, description="A transaction id: read the state as of it")


class QueryWarning(BaseModel):
    code: str
    message: str
    stage: str


class BtqlResponse(BaseModel):
    data: list[dict[str, Any]]
    schema_: dict[str, Any] = Field(alias="schema", description="JSON Schema of one row")
    cursor: str | None
    warnings: list[QueryWarning] | None = Field(None, description="Present when the query was adjusted")


# -- the web app ----------------------------------------------------------------------------
class Organization(BaseModel):
    id: str
    name: str


class OrganizationList(BaseModel):
    objects: list[Organization]


class ExperimentListItem(BaseModel):
    id: str
    name: str
    created: str
    project_id: str
    description: str | None
    dataset_id: str | None
    dataset_name: str | None
    metadata: dict[str, Any] | None
    tags: list[str] | None
    base_exp_id: str | None
    row_count: int
    scores: dict[str, float]
    metrics: dict[str, float]


class ProjectExperiments(BaseModel):
    objects: list[ExperimentListItem]
    aggregate_scores: list[str] = Field(
        default_factory=list,
        description="The project's aggregate scores (a column each; their means are in each experiment's scores)",
    )


class ResolvedObject(BaseModel):
    object_type: str
    object_id: str
    object_name: str
    project_id: str
    project_name: str
    org_name: str
    path: str


class TablePage(BaseModel):
    rows: list[dict[str, Any]]
    total: int | None = Field(description="Rows matching the filters; null unless `with_total`")
    offset: int


class TableCount(BaseModel):
    total: int


class GroupStats(BaseModel):
    group: Any = Field(description="The group's value (null: rows without one)")
    count: int
    scores: dict[str, float | None]
    metrics: dict[str, float | None]
    comparison: GroupStats | None = Field(None, description="With a comparison: its figures for the group")


class TableGroups(BaseModel):
    group_by: str
    groups: list[GroupStats]
    comparison_experiment_id: str | None


class TableView(BaseModel):
    id: str
    name: str
    description: str
    filter: str | None


class TableViews(BaseModel):
    objects: list[TableView]


class TableFields(BaseModel):
    scores: list[str]
    metrics: list[str]
    metric_labels: dict[str, str]
    metadata: list[str]
    classifications: list[str] = Field(
        description="Classification names (classifiers, topics): filter on `classifications.<name>.label`"
    )
    facets: list[str] = Field(description="Facet names: `facets.<name>` is the trace's summary text")
    default_comparison_experiment_id: str | None


class CheckResult(BaseModel):
    valid: bool
    message: str | None = Field(description="What is wrong (null when valid)")
    line: int | None = Field(description="1-based line in the text")
    column: int | None = Field(description="1-based column in the text")


class TableScore(BaseModel):
    name: str
    score: float
    diff: float | None = Field(None, description="Against the comparison over the same filters")
    improvements: int | None = Field(None, description="With a comparison: matched test cases that improved")
    regressions: int | None = Field(None, description="With a comparison: matched test cases that regressed")


class TableMetric(BaseModel):
    name: str
    metric: float
    unit: str
    diff: float | None = Field(None, description="Against the comparison over the same filters")


class TableSummary(BaseModel):
    comparison_experiment_name: str | None
    traces: int = Field(description="Traces the filters keep")
    scores: dict[str, TableScore]
    metrics: dict[str, TableMetric]

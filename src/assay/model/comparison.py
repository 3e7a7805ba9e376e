"""What a comparison of experiments returns: typed, so the OpenAPI schema and the UI's types say it.

A comparison is a base experiment and up to 7 others (8 in all, like the reference CLI). Every other
experiment is measured against the base; test cases are matched by the project's comparison key.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

MAX_COMPARED = 7  # experiments besides the base


class PairedValues(BaseModel):
    """Is the change real? A paired t-test over the test cases both experiments have.

    A test case's value is the mean over its traces (trials); the differences are (experiment -
    base) per matched case. The confidence interval is that of the mean difference."""

    n: int = Field(description="Matched test cases with a value in both experiments")
    mean_diff: float | None = Field(description="Mean of (experiment - base) over the matched cases")
    ci_low: float | None = Field(description="95% confidence interval of the mean difference (n >= 2)")
    ci_high: float | None
    p_value: float | None = Field(description="Two-sided p-value of the paired t-test (n >= 2)")


class PairedStatistics(PairedValues):
    """The paired test of one measure, naming the test and its confidence level."""

    test: Literal["paired_t"] = "paired_t"
    confidence: float = 0.95


class SummaryPairedStatistics(BaseModel):
    """`summarize`'s addition (top level, so every score and metric item keeps the reference's
    keys): the paired test of each score and metric against the comparison experiment."""

    comparison_experiment_id: str
    comparison_key: str = Field(description="The project's comparison key used to match test cases")
    test: Literal["paired_t"]
    confidence: float
    scores: dict[str, PairedValues]
    metrics: dict[str, PairedValues]


class MeasureOfExperiment(BaseModel):
    """One score or metric of one experiment, and how it compares with the base."""

    experiment_id: str
    value: float | None = Field(
        description="Mean over the experiment's traces (a trace's score: mean of its spans)"
    )
    traces: int = Field(description="Traces with a value")
    diff: float | None = Field(description="value - the base's value (None for the base itself)")
    improvements: int = Field(description="Traces better than the base's value of their test case")
    regressions: int = Field(description="Traces worse than the base's value of their test case")
    paired: PairedStatistics | None = Field(description="Against the base; None for the base itself")


class MeasureComparison(BaseModel):
    """A score or metric across the compared experiments, the base first."""

    name: str
    kind: Literal["score", "metric"]
    unit: str = Field(description="'%' for scores (0..1 shown as percent), the metric's unit otherwise")
    higher_is_better: bool
    experiments: list[MeasureOfExperiment]


class ComparedExperiment(BaseModel):
    id: str
    name: str
    role: Literal["base", "comparison"]
    created: str | None = None
    traces: int


class ProjectRef(BaseModel):
    id: str
    name: str


class ComparisonSummary(BaseModel):
    """Scores and metrics of a base and up to 7 other experiments, with paired statistics."""

    project: ProjectRef
    comparison_key: str = Field(description="The project's comparison key used to match test cases")
    experiments: list[ComparedExperiment] = Field(description="The base first, then the others in order")
    scores: list[MeasureComparison]
    metrics: list[MeasureComparison]


class ExperimentHistogram(BaseModel):
    experiment_id: str
    counts: list[int] = Field(description="Traces per bin, lowest bin first")
    traces: int = Field(description="Traces with this score")


class ScoreHistogram(BaseModel):
    name: str
    edges: list[float] = Field(description="Bin edges over [0, 1]: bins + 1 numbers")
    experiments: list[ExperimentHistogram]


class ComparisonHistograms(BaseModel):
    """Each score's distribution over traces, per experiment (overlaid when comparing)."""

    experiments: list[ComparedExperiment]
    scores: list[ScoreHistogram]


# -- rows of a comparison ---------------------------------------------------------------------------
class ComparedCase(BaseModel):
    """One experiment's side of a table row: its test case with the row's comparison key."""

    experiment_id: str
    id: str | None = Field(
        description="The row itself for the table's experiment, else the case's first trace"
    )
    traces: int = Field(description="Traces of the test case in this experiment (trials); 0: not matched")
    scores: dict[str, float | None]
    metrics: dict[str, float | None]
    score_deltas: dict[str, float | None] = Field(
        description="Score minus the base's score of the same test case (empty for the base)"
    )
    metric_deltas: dict[str, float | None]
    fields: dict[str, object] | None = Field(
        None, description="input, output, expected, metadata, error of trace `id` (with `with_fields`)"
    )


class CompareRow(BaseModel):
    row: dict[str, object] = Field(description="The table row (the fields of POST /v1/experiment/{id}/table)")
    match_key: str | None
    experiments: list[ComparedCase] = Field(description="One per compared experiment, the base first")


class CompareRowsPage(BaseModel):
    experiments: list[ComparedExperiment]
    rows: list[CompareRow]
    total: int | None
    offset: int


class GroupOfExperiment(BaseModel):
    experiment_id: str
    count: int
    scores: dict[str, float | None]
    metrics: dict[str, float | None]
    improvements: dict[str, int] = Field(
        description="Per score: traces of the group above the base's case value"
    )
    regressions: dict[str, int]


class CompareGroup(BaseModel):
    group: object
    experiments: list[GroupOfExperiment]


class CompareGroups(BaseModel):
    group_by: str
    experiments: list[ComparedExperiment]
    groups: list[CompareGroup]

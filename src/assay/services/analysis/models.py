"""What the analyses are asked and what they answer: the typed shapes of the analysis routes.

Every answer carries its evidence: row ids (to open a trace) and structured conditions (the
table's own `{column, op, value}` filters, to open exactly the rows an answer is about).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assay.model.comparison import PairedStatistics
from assay.query.expression import Scalar
from assay.services.table_query import ID_PATTERN, Condition

NAME = Field(min_length=1, max_length=1000)


class _Query(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- slices -------------------------------------------------------------------------------------
class SliceQuery(_Query):
    score: str | None = Field(
        None, min_length=1, max_length=1000, description="One score (default: every score)"
    )
    keys: list[str] | None = Field(
        None, max_length=50, description="Root metadata keys to slice by (default: every scalar key seen)"
    )
    alpha: float = Field(
        0.05, gt=0, lt=0.5, description="Significance level, after Holm's adjustment over all slices tested"
    )
    min_n: int = Field(
        10, ge=2, le=100_000, description="Fewest traces a slice (and the rest) must have to be tested"
    )
    max_values: int = Field(
        50, ge=2, le=1000, description="Keys with more distinct values are skipped (ids, free text)"
    )
    pairs: bool = Field(True, description="Also test pairs of values of two keys")
    max_pair_keys: int = Field(6, ge=2, le=10, description="Pairs are formed among the first this many keys")
    limit: int = Field(20, ge=1, le=500, description="Most slices reported")
    examples: int = Field(5, ge=0, le=50, description="Lowest-scoring traces shown per slice")
    examples_for: int = Field(
        3, ge=0, le=100, description="Slices (from the top) that get examples (one statement each)"
    )


class SliceValue(BaseModel):
    key: str
    value: Scalar


class SliceExample(BaseModel):
    id: str
    root_span_id: str
    score: float | None


class Slice(BaseModel):
    """One slice whose score mean is significantly below the rest's."""

    score: str
    values: list[SliceValue] = Field(description="One value, or a pair of values of two keys")
    n: int = Field(description="Traces in the slice with this score")
    mean: float
    rest_n: int
    rest_mean: float
    diff: float = Field(description="The slice's mean minus the rest's")
    ci_low: float = Field(description="Confidence interval of diff (Welch, normal approximation)")
    ci_high: float
    effect_size: float = Field(description="Cohen's d: diff over the pooled standard deviation")
    p_value: float = Field(description="Two-sided, before adjustment")
    p_adjusted: float = Field(description="Holm-adjusted over every slice tested")
    conditions: list[Condition] = Field(description="Table filters that select the slice")
    filter: str = Field(
        description="The same as one filter of the query language (for the SQL filter or /btql)"
    )
    examples: list[SliceExample] = Field(default_factory=list)


class SkippedKey(BaseModel):
    key: str
    reason: str


class SliceReport(BaseModel):
    alpha: float
    confidence: float
    min_n: int
    scores: list[str]
    keys: list[str]
    traces: dict[str, int] = Field(default_factory=dict, description="Traces with each score")
    tested: int = Field(0, description="Slices tested (the family of Holm's adjustment)")
    slices: list[Slice] = Field(
        default_factory=list, description="Worst first (most negative test statistic)"
    )
    skipped: list[SkippedKey] = Field(default_factory=list)


# -- errors -------------------------------------------------------------------------------------
class ErrorQuery(_Query):
    max_errors: int = Field(50_000, ge=1, le=100_000, description="Most error spans read")
    examples: int = Field(3, ge=0, le=50, description="Example spans kept per category")
    limit: int = Field(50, ge=1, le=1000, description="Most categories reported")


class ErrorExample(BaseModel):
    id: str = Field(description="The span's row id")
    root_span_id: str
    message: str = Field(description="The error as logged (first 2,000 characters)")


class ErrorCategory(BaseModel):
    source: Literal["task", "scorer"] = Field(
        description="A scorer failure (a `score` span) or any other error"
    )
    scorer: str | None = Field(None, description="The failing scorer's name (scorer failures)")
    pattern: str = Field(
        description="The message with numbers, ids, hex, quoted strings, paths and URLs as placeholders"
    )
    count: int = Field(description="Error spans in this category")
    traces: int = Field(description="Traces holding them")
    examples: list[ErrorExample] = Field(default_factory=list)


class ErrorReport(BaseModel):
    errors: int = Field(description="Error spans read")
    truncated: bool = Field(description="True when max_errors stopped the read")
    task_errors: int
    scorer_errors: int
    categories: list[ErrorCategory] = Field(description="Largest first")


# -- agreement ----------------------------------------------------------------------------------
class AgreementQuery(_Query):
    scores: list[str] | None = Field(
        None, max_length=30, description="Scores to compare (default: every score)"
    )
    human: list[str] = Field(
        default_factory=list,
        max_length=10,
        description="Scores given by human review, to rank the scorers against",
    )
    threshold: float = Field(
        0.5, ge=0, le=1, description="A score at or above it passes (for agreement and kappa)"
    )
    examples: int = Field(5, ge=0, le=50, description="Traces where the pair differs most, per pair")
    examples_for: int = Field(5, ge=0, le=100, description="Pairs (from the top) that get examples")


class AgreementExample(BaseModel):
    id: str
    root_span_id: str
    a: float
    b: float


class PairAgreement(BaseModel):
    a: str
    b: str
    n: int = Field(description="Traces with both scores")
    human: bool = Field(False, description="One of the two is a human review score")
    pearson: float | None = Field(None, description="Correlation (None when a score is constant or n < 2)")
    mean_abs_diff: float | None = None
    agreement: float | None = Field(None, description="Share of traces where both pass or both fail")
    kappa: float | None = Field(None, description="Cohen's kappa of pass/fail")
    examples: list[AgreementExample] = Field(default_factory=list)


class ScorerRanking(BaseModel):
    scorer: str
    pearson: float | None = Field(description="Mean correlation with the human scores")
    agreement: float | None
    n: int


class AgreementReport(BaseModel):
    threshold: float
    scores: list[str]
    human: list[str]
    pairs: list[PairAgreement] = Field(default_factory=list, description="Least agreeing first")
    ranking: list[ScorerRanking] = Field(
        default_factory=list, description="Scorers by agreement with human scores, best first"
    )


# -- changes against a base ---------------------------------------------------------------------
class ChangesQuery(_Query):
    base_experiment_id: str | None = Field(
        None,
        pattern=ID_PATTERN,
        description="The base (default: the experiment's stored base, else the project's previous experiment)",
    )
    examples: int = Field(
        3, ge=0, le=50, description="Most improved and most regressed traces shown per score"
    )


class ExperimentRef(BaseModel):
    id: str
    name: str


class ChangeExample(BaseModel):
    id: str
    root_span_id: str
    score: float
    base_score: float = Field(description="The base's score of the same test case")


class ScoreChange(BaseModel):
    name: str
    mean: float | None
    base_mean: float | None = Field(None, description="None when the base has no such score")
    diff: float | None = None
    improvements: int = Field(description="Matched test cases that scored higher than in the base")
    regressions: int = Field(description="Matched test cases that scored lower")
    paired: PairedStatistics | None = Field(
        None,
        description="The paired t-test over the matched test cases (the summary's `paired_statistics`): "
        "mean difference, its 95% confidence interval, p-value and n; None for aggregate scores",
    )
    improved: list[ChangeExample] = Field(default_factory=list, description="Largest rises first")
    regressed: list[ChangeExample] = Field(default_factory=list, description="Largest drops first")


class ChangesReport(BaseModel):
    experiment: ExperimentRef
    base: ExperimentRef | None = Field(description="None when there is no earlier experiment to compare with")
    scores: list[ScoreChange] = Field(default_factory=list, description="Largest change of the mean first")

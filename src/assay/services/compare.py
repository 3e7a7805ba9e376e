"""Comparing a base experiment with up to 7 others: scores, metrics and paired statistics.

Every figure is computed in the database over the stored trace summaries, in one statement for all
experiments (`Store.compare_experiments`); this module resolves and checks the experiments, picks
the project's comparison key, and turns sufficient statistics into intervals and p-values
(`assay.services.stats`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlglot import exp

from assay.model.comparison import (
    MAX_COMPARED,
    ComparedExperiment,
    ComparisonHistograms,
    ComparisonSummary,
    ExperimentHistogram,
    MeasureComparison,
    MeasureOfExperiment,
    PairedStatistics,
    ProjectRef,
    ScoreHistogram,
)
from assay.model.errors import Forbidden, InvalidInput, NotFound
from assay.model.metrics import METRIC_UNITS, SUMMARY_METRICS
from assay.query import compile_column
from assay.services import comparison_key, stats
from assay.services.aggregates import formulas_of
from assay.services.auth import Principal
from assay.services.catalog import get_object
from assay.services.context import Services
from assay.services.project_scores import aggregates_of
from assay.store.base import ExperimentComparison, ObjectRef
from assay.store.base import MeasureComparison as Measured

# Metrics a comparison reports (those of summarize); llm_* only when some experiment has LLM spans.
COMPARED_METRICS = SUMMARY_METRICS
OPTIONAL_METRICS = frozenset({"llm_calls", "llm_duration"})
MAX_BINS = 100


class Compared:
    """The resolved experiments of one comparison: the base first, then the others in order."""

    def __init__(self, project: dict[str, Any], experiments: list[dict[str, Any]]) -> None:
        self.project = project
        self.experiments = experiments
        self.key = comparison_key.key_text(project)

    @property
    def base(self) -> dict[str, Any]:
        return self.experiments[0]

    @property
    def refs(self) -> list[ObjectRef]:
        return [ObjectRef("experiment", e["id"]) for e in self.experiments]


def _experiment(svc: Services, who: Principal, ref: str, project_id: str | None) -> dict[str, Any]:
    """An experiment by id, or by name inside the base's project."""
    try:
        return get_object(svc, who, "experiment", ref)
    except (NotFound, Forbidden):
        if project_id is None:
            raise
    found = svc.store.list_objects("experiment", project_id=project_id, name=ref)
    if not found:
        raise NotFound(f"experiment {ref!r} not found")
    return get_object(svc, who, "experiment", found[0]["id"])


def resolve(svc: Services, who: Principal, base: str, others: Sequence[str]) -> Compared:
    """Check the comparison: readable experiments of one project, distinct, at most 7 besides the base."""
    if len(others) > MAX_COMPARED:
        raise InvalidInput(
            f"compare a base with at most {MAX_COMPARED} other experiments ({len(others)} given)"
        )
    first = _experiment(svc, who, base, None)
    experiments = [first]
    for ref in others:
        exp = _experiment(svc, who, ref, first["project_id"])
        if exp["project_id"] != first["project_id"]:
            raise InvalidInput(
                f"experiment {exp['name']!r} belongs to another project: compare experiments of one project"
            )
        if any(e["id"] == exp["id"] for e in experiments):
            raise InvalidInput(f"experiment {exp['name']!r} is listed twice")
        experiments.append(exp)
    project = get_object(svc, who, "project", first["project_id"])
    return Compared(project, experiments)


def _paired(found: Measured | None) -> PairedStatistics:
    if found is None:
        return PairedStatistics(n=0, mean_diff=None, ci_low=None, ci_high=None, p_value=None)
    p = stats.paired_t(found.pairs, found.mean_diff, found.sd_diff)
    return PairedStatistics(
        n=p.n, mean_diff=p.mean_diff, ci_low=p.ci_low, ci_high=p.ci_high, p_value=p.p_value
    )


def _measure(name: str, kind: str, c: Compared, found: dict[str, ExperimentComparison]) -> MeasureComparison:
    higher_better = kind == "score"

    def pick(exp_id: str) -> Measured | None:
        entry = found.get(exp_id)
        if entry is None:
            return None
        return (entry.scores if kind == "score" else entry.metrics).get(name)

    base = pick(c.base["id"])
    items = []
    for i, doc in enumerate(c.experiments):
        m = pick(doc["id"])
        better, worse = (0, 0) if m is None else (m.higher, m.lower) if higher_better else (m.lower, m.higher)
        items.append(
            MeasureOfExperiment(
                experiment_id=doc["id"],
                value=m.mean if m else None,
                traces=m.count if m else 0,
                diff=(m.mean - base.mean)
                if i and m and base and m.mean is not None and base.mean is not None
                else None,
                improvements=better if i else 0,
                regressions=worse if i else 0,
                paired=_paired(m) if i else None,
            )
        )
    unit = "%" if kind == "score" else METRIC_UNITS.get(name, "")
    return MeasureComparison(
        name=name,
        kind=kind,
        unit=unit,
        higher_is_better=higher_better,
        experiments=items,
    )


def _compared_experiments(c: Compared, traces: dict[str, int]) -> list[ComparedExperiment]:
    return [
        ComparedExperiment(
            id=e["id"],
            name=e["name"],
            role="base" if i == 0 else "comparison",
            created=e.get("created"),
            traces=traces.get(e["id"], 0),
        )
        for i, e in enumerate(c.experiments)
    ]


def summary(svc: Services, who: Principal, base: str, others: Sequence[str]) -> ComparisonSummary:
    """Scores and metrics of the base and the others, each against the base, with paired tests."""
    return summarize(svc, resolve(svc, who, base, others))


def _formulas(svc: Services, c: Compared) -> dict[str, exp.Expr]:
    """The project's aggregate scores compiled over a trace summary: measured like logged scores."""
    docs = aggregates_of(svc, c.project["id"])
    return {n: compile_column(f, "summary", svc.store.dialect) for n, f in formulas_of(docs).items()}


def summarize(svc: Services, c: Compared, where: exp.Expr | None = None) -> ComparisonSummary:
    """`summary` of resolved experiments, over the traces `where` keeps (a compiled condition,
    see `assay.services.compare_filters`); the project's aggregate scores are scores here too."""
    refs = c.refs
    found = svc.store.compare_experiments(
        refs[0],
        refs[1:],
        key=comparison_key.compiled(c.key, svc.store.dialect),
        metrics=COMPARED_METRICS,
        where=where,
        formulas=_formulas(svc, c),
    )
    score_names = sorted({n for e in found.values() for n in e.scores})
    metric_names = [
        m
        for m in COMPARED_METRICS
        if any(
            m in e.metrics and (m not in OPTIONAL_METRICS or (e.metrics[m].mean or 0)) for e in found.values()
        )
    ]
    return ComparisonSummary(
        project=ProjectRef(id=c.project["id"], name=c.project["name"]),
        comparison_key=c.key,
        experiments=_compared_experiments(c, {k: v.traces for k, v in found.items()}),
        scores=[_measure(n, "score", c, found) for n in score_names],
        metrics=[_measure(n, "metric", c, found) for n in metric_names],
    )


def histograms(
    svc: Services, who: Principal, base: str, others: Sequence[str], bins: int = 10
) -> ComparisonHistograms:
    """Each score's distribution over traces in `bins` equal bins of [0, 1], per experiment."""
    if not 1 <= bins <= MAX_BINS:
        raise InvalidInput(f"bins must be between 1 and {MAX_BINS}")
    return histograms_of(svc, resolve(svc, who, base, others), bins)


def histograms_of(
    svc: Services, c: Compared, bins: int, where: exp.Expr | None = None
) -> ComparisonHistograms:
    """`histograms` of resolved experiments, over the traces `where` keeps (each score's `traces`
    counts those; `experiments[].traces` counts all of an experiment's traces)."""
    counts = svc.store.score_histograms(c.refs, bins, where)
    names = sorted({n for per in counts.values() for n in per})
    edges = [round(i / bins, 12) for i in range(bins + 1)]
    scores = [
        ScoreHistogram(
            name=n,
            edges=edges,
            experiments=[
                ExperimentHistogram(
                    experiment_id=e["id"],
                    counts=counts[e["id"]].get(n, [0] * bins),
                    traces=sum(counts[e["id"]].get(n, [])),
                )
                for e in c.experiments
            ],
        )
        for n in names
    ]
    traces = {r.object_id: svc.store.count_rows(r, roots_only=True) for r in c.refs}
    return ComparisonHistograms(experiments=_compared_experiments(c, traces), scores=scores)

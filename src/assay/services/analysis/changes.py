"""What improved and what regressed against a base experiment, per score, with the test cases that
moved most as evidence (the answer to "what improved from the last experiment?").

The base is the one asked for, else the experiment's stored base, else the previous experiment of
its project (as the summary and the SDK choose it). Per score the figures are the summary's:
means, their difference, how many matched test cases went up or down, and its paired t-test over
the matched test cases (mean difference, 95% confidence interval, p-value, n: the same
`assay.services.stats` test every comparison reports), so "improved" can be told from noise. The evidence reads the
`summary` shape with `compare => base`, which puts the base's score of the same test case beside
each trace, sorted by the change.
"""

from __future__ import annotations

from sqlglot import exp

from assay.model.comparison import PairedStatistics
from assay.services.analysis.models import (
    ChangeExample,
    ChangesQuery,
    ChangesReport,
    ExperimentRef,
    ScoreChange,
)
from assay.services.analysis.scope import Scope, path
from assay.services.summaries import comparison_for, summarize_experiment


def analyze(scope: Scope, q: ChangesQuery) -> ChangesReport:
    svc, who = scope.svc, scope.who
    base = comparison_for(svc, who, scope.experiment, q.base_experiment_id)
    me = ExperimentRef(id=scope.id, name=scope.experiment["name"])
    if base is None:
        return ChangesReport(experiment=me, base=None)
    summary = summarize_experiment(svc, who, scope.id, base_url="", comparison_experiment_id=base["id"])
    report = ChangesReport(experiment=me, base=ExperimentRef(id=base["id"], name=base["name"]))
    tests = summary.get("paired_statistics") or {}
    for name, item in sorted((summary.get("scores") or {}).items()):
        paired = (tests.get("scores") or {}).get(name)
        change = ScoreChange(
            name=name,
            mean=item["score"],
            diff=item.get("diff"),
            base_mean=item["score"] - item["diff"] if item.get("diff") is not None else None,
            improvements=item["improvements"],
            regressions=item["regressions"],
            paired=PairedStatistics(**paired, test=tests["test"], confidence=tests["confidence"])
            if paired
            else None,
        )
        if q.examples:
            change.improved = _moved(scope, base["id"], name, q.examples, up=True)
            change.regressed = _moved(scope, base["id"], name, q.examples, up=False)
        report.scores.append(change)
    # Largest movements first: what a reader wants to hear about.
    report.scores.sort(key=lambda c: -abs(c.diff or 0.0))
    return report


def _moved(scope: Scope, base_id: str, score: str, count: int, *, up: bool) -> list[ChangeExample]:
    """The traces whose score moved most (up or down) from the base's score of their test case."""
    now, before = path("scores", score), scope.comparison_score(score)
    delta = exp.Sub(this=now.copy(), expression=before.copy())
    moved = (
        exp.GT(this=delta.copy(), expression=exp.Literal.number(0))
        if up
        else exp.LT(this=delta.copy(), expression=exp.Literal.number(0))
    )
    select = (
        exp.select(
            exp.column("id"),
            exp.column("root_span_id"),
            exp.alias_(now.copy(), "value"),
            exp.alias_(before.copy(), "base_value"),
        )
        .where(moved)
        .order_by(exp.Ordered(this=delta, desc=up), exp.Ordered(this=exp.column("id")))
        .limit(count)
    )
    return [
        ChangeExample(
            id=r["id"], root_span_id=r["root_span_id"], score=r["value"], base_score=r["base_value"]
        )
        for r in scope.run(select, compare=(base_id,))
    ]

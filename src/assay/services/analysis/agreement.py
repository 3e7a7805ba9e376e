"""Which scorers disagree, with each other or with human review scores ("pick the best scorers").

For every pair of scores, over the traces that have both, one statement returns the sums that
Pearson's correlation, the mean absolute difference and a pass/fail agreement (each score passed
at `threshold`) need, with Cohen's kappa (agreement beyond what the two pass rates give by
chance). Pairs are listed least agreeing first; the traces where a pair differs most are the
evidence. With `human` scores named, each automatic scorer is also ranked by how well it agrees
with them.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from sqlglot import exp

from assay.model.errors import InvalidInput
from assay.query.expression import literal
from assay.services.analysis.models import (
    AgreementExample,
    AgreementQuery,
    AgreementReport,
    PairAgreement,
    ScorerRanking,
)
from assay.services.analysis.scope import Scope, call, path


def _both(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return exp.and_(
        exp.Not(this=exp.Is(this=a.copy(), expression=exp.Null())),
        exp.Not(this=exp.Is(this=b.copy(), expression=exp.Null())),
    )


def _when(cond: exp.Expr, value: exp.Expr) -> exp.Expr:
    """`CASE WHEN cond THEN value END`: the value where both scores exist, else NULL."""
    return exp.Case(ifs=[exp.If(this=cond, true=value)])


def _measures(i: int, a: exp.Expr, b: exp.Expr, threshold: float) -> list[exp.Expr]:
    both = _both(a, b)
    one = exp.Literal.number(1)
    pa = exp.GTE(this=a.copy(), expression=literal(threshold))
    pb = exp.GTE(this=b.copy(), expression=literal(threshold))
    parts: dict[str, exp.Expr] = {
        "n": exp.Count(this=_when(both.copy(), one.copy())),
        "sa": exp.Sum(this=_when(both.copy(), a.copy())),
        "sb": exp.Sum(this=_when(both.copy(), b.copy())),
        "saa": exp.Sum(this=_when(both.copy(), exp.Mul(this=a.copy(), expression=a.copy()))),
        "sbb": exp.Sum(this=_when(both.copy(), exp.Mul(this=b.copy(), expression=b.copy()))),
        "sab": exp.Sum(this=_when(both.copy(), exp.Mul(this=a.copy(), expression=b.copy()))),
        "abs": exp.Sum(this=_when(both.copy(), call("abs", exp.Sub(this=a.copy(), expression=b.copy())))),
        "pa": exp.Sum(this=_when(exp.and_(both.copy(), pa.copy()), one.copy())),
        "pb": exp.Sum(this=_when(exp.and_(both.copy(), pb.copy()), one.copy())),
        "pab": exp.Sum(this=_when(exp.and_(both.copy(), pa, pb), one.copy())),
    }
    return [exp.alias_(node, f"{name}{i}") for name, node in parts.items()]


def _pearson(n: int, sa: float, sb: float, saa: float, sbb: float, sab: float) -> float | None:
    if n < 2:
        return None
    cov = sab - sa * sb / n
    va, vb = saa - sa * sa / n, sbb - sb * sb / n
    if va <= 1e-12 * max(1.0, saa) or vb <= 1e-12 * max(1.0, sbb):
        return None  # a constant score correlates with nothing
    return max(-1.0, min(1.0, cov / math.sqrt(va * vb)))


def _kappa(n: int, pa: int, pb: int, pab: int) -> tuple[float, float | None]:
    """Observed agreement of pass/fail, and Cohen's kappa (None when chance agreement is total)."""
    agree = (pab + (n - pa - pb + pab)) / n
    chance = (pa / n) * (pb / n) + (1 - pa / n) * (1 - pb / n)
    return agree, None if chance >= 1.0 else (agree - chance) / (1 - chance)


def analyze(scope: Scope, q: AgreementQuery) -> AgreementReport:
    known = scope.score_names
    for name in [*(q.scores or []), *q.human]:
        if name not in known:
            raise InvalidInput(
                f"score {name!r} not found in this experiment (it has: {', '.join(known) or 'none'})"
            )
    scores = list(dict.fromkeys([*(q.scores or known), *q.human]))
    pairs = list(itertools.combinations(scores, 2))
    report = AgreementReport(threshold=q.threshold, scores=scores, human=q.human)
    if not pairs:
        return report
    items: list[exp.Expr] = []
    for i, (a, b) in enumerate(pairs):
        items += _measures(i, path("scores", a), path("scores", b), q.threshold)
    row: dict[str, Any] = scope.run(exp.Select(expressions=items))[0]
    for i, (a, b) in enumerate(pairs):
        n = int(row[f"n{i}"] or 0)
        if n == 0:
            report.pairs.append(PairAgreement(a=a, b=b, n=0, human=a in q.human or b in q.human))
            continue
        sums = [float(row[f"{k}{i}"] or 0.0) for k in ("sa", "sb", "saa", "sbb", "sab")]
        agree, kappa = _kappa(n, int(row[f"pa{i}"] or 0), int(row[f"pb{i}"] or 0), int(row[f"pab{i}"] or 0))
        report.pairs.append(
            PairAgreement(
                a=a,
                b=b,
                n=n,
                human=a in q.human or b in q.human,
                pearson=_pearson(n, *sums),
                mean_abs_diff=float(row[f"abs{i}"] or 0.0) / n,
                agreement=agree,
                kappa=kappa,
            )
        )
    report.pairs.sort(key=_disagreement)
    for pair in report.pairs[: q.examples_for]:
        if pair.n:
            pair.examples = _examples(scope, pair, q.examples)
    if q.human:
        report.ranking = _ranking(report.pairs, q.human)
    return report


def _disagreement(p: PairAgreement) -> tuple[int, float, float]:
    """Least agreeing first; pairs with nothing in common last."""
    if p.n == 0:
        return (2, 0.0, 0.0)
    return (
        0 if p.pearson is not None else 1,
        p.pearson if p.pearson is not None else 0.0,
        -(p.mean_abs_diff or 0.0),
    )


def _ranking(pairs: list[PairAgreement], human: list[str]) -> list[ScorerRanking]:
    """Each automatic scorer by its mean correlation with the human scores (best first)."""
    found: dict[str, list[PairAgreement]] = {}
    for p in pairs:
        if (p.a in human) == (p.b in human) or p.n == 0:
            continue
        scorer = p.b if p.a in human else p.a
        found.setdefault(scorer, []).append(p)
    out = []
    for scorer, ps in found.items():
        rs = [p.pearson for p in ps if p.pearson is not None]
        agree = [p.agreement for p in ps if p.agreement is not None]
        out.append(
            ScorerRanking(
                scorer=scorer,
                pearson=sum(rs) / len(rs) if rs else None,
                agreement=sum(agree) / len(agree) if agree else None,
                n=min(p.n for p in ps),
            )
        )
    out.sort(key=lambda r: (r.pearson is None, -(r.pearson or 0.0)))
    return out


def _examples(scope: Scope, pair: PairAgreement, count: int) -> list[AgreementExample]:
    a, b = path("scores", pair.a), path("scores", pair.b)
    gap = call("abs", exp.Sub(this=a.copy(), expression=b.copy()))
    select = (
        exp.select(
            exp.column("id"), exp.column("root_span_id"), exp.alias_(a.copy(), "a"), exp.alias_(b.copy(), "b")
        )
        .where(_both(a, b))
        .order_by(exp.Ordered(this=gap, desc=True), exp.Ordered(this=exp.column("id")))
        .limit(count)
    )
    return [
        AgreementExample(id=r["id"], root_span_id=r["root_span_id"], a=r["a"], b=r["b"])
        for r in scope.run(select)
    ]

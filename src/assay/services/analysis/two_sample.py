"""Is one group's mean below the rest's? Welch's two-sample test from sufficient statistics.

The database returns, per group, the count, the sum and the sum of squares of a score; this
module turns two such triples into the difference of means, a confidence interval, a p-value and
a standardised effect size (Cohen's d). Why from sums: one grouped aggregate computes them for
every metadata value at once, whatever the number of traces, and the rest of the experiment is
the total minus the group, so no second scan is needed.

Why Welch (unequal variances): a failing slice usually has a different spread from the rest
(scores pile up at 0), and Welch's test does not assume equal variances. Slices have at least
`MIN_N` traces on each side; the test statistic is referred to the standard normal distribution,
which at that size is within a few thousandths of Student's t in p.

Many slices are tested at once, so `holm` adjusts their p-values (Holm's step-down method) to
keep the chance of reporting any slice with no real effect at or below the stated level.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

_NORMAL = NormalDist()


@dataclass(frozen=True)
class Moments:
    """Count, sum and sum of squares of the values of one group."""

    n: int
    total: float
    squares: float

    def __sub__(self, other: Moments) -> Moments:
        return Moments(self.n - other.n, self.total - other.total, self.squares - other.squares)

    @property
    def mean(self) -> float:
        return self.total / self.n

    @property
    def variance(self) -> float:
        """The sample variance (n - 1 in the denominator); 0 when rounding makes it negative."""
        if self.n < 2:
            return 0.0
        return max(0.0, (self.squares - self.total * self.total / self.n) / (self.n - 1))


@dataclass(frozen=True)
class Difference:
    """The group's mean minus the rest's, with its uncertainty."""

    diff: float
    ci_low: float
    ci_high: float
    z: float
    p_value: float  # two-sided
    effect_size: float  # Cohen's d: the difference over the pooled standard deviation


def welch(group: Moments, rest: Moments, confidence: float) -> Difference:
    """Welch's test of `group` against `rest` (each with at least two values)."""
    diff = group.mean - rest.mean
    se = math.sqrt(group.variance / group.n + rest.variance / rest.n)
    pooled = math.sqrt(
        ((group.n - 1) * group.variance + (rest.n - 1) * rest.variance) / (group.n + rest.n - 2)
    )
    effect = diff / pooled if pooled > 0 else (0.0 if diff == 0 else math.copysign(math.inf, diff))
    if se == 0.0:
        # Both sides constant: the difference is exact.
        return Difference(
            diff,
            diff,
            diff,
            0.0 if diff == 0 else math.copysign(math.inf, diff),
            1.0 if diff == 0 else 0.0,
            effect,
        )
    z = diff / se
    half = _NORMAL.inv_cdf(0.5 + confidence / 2.0) * se
    p = math.erfc(abs(z) / math.sqrt(2.0))
    return Difference(diff, diff - half, diff + half, z, p, effect)


def holm(p_values: list[float]) -> list[float]:
    """Holm-adjusted p-values, in the order given: reject where adjusted p <= alpha."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted

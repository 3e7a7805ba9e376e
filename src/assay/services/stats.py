"""Is the change real? A paired t-test over matched test cases, from sufficient statistics.

The database returns, per score and experiment, the number n of matched test cases and the mean
and sample standard deviation of their differences (experiment minus base); this module turns
those three numbers into a 95% confidence interval of the mean difference and a two-sided p-value.

Why the paired t-test (and not a bootstrap): it needs only n, mean and standard deviation, which
one SQL aggregate computes over any number of cases, so the interval costs nothing extra at
100,000 cases; it is exact when differences are normal and, by the central limit theorem, close
for bounded scores once n is in the tens. A bootstrap would resample every case thousands of times.

Student's t distribution is computed here (no SciPy at run time) through the regularized
incomplete beta function, evaluated by its continued fraction (modified Lentz); the tests check
it against SciPy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

CONFIDENCE = 0.95
TEST = "paired_t"
_EPS = 1e-15
_TINY = 1e-300


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of I_x(a, b), converging fast for x < (a + 1) / (a + b + 2)."""
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    result = d
    for m in range(1, 10_000):
        # The even step, then the odd step, of the fraction's terms.
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + numerator / c
            c = c if abs(c) > _TINY else _TINY
            step = c * d
            result *= step
        if abs(step - 1.0) < _EPS:
            break
    return result


def incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b), for a, b > 0 and 0 <= x <= 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_fraction(b, a, 1.0 - x) / b


def t_two_sided(t: float, df: float) -> float:
    """P(|T| >= |t|) for Student's t with `df` degrees of freedom."""
    if math.isinf(t):
        return 0.0
    return incomplete_beta(df / 2.0, 0.5, df / (df + t * t))


def t_cdf(t: float, df: float) -> float:
    tail = t_two_sided(t, df) / 2.0
    return 1.0 - tail if t >= 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The t with P(T <= t) = p (0 < p < 1), by bisection on the CDF (60 halvings: full precision)."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must be in (0, 1)")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        low, high = high, high * 2.0
    for _ in range(200):
        mid = (low + high) / 2.0
        if t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
        if high - low <= 1e-13 * max(1.0, high):
            break
    return (low + high) / 2.0


@dataclass(frozen=True)
class Paired:
    """The paired t-test of one score (or metric) of one experiment against the base."""

    n: int  # matched test cases with a value on both sides
    mean_diff: float | None  # mean of (experiment - base) over them
    ci_low: float | None  # 95% confidence interval of that mean (None when n < 2)
    ci_high: float | None
    p_value: float | None  # two-sided; None when n < 2
    test: str = TEST


def paired_t(n: int, mean: float | None, sd: float | None) -> Paired:
    """The test from n, the mean and the sample standard deviation of the paired differences.

    n < 2 gives no interval and no p-value. When every difference is the same (sd = 0) the
    interval is that single value, and p is 1 if it is zero, else 0.
    """
    if n == 0 or mean is None:
        return Paired(n, None, None, None, None)
    if n < 2 or sd is None or math.isnan(sd):
        return Paired(n, mean, None, None, None)
    if sd <= abs(mean) * 1e-12 or sd == 0.0:
        return Paired(n, mean, mean, mean, 1.0 if mean == 0.0 else 0.0)
    df = n - 1
    se = sd / math.sqrt(n)
    half = t_quantile(0.5 + CONFIDENCE / 2.0, df) * se
    return Paired(n, mean, mean - half, mean + half, t_two_sided(mean / se, df))

"""The statistics of slice analysis: Welch's test from sums, and Holm's adjustment, checked by
simulation (their error rates under no effect) and against hand-computed values."""

from __future__ import annotations

import math
import random

from assay.services.analysis.two_sample import Moments, holm, welch


def moments(values):
    return Moments(len(values), sum(values), sum(v * v for v in values))


def test_welch_matches_the_textbook_formula():
    a, b = [0.1, 0.4, 0.35, 0.2, 0.3], [0.8, 0.7, 0.9, 0.65, 0.75, 0.85]
    result = welch(moments(a), moments(b), 0.95)
    ma, mb = sum(a) / 5, sum(b) / 6
    va = sum((x - ma) ** 2 for x in a) / 4
    vb = sum((x - mb) ** 2 for x in b) / 5
    se = math.sqrt(va / 5 + vb / 6)
    assert math.isclose(result.diff, ma - mb)
    assert math.isclose(result.z, (ma - mb) / se)
    assert math.isclose(result.ci_high - result.diff, 1.959963984540054 * se)
    pooled = math.sqrt((4 * va + 5 * vb) / 9)
    assert math.isclose(result.effect_size, (ma - mb) / pooled)
    assert math.isclose(result.p_value, math.erfc(abs(result.z) / math.sqrt(2)))


def test_constant_groups_give_an_exact_difference():
    same = welch(Moments(5, 5.0, 5.0), Moments(5, 5.0, 5.0), 0.95)
    assert (same.diff, same.p_value) == (0.0, 1.0)
    apart = welch(Moments(5, 0.0, 0.0), Moments(5, 5.0, 5.0), 0.95)
    assert (apart.diff, apart.ci_low, apart.ci_high, apart.p_value) == (-1.0, -1.0, -1.0, 0.0)


def test_holm_is_the_step_down_adjustment():
    assert holm([0.01, 0.04, 0.03, 0.005]) == [0.03, 0.06, 0.06, 0.02]
    assert holm([0.5, 0.9]) == [1.0, 1.0]
    assert holm([]) == []


def _null_experiment(rng: random.Random, groups: int, n: int) -> list[float]:
    """p-values of each of `groups` slices against the rest, with no effect anywhere."""
    values = [[min(1.0, max(0.0, rng.gauss(0.7, 0.15))) for _ in range(n)] for _ in range(groups)]
    total = moments([v for g in values for v in g])
    return [welch(moments(g), total - moments(g), 0.95).p_value for g in values]


def test_under_no_effect_the_error_rates_hold():
    rng = random.Random(2026)
    experiments = [_null_experiment(rng, 12, 60) for _ in range(400)]
    raw = [p for ps in experiments for p in ps]
    # Each test alone rejects about 5% of true null slices (the normal approximation is calibrated)...
    assert 0.035 < sum(p < 0.05 for p in raw) / len(raw) < 0.065
    # ...and after Holm, at most 5% of experiments (plus sampling error) report any slice at all.
    family = sum(any(p <= 0.05 for p in holm(ps)) for ps in experiments) / len(experiments)
    assert family <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / len(experiments))

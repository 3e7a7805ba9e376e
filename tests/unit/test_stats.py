"""The paired t-test behind comparisons, checked against SciPy on fixed numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from assay.services import stats

DFS = [1, 2, 3, 5, 10, 29, 99, 1000, 99_999]


@pytest.mark.parametrize("df", DFS)
def test_two_sided_tail_matches_scipy(df: int) -> None:
    for t in [0.0, 0.01, 0.5, 1.0, 1.96, 2.5, 4.0, 10.0, 50.0]:
        expected = 2 * scipy_stats.t.sf(t, df)
        assert stats.t_two_sided(t, df) == pytest.approx(expected, rel=1e-8, abs=1e-300)
        assert stats.t_two_sided(-t, df) == pytest.approx(expected, rel=1e-8, abs=1e-300)
        assert stats.t_cdf(-t, df) == pytest.approx(scipy_stats.t.cdf(-t, df), rel=1e-8, abs=1e-300)


@pytest.mark.parametrize("df", DFS)
def test_quantiles_match_scipy(df: int) -> None:
    for p in [0.001, 0.025, 0.3, 0.5, 0.8, 0.975, 0.995, 0.9999]:
        assert stats.t_quantile(p, df) == pytest.approx(scipy_stats.t.ppf(p, df), rel=1e-8, abs=1e-12)


def test_incomplete_beta_matches_scipy() -> None:
    from scipy.special import betainc

    for a, b in [(0.5, 0.5), (1, 1), (2.5, 0.5), (50, 0.5), (5e4, 0.5), (3, 7)]:
        for x in [0.0, 1e-6, 0.1, 0.5, 0.9, 0.999999, 1.0]:
            assert stats.incomplete_beta(a, b, x) == pytest.approx(betainc(a, b, x), rel=1e-9, abs=1e-300)


# Fixed paired samples: an experiment and its base on the same test cases.
SAMPLES = {
    "small": ([0.6, 0.4, 0.5, 1.0, 0.0, 0.7], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]),
    "two": ([0.9, 0.1], [0.8, 0.3]),
    "shifted": (
        [0.12, 0.55, 0.91, 0.33, 0.47, 0.68, 0.29, 0.81, 0.74, 0.05, 0.62, 0.38],
        [0.10, 0.41, 0.88, 0.30, 0.40, 0.70, 0.21, 0.80, 0.64, 0.02, 0.55, 0.35],
    ),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_paired_t_matches_scipy_ttest_rel(name: str) -> None:
    a, b = (np.array(x) for x in SAMPLES[name])
    d = a - b
    got = stats.paired_t(len(d), float(d.mean()), float(d.std(ddof=1)))
    want = scipy_stats.ttest_rel(a, b)
    ci = want.confidence_interval(0.95)
    assert got.test == "paired_t" and got.n == len(d)
    assert got.mean_diff == pytest.approx(d.mean())
    assert got.p_value == pytest.approx(want.pvalue, rel=1e-9)
    assert got.ci_low == pytest.approx(ci.low, rel=1e-9)
    assert got.ci_high == pytest.approx(ci.high, rel=1e-9)


def test_degenerate_samples() -> None:
    assert stats.paired_t(0, None, None).p_value is None
    one = stats.paired_t(1, 0.3, None)
    assert one.mean_diff == 0.3 and one.ci_low is None and one.p_value is None
    same = stats.paired_t(5, 0.0, 0.0)
    assert (same.ci_low, same.ci_high, same.p_value) == (0.0, 0.0, 1.0)
    constant = stats.paired_t(5, 0.2, 0.0)
    assert (constant.ci_low, constant.ci_high, constant.p_value) == (0.2, 0.2, 0.0)
    assert stats.t_two_sided(math.inf, 3) == 0.0
    with pytest.raises(ValueError):
        stats.t_quantile(1.0, 3)

"""What improved from the last experiment: per score, with the test cases that moved most."""

from __future__ import annotations

import pytest
from scipy import stats

from tests.query.helpers import log, make_experiment, make_project, trace_rows


def test_changes_against_the_previous_experiment(api):
    pid = make_project(api, "changes")
    old = make_experiment(api, pid, "old")
    new = make_experiment(api, pid, "new")
    rows = []
    for i in range(10):
        rows += trace_rows(old, input=f"q{i}", child_scores=[{"acc": 0.5, "fluency": 0.8}])
        acc = 0.9 if i < 6 else 0.1 if i < 8 else 0.5  # 6 up, 2 down, 2 unchanged
        rows += trace_rows(new, input=f"q{i}", child_scores=[{"acc": acc, "fluency": 0.8}])
    log(api, rows)
    res = api.post(f"/v1/experiment/{new}/analysis/changes", json={"examples": 2})
    assert res.status_code == 200, res.text
    report = res.json()
    assert report["base"]["name"] == "old" and report["experiment"]["name"] == "new"
    acc = report["scores"][0]
    assert acc["name"] == "acc"
    assert (acc["improvements"], acc["regressions"]) == (6, 2)
    assert abs(acc["diff"] - (6 * 0.4 - 2 * 0.4) / 10) < 1e-9
    assert abs(acc["base_mean"] - 0.5) < 1e-9
    # The paired t-test over the 10 matched cases, checked against SciPy's.
    diffs = [0.4] * 6 + [-0.4] * 2 + [0.0] * 2
    want = stats.ttest_rel([0.5 + d for d in diffs], [0.5] * 10)
    interval = want.confidence_interval(0.95)
    paired = acc["paired"]
    assert (paired["n"], paired["test"], paired["confidence"]) == (10, "paired_t", 0.95)
    assert paired["mean_diff"] == pytest.approx(0.16)
    assert paired["p_value"] == pytest.approx(want.pvalue, rel=1e-6)
    assert (paired["ci_low"], paired["ci_high"]) == pytest.approx((interval.low, interval.high), rel=1e-6)
    assert [e["base_score"] for e in acc["improved"]] == [0.5, 0.5]
    assert all(e["score"] == 0.9 for e in acc["improved"]) and all(
        e["score"] == 0.1 for e in acc["regressed"]
    )
    fluency = report["scores"][1]
    assert (fluency["diff"], fluency["improvements"], fluency["regressions"], fluency["improved"]) == (
        0.0,
        0,
        0,
        [],
    )
    assert (fluency["paired"]["n"], fluency["paired"]["p_value"]) == (10, 1.0)  # no change at all


def test_no_earlier_experiment_says_so(api):
    pid = make_project(api, "alone")
    eid = make_experiment(api, pid, "first")
    log(api, trace_rows(eid, input="q", child_scores=[{"acc": 1}]))
    report = api.post(f"/v1/experiment/{eid}/analysis/changes", json={}).json()
    assert report["base"] is None and report["scores"] == []
    bad = api.post(f"/v1/experiment/{eid}/analysis/changes", json={"base_experiment_id": "nope"})
    assert bad.status_code == 404


def test_aggregate_scores_are_analysed_like_any_score(api):
    pid = make_project(api, "aggregates")
    old = make_experiment(api, pid, "old")
    new = make_experiment(api, pid, "new")
    rows = []
    for i in range(10):
        rows += trace_rows(old, input=f"q{i}", child_scores=[{"a": 0.2, "b": 0.4}])
        rows += trace_rows(new, input=f"q{i}", child_scores=[{"a": 0.6 if i < 4 else 0.2, "b": 0.4}])
    log(api, rows)
    res = api.post(
        "/v1/project_score",
        json={"project_id": pid, "name": "best", "score_type": "maximum", "categories": ["a", "b"]},
    )
    assert res.status_code == 200, res.text
    report = api.post(f"/v1/experiment/{new}/analysis/changes", json={"examples": 5}).json()
    best = next(s for s in report["scores"] if s["name"] == "best")
    assert (best["improvements"], best["regressions"]) == (4, 0)
    assert [(e["base_score"], e["score"]) for e in best["improved"]] == [(0.4, 0.6)] * 4
    assert best["paired"] is None  # the summary's paired tests leave aggregates out
    pairs = api.post(f"/v1/experiment/{new}/analysis/agreement", json={}).json()["pairs"]
    assert {(p["a"], p["b"]) for p in pairs} == {("a", "b"), ("a", "best"), ("b", "best")}

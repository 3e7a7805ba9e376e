"""Comparing a base with several experiments through the API: matching by comparison key, counts,
paired statistics (checked against SciPy), histograms, bad input, and summarize's added key."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from tests.query.helpers import log, make_experiment, make_project, trace_rows

BASE = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
A = [0.6, 0.4, 0.5, 1.0, 0.0, 0.7]


@pytest.fixture
def data(api):
    pid = make_project(api, "cmp")
    ids = {name: make_experiment(api, pid, name) for name in ("base", "a", "b")}
    rows = []
    for i, v in enumerate(BASE):
        rows += trace_rows(
            ids["base"], input={"q": i}, child_scores=[{"acc": v}], metrics={"start": 0, "end": 1}
        )
    for i, v in enumerate(A):
        rows += trace_rows(
            ids["a"], input={"q": i}, child_scores=[{"acc": v}], metrics={"start": 0, "end": 2}
        )
    # b: two trials of case 0 (mean 0.3), cases 1-4, no case 5, and a case the base lacks.
    for i, v in [(0, 0.2), (0, 0.4), (1, 0.9), (2, 0.5), (3, 0.1), (4, 0.8), (9, 1.0)]:
        rows += trace_rows(
            ids["b"], input={"q": i}, child_scores=[{"acc": v}], metrics={"start": 0, "end": 1}
        )
    log(api, rows)
    return {"project": pid, **ids}


def compare(api, base, *others, **params):
    res = api.get(f"/v1/experiment/{base}/compare", params={"with": list(others), **params})
    assert res.status_code == 200, res.text
    return res.json()


def score(summary, name="acc"):
    (found,) = [s for s in summary["scores"] if s["name"] == name]
    return {e["experiment_id"]: e for e in found["experiments"]}


def test_three_way_summary_counts_and_matches_by_input(api, data):
    out = compare(api, data["base"], data["a"], data["b"])
    assert [e["id"] for e in out["experiments"]] == [data["base"], data["a"], data["b"]]
    assert [e["role"] for e in out["experiments"]] == ["base", "comparison", "comparison"]
    assert [e["traces"] for e in out["experiments"]] == [6, 6, 7]
    assert out["comparison_key"] == "input"
    acc = score(out)
    assert acc[data["base"]]["value"] == pytest.approx(0.5) and acc[data["base"]]["paired"] is None
    a = acc[data["a"]]
    assert a["value"] == pytest.approx(np.mean(A)) and a["diff"] == pytest.approx(np.mean(A) - 0.5)
    assert (a["improvements"], a["regressions"]) == (3, 2)
    b = acc[data["b"]]
    # Traces against the base's value of their case: 0.2, 0.4 (case 0), 0.9, 0.5, 0.1, 0.8; case 9 unmatched.
    assert (b["improvements"], b["regressions"]) == (2, 3)
    assert b["paired"]["n"] == 5  # case means: 0.3, 0.9, 0.5, 0.1, 0.8 against 0.5
    duration = {e["experiment_id"]: e for e in out["metrics"][0]["experiments"]}
    assert out["metrics"][0]["name"] == "duration" and out["metrics"][0]["higher_is_better"] is False
    assert duration[data["a"]]["regressions"] == 6 and duration[data["a"]]["diff"] == pytest.approx(1.0)


def test_paired_statistics_match_scipy(api, data):
    acc = score(compare(api, data["base"], data["a"], data["b"]))
    for exp, mine in ((data["a"], A), (data["b"], [0.3, 0.9, 0.5, 0.1, 0.8])):
        paired = acc[exp]["paired"]
        base = [0.5] * len(mine)
        want = scipy_stats.ttest_rel(mine, base)
        ci = want.confidence_interval(0.95)
        assert paired["test"] == "paired_t" and paired["n"] == len(mine)
        assert paired["mean_diff"] == pytest.approx(np.mean(mine) - 0.5)
        assert paired["p_value"] == pytest.approx(want.pvalue, rel=1e-7)
        assert (paired["ci_low"], paired["ci_high"]) == (
            pytest.approx(ci.low, rel=1e-7),
            pytest.approx(ci.high, rel=1e-7),
        )


def test_project_comparison_key_expression_and_array(api, data):
    pid = make_project(api, "keyed")
    base, new = make_experiment(api, pid, "k-base"), make_experiment(api, pid, "k-new")
    rows = []
    for i in range(4):
        # Inputs differ by a run id, so the default key (the whole input) matches nothing.
        rows += trace_rows(
            base, input={"q": i, "run": "r1"}, metadata={"cat": i % 2}, child_scores=[{"s": 0.2}]
        )
        rows += trace_rows(
            new, input={"q": i, "run": "r2"}, metadata={"cat": i % 2}, child_scores=[{"s": 0.8}]
        )
    log(api, rows)
    assert score(compare(api, base, new), "s")[new]["paired"]["n"] == 0
    res = api.patch(f"/v1/project/{pid}", json={"settings": {"comparison_key": "input.q"}})
    assert res.status_code == 200, res.text
    assert res.json()["settings"]["comparison_key"] == "input.q"
    out = compare(api, base, new)
    assert out["comparison_key"] == "input.q"
    assert score(out, "s")[new]["paired"]["n"] == 4 and score(out, "s")[new]["improvements"] == 4
    api.patch(f"/v1/project/{pid}", json={"settings": {"comparison_key": "[input.q, metadata.cat]"}})
    assert score(compare(api, base, new), "s")[new]["paired"]["n"] == 4
    # An array part that differs between the experiments breaks every match.
    api.patch(f"/v1/project/{pid}", json={"settings": {"comparison_key": "[input.q, input.run]"}})
    assert score(compare(api, base, new), "s")[new]["paired"]["n"] == 0
    # The empty key goes back to the default: the test cases stored for it (DuckDB) still hold.
    api.patch(f"/v1/project/{pid}", json={"settings": {"comparison_key": ""}})
    out = compare(api, base, new)
    assert out["comparison_key"] == "input" and score(out, "s")[new]["paired"]["n"] == 0


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("input.q +", "line 1"),
        ("avg(scores.s)", "aggregate"),
        ("[]", "empty"),
        ("nonsense.field", "unknown field"),
        ("(SELECT 1)", "not allowed"),
    ],
)
def test_bad_comparison_key_is_a_400_and_changes_nothing(api, data, key, message):
    res = api.patch(f"/v1/project/{data['project']}", json={"settings": {"comparison_key": key}})
    assert res.status_code == 400, res.text
    assert "comparison_key" in res.json()["error"]["message"] and message in res.json()["error"]["message"]
    project = api.get(f"/v1/project/{data['project']}").json()
    assert (project.get("settings") or {}).get("comparison_key") is None


def test_bad_comparisons_are_400_or_404(api, data):
    many = [make_experiment(api, data["project"], f"x{i}") for i in range(8)]
    res = api.get(f"/v1/experiment/{data['base']}/compare", params={"with": many})
    assert res.status_code == 400 and "at most 7" in res.json()["error"]["message"]
    res = api.get(f"/v1/experiment/{data['base']}/compare", params={"with": [data["a"], data["a"]]})
    assert res.status_code == 400 and "twice" in res.json()["error"]["message"]
    res = api.get(f"/v1/experiment/{data['base']}/compare", params={"with": ["no-such-experiment"]})
    assert res.status_code == 404
    other = make_experiment(api, make_project(api, "elsewhere"), "far")
    res = api.get(f"/v1/experiment/{data['base']}/compare", params={"with": [other]})
    assert res.status_code == 400 and "another project" in res.json()["error"]["message"]
    assert compare(api, data["base"], "a")["experiments"][1]["id"] == data["a"]  # by name in the project
    res = api.get(f"/v1/experiment/{data['base']}/compare/histograms", params={"bins": 0})
    assert res.status_code == 400


def test_histograms_per_experiment(api, data):
    res = api.get(
        f"/v1/experiment/{data['base']}/compare/histograms", params={"with": [data["a"]], "bins": 4}
    )
    assert res.status_code == 200, res.text
    (acc,) = res.json()["scores"]
    assert acc["edges"] == [0, 0.25, 0.5, 0.75, 1]
    counts = {h["experiment_id"]: h["counts"] for h in acc["experiments"]}
    assert counts[data["base"]] == [0, 0, 6, 0]
    assert counts[data["a"]] == [1, 1, 3, 1]  # 0.0 | 0.4 | 0.5, 0.6, 0.7 | 1.0


def test_summarize_adds_paired_statistics_without_changing_items(api, data):
    res = api.get(f"/v1/experiment/{data['a']}/summarize", params={"comparison_experiment_id": data["base"]})
    out = res.json()
    assert set(out["scores"]["acc"]) == {"name", "score", "improvements", "regressions", "diff"}
    assert (out["scores"]["acc"]["improvements"], out["scores"]["acc"]["regressions"]) == (3, 2)
    paired = out["paired_statistics"]
    assert paired["comparison_experiment_id"] == data["base"] and paired["test"] == "paired_t"
    want = scipy_stats.ttest_rel(A, BASE)
    assert paired["scores"]["acc"]["p_value"] == pytest.approx(want.pvalue, rel=1e-7)
    assert paired["scores"]["acc"]["n"] == 6

"""A comparison under the table's filters (`POST …/compare/summary`, `…/compare/histograms`): its
counts equal the filtered rows', its figures equal the single-experiment table summary's over the
same filters, aggregate project scores are compared like logged ones, and bad filters are 400s."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from tests.query.helpers import log, make_experiment, make_project, trace_rows

# Per test case i: (category, base's acc, a's acc, a's tone).
CASES = [
    ("math", 0.5, 0.9, 1.0),
    ("math", 0.5, 0.2, 0.0),
    ("math", 0.4, 0.6, 1.0),
    ("prose", 0.5, 0.1, 0.5),
    ("prose", 0.8, 0.8, 1.0),
    ("prose", 0.2, 0.7, 0.0),
    ("math", 0.9, 0.3, 0.5),
]
MATH = {"column": "metadata.category", "op": "=", "value": "math"}


@pytest.fixture
def data(api):
    pid = make_project(api, "cmp-filters")
    ids = {name: make_experiment(api, pid, name) for name in ("base", "a", "b")}
    rows = []
    for i, (cat, base, a, tone) in enumerate(CASES):
        meta = {"category": cat}
        rows += trace_rows(
            ids["base"], input={"q": i}, metadata=meta, child_scores=[{"acc": base, "tone": 0.5}]
        )
        rows += trace_rows(ids["a"], input={"q": i}, metadata=meta, child_scores=[{"acc": a, "tone": tone}])
        rows += trace_rows(
            ids["b"], input={"q": i}, metadata=meta, child_scores=[{"acc": 1 - a, "tone": 0.0}]
        )
    log(api, rows)
    return {"project": pid, **ids}


def ok(res):
    assert res.status_code == 200, res.text
    return res.json()


def filtered(api, data, table, *others, **state):
    body = {"experiment_ids": list(others), "base_experiment_id": data["base"], **state}
    return ok(api.post(f"/v1/experiment/{table}/compare/summary", json=body))


def measure(summary, name, kind="scores"):
    (found,) = [m for m in summary[kind] if m["name"] == name]
    return {e["experiment_id"]: e for e in found["experiments"]}


def test_filtered_comparison_counts_equal_the_filtered_rows(api, data):
    out = filtered(api, data, data["a"], data["base"], data["b"], filters=[MATH])
    traces = {e["id"]: e["traces"] for e in out["experiments"]}
    for eid in (data["base"], data["a"], data["b"]):
        want = ok(api.post(f"/v1/experiment/{eid}/table/count", json={"filters": [MATH]}))["total"]
        assert traces[eid] == want == 4
    acc = measure(out, "acc")
    # Each experiment's figures are those of the single-experiment table summary over the same filter.
    single = ok(
        api.post(
            f"/v1/experiment/{data['a']}/table/summary",
            json={"filters": [MATH], "comparison_experiment_id": data["base"]},
        )
    )
    mine = acc[data["a"]]
    assert mine["value"] == pytest.approx(single["scores"]["acc"]["score"])
    assert mine["diff"] == pytest.approx(single["scores"]["acc"]["diff"])
    assert (mine["improvements"], mine["regressions"]) == (
        single["scores"]["acc"]["improvements"],
        single["scores"]["acc"]["regressions"],
    )
    assert (mine["improvements"], mine["regressions"]) == (2, 2)  # math cases: 0.9>0.5, 0.6>0.4; 0.2, 0.3
    # A header's counts filter to exactly those rows: the change filter over the same filters.
    for direction in ("improvements", "regressions"):
        change = {"experiment_id": data["a"], "name": "acc", "direction": direction}
        body = {
            "experiment_ids": [data["base"], data["b"]],
            "base_experiment_id": data["base"],
            "change": change,
        }
        rows = ok(api.post(f"/v1/experiment/{data['a']}/compare/rows", json={**body, "filters": [MATH]}))
        assert len(rows["rows"]) == rows["total"] == mine[direction]
    # The paired test is over the kept test cases (math: 0, 1, 2, 6).
    math = [i for i, c in enumerate(CASES) if c[0] == "math"]
    a_vals, base_vals = [CASES[i][2] for i in math], [CASES[i][1] for i in math]
    want = scipy_stats.ttest_rel(a_vals, base_vals)
    assert mine["paired"]["n"] == 4
    assert mine["paired"]["mean_diff"] == pytest.approx(np.mean(a_vals) - np.mean(base_vals))
    assert mine["paired"]["p_value"] == pytest.approx(want.pvalue, rel=1e-7)


def test_search_and_query_language_filters_apply_to_every_experiment(api, data):
    typed = filtered(api, data, data["a"], data["base"], filters=["scores.acc >= 0.5"])
    traces = {e["id"]: e["traces"] for e in typed["experiments"]}
    assert traces == {data["base"]: 5, data["a"]: 4}
    searched = filtered(api, data, data["a"], data["base"], search="PROSE")
    assert [e["traces"] for e in searched["experiments"]] == [3, 3]
    unfiltered = filtered(api, data, data["a"], data["base"])
    assert unfiltered == ok(api.get(f"/v1/experiment/{data['base']}/compare", params={"with": [data["a"]]}))


def test_histograms_follow_the_filter(api, data):
    body = {
        "experiment_ids": [data["base"]],
        "base_experiment_id": data["base"],
        "filters": [MATH],
        "bins": 2,
    }
    out = ok(api.post(f"/v1/experiment/{data['a']}/compare/histograms", json=body))
    (acc,) = [h for h in out["scores"] if h["name"] == "acc"]
    counts = {e["experiment_id"]: e["counts"] for e in acc["experiments"]}
    assert counts[data["base"]] == [1, 3]  # 0.5, 0.5, 0.4, 0.9
    assert counts[data["a"]] == [2, 2]  # 0.9, 0.2, 0.6, 0.3


def test_aggregate_scores_are_compared_like_logged_scores(api, data):
    agg = {"project_id": data["project"], "name": "overall", "score_type": "weighted"}
    ok(api.post("/v1/project_score", json={**agg, "categories": {"acc": 3, "tone": 1}}))
    out = ok(api.get(f"/v1/experiment/{data['base']}/compare", params={"with": [data["a"]]}))
    overall = measure(out, "overall")
    base = [(3 * b + 0.5) / 4 for _, b, _, _ in CASES]
    mine = [(3 * a + t) / 4 for _, _, a, t in CASES]
    assert overall[data["base"]]["value"] == pytest.approx(np.mean(base))
    assert overall[data["a"]]["value"] == pytest.approx(np.mean(mine))
    want = scipy_stats.ttest_rel(mine, base)
    paired = overall[data["a"]]["paired"]
    assert paired["n"] == len(CASES) and paired["p_value"] == pytest.approx(want.pvalue, rel=1e-7)
    ups = sum(m > b for m, b in zip(mine, base, strict=True))
    assert overall[data["a"]]["improvements"] == ups
    # A filter may name the aggregate, as in the table.
    kept = filtered(api, data, data["a"], data["base"], filters=["scores.overall > 0.6"])
    assert {e["id"]: e["traces"] for e in kept["experiments"]} == {
        data["base"]: sum(v > 0.6 for v in base),
        data["a"]: sum(v > 0.6 for v in mine),
    }


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({"filters": ["comparisons[0].scores.acc > 0.5"]}, "comparisons"),
        ({"filters": ["scores.acc >"]}, "filter"),
        ({"filters": ["no_such_function(input)"]}, "no_such_function"),
        ({"filters": [{"column": "metadata.category", "op": "in", "value": "math"}]}, "list"),
        ({"experiment_ids": ["not-an-experiment"], "base_experiment_id": None}, "not-an-experiment"),
        ({"base_experiment_id": "00000000-0000-0000-0000-000000000000"}, "base_experiment_id"),
    ],
)
def test_bad_input_is_a_precise_400(api, data, state, message):
    body = {"experiment_ids": [data["base"]], "base_experiment_id": data["base"], **state}
    res = api.post(f"/v1/experiment/{data['a']}/compare/summary", json=body)
    assert res.status_code in (400, 404), res.text
    assert message in res.text

"""Which scorers disagree: planted agreeing and disagreeing scorers, and a human review score."""

from __future__ import annotations

import random

from tests.query.helpers import log, make_experiment, make_project, trace_rows


def test_disagreeing_scorers_come_first_and_the_best_scorer_tops_the_ranking(api):
    pid = make_project(api, "agree")
    eid = make_experiment(api, pid, "exp")
    rng = random.Random(5)
    rows = []
    for i in range(200):
        truth = 1.0 if rng.random() < 0.5 else 0.0
        close = truth if rng.random() < 0.95 else 1 - truth  # agrees with the reviewers 95% of the time
        noise = rng.random()  # unrelated to anything
        rows += trace_rows(
            eid, input=f"q{i}", child_scores=[{"review": truth}, {"good": close}, {"noisy": noise}]
        )
    log(api, rows)
    res = api.post(f"/v1/experiment/{eid}/analysis/agreement", json={"human": ["review"], "examples": 3})
    assert res.status_code == 200, res.text
    report = res.json()
    pairs = {(p["a"], p["b"]): p for p in report["pairs"]}
    assert set(pairs) == {("good", "noisy"), ("good", "review"), ("noisy", "review")}
    good = pairs[("good", "review")]
    assert good["n"] == 200 and good["human"] is True
    assert good["agreement"] > 0.9 and good["kappa"] > 0.8 and good["pearson"] > 0.8
    assert abs(pairs[("noisy", "review")]["pearson"]) < 0.2
    # Least agreeing first; the pair that agrees is last.
    assert (report["pairs"][-1]["a"], report["pairs"][-1]["b"]) == ("good", "review")
    assert [r["scorer"] for r in report["ranking"]] == ["good", "noisy"]
    # Evidence: the traces where a pair differs most.
    first = report["pairs"][0]
    gaps = [abs(e["a"] - e["b"]) for e in first["examples"]]
    assert len(gaps) == 3 and gaps == sorted(gaps, reverse=True)


def test_scores_never_seen_together_have_no_figures(api):
    pid = make_project(api, "apart")
    eid = make_experiment(api, pid, "exp")
    rows = trace_rows(eid, input="a", child_scores=[{"x": 1}]) + trace_rows(
        eid, input="b", child_scores=[{"y": 0}]
    )
    log(api, rows)
    report = api.post(f"/v1/experiment/{eid}/analysis/agreement", json={}).json()
    assert report["pairs"] == [
        {"a": "x", "b": "y", "n": 0, "human": False, "pearson": None, "mean_abs_diff": None,
         "agreement": None, "kappa": None, "examples": []}
    ]  # fmt: skip


def test_unknown_scores_are_a_400(api):
    pid = make_project(api, "bad")
    eid = make_experiment(api, pid, "exp")
    log(api, trace_rows(eid, input="a", child_scores=[{"x": 1}]))
    res = api.post(f"/v1/experiment/{eid}/analysis/agreement", json={"human": ["reviewer"]})
    assert res.status_code == 400 and "score 'reviewer' not found" in res.text

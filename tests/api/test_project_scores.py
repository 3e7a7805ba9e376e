"""Aggregate scores (`/v1/project_score`, types weighted, minimum, maximum): stored in the
reference's shapes, checked when stored, and in the experiment summary equal to the hand-computed
formula on fixed data, with a missing component skipped (not counted as 0)."""

from __future__ import annotations

import pytest

from tests.api.scoring_helpers import experiment, ok, sapi  # noqa: F401 - fixture
from tests.conftest import Api

# Trace scores per test case (matched across experiments by input).
NEW = {"q0": {"a": 1.0, "b": 0.5}, "q1": {"a": 0.0}, "q2": {"b": 1.0}, "q3": {}}
BASE = {"q0": {"a": 0.0, "b": 0.0}, "q1": {"a": 1.0}}


def _log(api: Api, eid: str, cases: dict[str, dict[str, float]]) -> None:
    rows = []
    for i, (question, scores) in enumerate(cases.items()):
        root = f"{eid}-{i}"
        rows.append(
            {"id": root, "span_id": root, "root_span_id": root, "experiment_id": eid, "input": question}
        )
        for name, value in scores.items():  # as the SDK writes them: a child span per scorer
            sid = f"{root}-{name}"
            rows.append(
                {
                    "id": sid,
                    "span_id": sid,
                    "root_span_id": root,
                    "span_parents": [root],
                    "experiment_id": eid,
                    "span_attributes": {"name": name, "type": "score"},
                    "scores": {name: value},
                }
            )
    ok(api.post("/logs3", json={"rows": rows}))


def _aggregate(api: Api, pid: str, name: str, score_type: str, categories: object) -> dict:
    return ok(
        api.post(
            "/v1/project_score",
            json={"project_id": pid, "name": name, "score_type": score_type, "categories": categories},
        )
    )


def test_aggregates_in_the_summary_equal_the_formula_and_skip_missing_components(sapi: Api) -> None:  # noqa: F811
    pid, eid = experiment(sapi, "new")
    base = ok(sapi.post("/v1/experiment", json={"project_id": pid, "name": "base"}))["id"]
    _log(sapi, base, BASE)
    _log(sapi, eid, NEW)
    weighted = _aggregate(sapi, pid, "overall", "weighted", {"a": 3, "b": 1})
    assert weighted["score_type"] == "weighted" and weighted["categories"] == {"a": 3.0, "b": 1.0}
    _aggregate(sapi, pid, "worst", "minimum", ["a", "b"])
    _aggregate(sapi, pid, "best", "maximum", ["a", "b"])

    summary = ok(sapi.get(f"/v1/experiment/{eid}/summarize", params={"comparison_experiment_id": base}))
    scores = summary["scores"]
    # Per trace: q0 (3·1 + 1·0.5)/4 = 0.875; q1 only a: 0; q2 only b: 1; q3 none: no value.
    assert scores["overall"]["score"] == pytest.approx((0.875 + 0 + 1) / 3)
    assert scores["worst"]["score"] == pytest.approx((0.5 + 0 + 1) / 3)
    assert scores["best"]["score"] == pytest.approx((1 + 0 + 1) / 3)
    # The base: q0 0, q1 1 → mean 0.5; matched cases: q0 improved (0.875 > 0), q1 regressed (0 < 1).
    assert scores["overall"]["diff"] == pytest.approx((0.875 + 0 + 1) / 3 - 0.5)
    assert (scores["overall"]["improvements"], scores["overall"]["regressions"]) == (1, 1)
    assert set(scores["overall"]) == {
        "name",
        "score",
        "diff",
        "improvements",
        "regressions",
    }  # the SDK's keys
    assert scores["a"]["score"] == pytest.approx(0.5)  # the components are still there (q0, q1)

    # Without a comparison there is nothing to diff; an experiment without components has no aggregate.
    alone = ok(sapi.get(f"/v1/experiment/{base}/summarize", params={"comparison_experiment_id": eid}))
    assert alone["scores"]["overall"]["score"] == pytest.approx(0.5)
    empty = ok(sapi.post("/v1/experiment", json={"project_id": pid, "name": "empty"}))["id"]
    _log(sapi, empty, {"q9": {"c": 1.0}})
    assert "overall" not in ok(sapi.get(f"/v1/experiment/{empty}/summarize"))["scores"]


def test_project_scores_are_created_listed_replaced_and_deleted(sapi: Api) -> None:  # noqa: F811
    pid, _ = experiment(sapi)
    first = _aggregate(sapi, pid, "overall", "weighted", {"a": 1})
    assert _aggregate(sapi, pid, "overall", "minimum", ["a"]) == first  # POST: the same name, unchanged
    replaced = ok(
        sapi.put(
            "/v1/project_score",
            json={"project_id": pid, "name": "overall", "score_type": "minimum", "categories": ["a", "b"]},
        )
    )
    assert replaced["id"] == first["id"] and replaced["categories"] == ["a", "b"]
    other = _aggregate(sapi, pid, "best", "maximum", ["a"])
    listed = ok(sapi.get("/v1/project_score", params={"project_id": pid}))["objects"]
    assert [s["name"] for s in listed] == ["best", "overall"]
    assert [
        s["id"] for s in ok(sapi.get("/v1/project_score", params={"project_score_name": "best"}))["objects"]
    ] == [other["id"]]
    patched = ok(sapi.patch(f"/v1/project_score/{other['id']}", json={"description": "the best of a"}))
    assert patched["description"] == "the best of a" and patched["categories"] == ["a"]
    ok(sapi.delete(f"/v1/project_score/{other['id']}"))
    assert sapi.get(f"/v1/project_score/{other['id']}").status_code == 404
    assert [s["name"] for s in ok(sapi.get("/v1/project_score", params={"project_id": pid}))["objects"]] == [
        "overall"
    ]


@pytest.mark.parametrize(
    ("score_type", "categories", "message"),
    [
        ("weighted", ["a"], "needs categories {"),
        ("weighted", {"a": 0}, "positive number"),
        ("weighted", {"a": True}, "positive number"),
        ("weighted", {"a": 1e308, "b": 1e308}, "up to 1,000,000"),  # their sum would be infinite
        ("minimum", {"a": 1}, 'needs categories ["'),
        ("maximum", [], 'needs categories ["'),
        (
            "categorical",
            [{"name": "yes", "value": 2}],
            "a number from 0 to 1",
        ),  # review scores: test_review.py
        ("online", None, "not kept by Assay"),
        ("formula", None, "must be one of weighted, minimum, maximum, slider, categorical, free-form"),
        ("minimum", ["agg"], "cannot be one of its own components"),
    ],
)
def test_bad_project_scores_are_precise_400s(
    sapi: Api,  # noqa: F811
    score_type: str,
    categories: object,
    message: str,
) -> None:
    pid, _ = experiment(sapi)
    res = sapi.post(
        "/v1/project_score",
        json={"project_id": pid, "name": "agg", "score_type": score_type, "categories": categories},
    )
    assert res.status_code == 400 and message in res.json()["error"]["message"], res.text
    assert ok(sapi.get("/v1/project_score", params={"project_id": pid}))["objects"] == []


def test_aggregates_are_score_columns_of_the_table_that_filter_sort_and_group(sapi: Api) -> None:  # noqa: F811
    pid, eid = experiment(sapi)
    _log(sapi, eid, NEW)
    _aggregate(sapi, pid, "overall", "weighted", {"a": 3, "b": 1})
    _aggregate(sapi, pid, "worst", "minimum", ["a", "b"])
    assert {"overall", "worst", "a", "b"} <= set(ok(sapi.get(f"/v1/experiment/{eid}/table/fields"))["scores"])

    def table(**q: object) -> list[dict]:
        return ok(sapi.post(f"/v1/experiment/{eid}/table", json={"row_type": "traces", "limit": 10, **q}))[
            "rows"
        ]

    by_input = {r["input"]: r["scores"] for r in table()}
    assert by_input["q0"]["overall"] == pytest.approx(0.875) and by_input["q0"]["worst"] == 0.5
    assert by_input["q1"]["overall"] == 0 and by_input["q2"]["overall"] == 1
    assert "overall" not in by_input["q3"]  # no component: no value
    ranked = table(sort=[{"column": "scores.overall", "desc": True, "nulls_last": True}])
    assert [r["input"] for r in ranked] == ["q2", "q0", "q1", "q3"]
    high = table(filters=[{"column": "scores.overall", "op": ">", "value": 0.5}])
    assert sorted(r["input"] for r in high) == ["q0", "q2"]
    typed = table(filters=["scores.worst < 0.6"])
    assert sorted(r["input"] for r in typed) == ["q0", "q1"]
    groups = ok(
        sapi.post(f"/v1/experiment/{eid}/table/groups", json={"row_type": "traces", "group_by": "input"})
    )["groups"]
    assert {g["group"]: g["scores"]["overall"] for g in groups}["q0"] == pytest.approx(0.875)


def test_the_experiments_list_has_a_score_per_aggregate(sapi: Api) -> None:  # noqa: F811
    """The project's experiments list (the web app's first page) shows each aggregate's mean over
    the experiment's traces, as `summarize` does; an experiment without its components has none."""
    pid, eid = experiment(sapi)
    _log(sapi, eid, NEW)
    empty = ok(sapi.post("/v1/experiment", json={"project_id": pid, "name": "unscored"}))["id"]
    _log(sapi, empty, {"q0": {"c": 1.0}})
    before = ok(sapi.get(f"/v1/project/{pid}/experiments"))
    assert before["aggregate_scores"] == []
    _aggregate(sapi, pid, "overall", "weighted", {"a": 3, "b": 1})
    _aggregate(sapi, pid, "worst", "minimum", ["a", "b"])
    listed = ok(sapi.get(f"/v1/project/{pid}/experiments"))
    assert sorted(listed["aggregate_scores"]) == ["overall", "worst"]
    by_id = {e["id"]: e["scores"] for e in listed["objects"]}
    # Traces with a value: q0 (3·1 + 0.5)/4, q1 0, q2 1 (q3 has no component).
    assert by_id[eid]["overall"] == pytest.approx((0.875 + 0 + 1) / 3)
    assert by_id[eid]["worst"] == pytest.approx((0.5 + 0 + 1) / 3)
    assert by_id[eid]["a"] == pytest.approx(0.5)  # logged scores are still there
    summary = ok(sapi.get(f"/v1/experiment/{eid}/summarize"))["scores"]
    assert by_id[eid]["overall"] == pytest.approx(summary["overall"]["score"])
    assert "overall" not in by_id[empty] and by_id[empty]["c"] == 1.0


def test_the_table_summary_averages_aggregates_over_the_filtered_traces(sapi: Api) -> None:  # noqa: F811
    """The header statistics under a filter (`…/table/summary`) list the aggregate scores too, over
    the traces the filter keeps, and a filter may name an aggregate."""
    pid, eid = experiment(sapi, "new")
    base = ok(sapi.post("/v1/experiment", json={"project_id": pid, "name": "base"}))["id"]
    _log(sapi, base, BASE)
    _log(sapi, eid, NEW)
    _aggregate(sapi, pid, "overall", "weighted", {"a": 3, "b": 1})
    url = f"/v1/experiment/{eid}/table/summary"
    keep = {"column": "scores.overall", "op": ">", "value": 0.5}  # q0 (0.875) and q2 (1)
    summary = ok(sapi.post(url, json={"filters": [keep], "comparison_experiment_id": base}))
    assert summary["traces"] == 2
    assert summary["scores"]["overall"]["score"] == pytest.approx((0.875 + 1) / 2)
    # the base over the same filter: q0 is 0, q1 is 1 → only q1 passes
    assert summary["scores"]["overall"]["diff"] == pytest.approx((0.875 + 1) / 2 - 1)
    whole = ok(sapi.post(url, json={}))
    assert whole["scores"]["overall"]["score"] == pytest.approx((0.875 + 0 + 1) / 3)

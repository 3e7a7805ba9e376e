"""A dataset created from "rows where ExactMatch = 0" holds exactly those rows, with origins."""

from __future__ import annotations

from tests.query.helpers import log, make_experiment, make_project, trace_rows


def experiment(api):
    pid = make_project(api, "ds")
    eid = make_experiment(api, pid, "exp")
    rows = []
    for i in range(30):
        rows += trace_rows(
            eid,
            input={"question": f"q{i}"},
            output=f"a{i}",
            metadata={"i": i},
            child_scores=[{"ExactMatch": 1 if i % 3 else 0}],
            tags=["t"] if i % 2 else None,
        )
        rows[-2]["expected"] = f"e{i}"
    log(api, rows)
    return pid, eid, rows


def fetch_all(api, dataset_id):
    res = api.post(f"/v1/dataset/{dataset_id}/fetch", json={"limit": 1000})
    assert res.status_code == 200, res.text
    return res.json()["events"]


def test_rows_where_exact_match_is_0_make_a_dataset_with_exactly_those_rows(api):
    pid, eid, rows = experiment(api)
    roots = [r for r in rows if "span_parents" not in r]
    failed = {r["id"]: r for r in roots if r["metadata"]["i"] % 3 == 0}
    body = {"selection": {"filters": ["scores.ExactMatch = 0"]}, "dataset_name": "failures"}
    dry = api.post(f"/v1/experiment/{eid}/analysis/dataset", json={**body, "dry_run": True})
    assert dry.status_code == 200, dry.text
    assert dry.json()["written"] is False and dry.json()["rows"] == 10 and dry.json()["dataset_id"] is None
    assert api.get("/v1/dataset", params={"project_id": pid}).json()["objects"] == []  # nothing written

    res = api.post(f"/v1/experiment/{eid}/analysis/dataset", json=body)
    assert res.status_code == 200, res.text
    out = res.json()
    assert out["written"] is True and out["rows"] == 10 and out["dataset_name"] == "failures"
    events = fetch_all(api, out["dataset_id"])
    assert len(events) == 10
    by_origin = {e["origin"]["id"]: e for e in events}
    assert set(by_origin) == set(failed)
    for origin_id, e in by_origin.items():
        src = failed[origin_id]
        assert e["input"] == src["input"] and e["expected"] == src["expected"]
        assert e["metadata"] == src["metadata"]
        assert e["origin"]["object_type"] == "experiment" and e["origin"]["object_id"] == eid
        assert e["origin"]["_xact_id"] is not None
    # Adding the same rows again updates those records: still 10.
    again = api.post(
        f"/v1/experiment/{eid}/analysis/dataset",
        json={**body, "dataset_id": out["dataset_id"], "dataset_name": None},
    )
    assert again.status_code == 200, again.text
    assert len(fetch_all(api, out["dataset_id"])) == 10


def test_chosen_ids_and_expected_from_output(api):
    _, eid, rows = experiment(api)
    roots = [r for r in rows if "span_parents" not in r][:3]
    body = {
        "selection": {"ids": [r["id"] for r in roots]},
        "dataset_name": "picked",
        "expected_from": "output",
    }
    out = api.post(f"/v1/experiment/{eid}/analysis/dataset", json=body).json()
    events = fetch_all(api, out["dataset_id"])
    assert sorted(e["expected"] for e in events) == sorted(r["output"] for r in roots)


def test_bad_selections_are_precise_400s_and_write_nothing(api):
    pid, eid, _ = experiment(api)
    url = f"/v1/experiment/{eid}/analysis/dataset"
    cases = [
        ({"selection": {}, "dataset_name": "x"}, "select rows"),
        ({"selection": {"filters": ["scores.ExactMatch = "]}, "dataset_name": "x"}, "filter"),
        ({"selection": {"filters": ["scores.ExactMatch > 5"]}, "dataset_name": "x"}, "no rows"),
        ({"selection": {"ids": ["nope"]}, "dataset_name": "x"}, "no trace with id 'nope'"),
        ({"selection": {"filters": ["true"]}}, "exactly one of dataset_id"),
        ({"selection": {"filters": ["true"]}, "dataset_id": "nope"}, "not found"),
    ]
    for body, words in cases:
        res = api.post(url, json=body)
        assert res.status_code in (400, 404), (body, res.text)
        assert words in res.text, (body, res.text)
    assert api.get("/v1/dataset", params={"project_id": pid}).json()["objects"] == []


def test_a_filter_on_an_aggregate_score_selects_what_the_table_selects(api):
    pid, eid, _ = experiment(api)
    res = api.post(
        "/v1/project_score",
        json={"project_id": pid, "name": "worst", "score_type": "minimum", "categories": ["ExactMatch"]},
    )
    assert res.status_code == 200, res.text
    body = {"selection": {"filters": ["scores.worst = 0"]}, "dataset_name": "agg", "dry_run": True}
    out = api.post(f"/v1/experiment/{eid}/analysis/dataset", json=body)
    assert out.status_code == 200, out.text
    table = api.post(f"/v1/experiment/{eid}/table/count", json={"filters": ["scores.worst = 0"]}).json()
    assert out.json()["rows"] == table["total"] == 10

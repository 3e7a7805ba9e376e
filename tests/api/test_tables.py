"""The web app's table API in process: pages, totals, filters, views, sort, custom columns, groups,
the experiments list, fields and permalink resolution."""

from __future__ import annotations

import pytest

from tests.query.helpers import log, make_experiment, make_project, trace_rows


@pytest.fixture
def data(api):
    pid = make_project(api, "proj")
    base = make_experiment(api, pid, "base")
    eid = make_experiment(api, pid, "exp")
    rows = []
    for i in range(25):
        cat = "a" if i % 2 else "b"
        rows += trace_rows(
            eid,
            input=f"question {i}",
            output=f"answer {i}",
            metadata={"category": cat, "i": i},
            child_scores=[{"acc": (i % 5) / 4}],
            metrics={"start": 1.0, "end": 1.0 + i},
            tags=["odd"] if i % 2 else None,
        )
    rows[0]["error"] = "boom"
    for i in range(10):
        rows += trace_rows(
            base,
            input=f"question {i}",
            metadata={"category": "a" if i % 2 else "b"},
            child_scores=[{"acc": 0.5}],
        )
    log(api, rows)
    return {"project": pid, "exp": eid, "base": base}


def table(api, eid, **body):
    res = api.post(f"/v1/experiment/{eid}/table", json=body)
    assert res.status_code == 200, res.text
    return res.json()


def test_pages_cover_every_trace_once(api, data):
    seen = []
    for offset in range(0, 30, 10):
        page = table(api, data["exp"], offset=offset, limit=10)
        assert page["total"] == 25
        seen += [r["id"] for r in page["rows"]]
    assert len(seen) == len(set(seen)) == 25
    assert table(api, data["exp"], with_total=False)["total"] is None
    res = api.post(f"/v1/experiment/{data['exp']}/table/count", json={"filters": ["metadata.category = 'a'"]})
    assert res.json() == {"total": 12}


def test_spans_row_type_counts_spans(api, data):
    assert table(api, data["exp"], row_type="spans", limit=1)["total"] == 50


def test_filters_search_and_views(api, data):
    assert table(api, data["exp"], filters=["metadata.category = 'a'"])["total"] == 12
    assert table(api, data["exp"], filters=["scores.acc >= 0.75", "metadata.category = 'b'"])["total"] == 5
    assert table(api, data["exp"], search="question 1")["total"] == 11  # 1, 10..19
    assert table(api, data["exp"], row_type="spans", search="SCORER0")["total"] == 25  # span names
    views = {v["id"]: v for v in api.get(f"/v1/experiment/{data['exp']}/table/views").json()["objects"]}
    assert list(views)[:4] == ["default", "non_errors", "errors", "scorer_errors"]
    assert {"unreviewed", "assigned_to_me"} <= set(views)
    errors = table(api, data["exp"], filters=[views["errors"]["filter"]])
    assert [r["error"] for r in errors["rows"]] == ["boom"]
    assert table(api, data["exp"], filters=[views["non_errors"]["filter"]])["total"] == 24
    assert table(api, data["exp"], filters=[views["assigned_to_me"]["filter"]])["total"] == 0


def test_filter_mistake_is_a_400_that_points_into_the_filter(api, data):
    res = api.post(f"/v1/experiment/{data['exp']}/table", json={"filters": ["scores.acc >"]})
    assert res.status_code == 400
    assert "filter 'scores.acc >'" in res.json()["error"]["message"]


def test_sort_and_custom_columns(api, data):
    rows = table(api, data["exp"], sort=[{"column": "scores.acc", "desc": True}], limit=5)["rows"]
    assert [r["scores"]["acc"] for r in rows] == [1.0] * 5
    body = {
        "custom_columns": [{"name": "twice", "expr": "metadata.i * 2"}],
        "sort": [{"column": "twice", "desc": True}],
        "filters": ["metadata.i * 2 < 10"],
        "limit": 3,
    }
    rows = table(api, data["exp"], **body)["rows"]
    assert [r["twice"] for r in rows] == [8, 6, 4]
    res = api.post(f"/v1/experiment/{data['exp']}/table", json={"sort": [{"column": "x; DROP"}]})
    assert res.status_code == 400


def test_groups_match_their_filtered_averages(api, data):
    res = api.post(
        f"/v1/experiment/{data['exp']}/table/groups",
        json={"group_by": "metadata.category", "comparison_experiment_id": data["base"]},
    )
    assert res.status_code == 200, res.text
    groups = {g["group"]: g for g in res.json()["groups"]}
    assert groups["a"]["count"] == 12 and groups["b"]["count"] == 13
    rows = table(api, data["exp"], filters=["metadata.category = 'a'"], limit=100)["rows"]
    expected = sum(r["scores"]["acc"] for r in rows) / len(rows)
    assert groups["a"]["scores"]["acc"] == pytest.approx(expected)
    assert groups["a"]["comparison"]["scores"]["acc"] == pytest.approx(0.5)
    assert groups["a"]["comparison"]["count"] == 5


def test_experiments_list_fields_and_permalink(api, data):
    listed = api.get(f"/v1/project/{data['project']}/experiments").json()["objects"]
    by_name = {e["name"]: e for e in listed}
    assert by_name["exp"]["row_count"] == 25 and by_name["base"]["row_count"] == 10
    assert by_name["base"]["scores"]["acc"] == pytest.approx(0.5)
    fields = api.get(f"/v1/experiment/{data['exp']}/table/fields").json()
    assert fields["scores"] == ["acc"] and "category" in fields["metadata"]
    resolved = api.get(f"/v1/object/resolve?object_type=experiment&object_id={data['exp']}").json()
    assert resolved["path"] == "/app/local/p/proj/experiments/exp"
    assert api.get("/v1/object/resolve?object_type=experiment&object_id=nope").status_code == 404
    assert api.get("/v1/organization").json()["objects"][0]["name"] == "local"


def test_rows_sorted_by_regression_against_a_comparison(api, data):
    """Order by regressions inside a group: the rows whose score fell most come first."""
    change = {"name": "change", "expr": "scores.acc - comparison_scores.acc"}
    page = table(
        api,
        data["exp"],
        compare_to=data["base"],
        filters=["metadata.category = 'b'"],
        custom_columns=[change],
        sort=[{"column": "change", "desc": False, "nulls_last": True}],
        limit=100,
    )
    changes = [r["change"] for r in page["rows"]]
    # category b: even i; base has i < 10 at 0.5, so i = 0, 2, 4, 6, 8 have a change, the rest none
    expected = sorted((i % 5) / 4 - 0.5 for i in range(0, 10, 2))
    assert changes[:5] == pytest.approx(expected)
    assert changes[5:] == [None] * (len(changes) - 5) and len(changes) == 13

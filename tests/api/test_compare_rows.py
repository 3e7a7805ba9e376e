"""The table in comparison mode: rows with every compared experiment's test case and deltas, the
improvement/regression filter, matched traces' fields, counts and groups."""

from __future__ import annotations

import pytest

from tests.query.helpers import log, make_experiment, make_project, trace_rows

A = [0.6, 0.4, 0.5, 1.0, 0.0, 0.7]


@pytest.fixture
def data(api):
    pid = make_project(api, "cmp-rows")
    ids = {name: make_experiment(api, pid, name) for name in ("base", "a", "b")}
    rows = []
    for i in range(6):
        meta = {"cat": "even" if i % 2 == 0 else "odd"}
        rows += trace_rows(
            ids["base"], input={"q": i}, output=f"base {i}", metadata=meta, child_scores=[{"acc": 0.5}]
        )
        rows += trace_rows(
            ids["a"], input={"q": i}, output=f"a {i}", metadata=meta, child_scores=[{"acc": A[i]}]
        )
    for i, v in [(0, 0.2), (0, 0.4), (1, 0.9), (2, 0.5), (3, 0.1), (4, 0.8)]:
        rows += trace_rows(
            ids["b"],
            input={"q": i},
            output=f"b {i}",
            metadata={"cat": "even" if i % 2 == 0 else "odd"},
            child_scores=[{"acc": v}],
        )
    log(api, rows)
    return {"project": pid, **ids}


def page(api, eid, **body):
    res = api.post(f"/v1/experiment/{eid}/compare/rows", json=body)
    assert res.status_code == 200, res.text
    return res.json()


def by_q(found):
    return {r["row"]["input"]["q"]: {e["experiment_id"]: e for e in r["experiments"]} for r in found["rows"]}


def test_rows_carry_each_experiment_and_deltas_against_the_base(api, data):
    found = page(api, data["a"], experiment_ids=[data["base"], data["b"]])
    assert [e["id"] for e in found["experiments"]] == [data["base"], data["a"], data["b"]]
    assert found["total"] == 6 and len(found["rows"]) == 6
    rows = by_q(found)
    for q, sides in rows.items():
        base, a = sides[data["base"]], sides[data["a"]]
        assert base["scores"]["acc"] == pytest.approx(0.5) and base["score_deltas"] == {}
        assert a["scores"]["acc"] == pytest.approx(A[q])
        assert a["score_deltas"]["acc"] == pytest.approx(A[q] - 0.5)
        assert a["traces"] == 1 and a["id"]
    assert rows[0][data["b"]]["traces"] == 2 and rows[0][data["b"]]["scores"]["acc"] == pytest.approx(0.3)
    assert rows[0][data["b"]]["score_deltas"]["acc"] == pytest.approx(-0.2)
    unmatched = rows[5][data["b"]]
    assert unmatched["traces"] == 0 and unmatched["id"] is None
    assert unmatched["scores"]["acc"] is None and unmatched["score_deltas"]["acc"] is None
    assert rows[5][data["a"]]["fields"] is None  # only asked for with with_fields


def test_change_filter_keeps_exactly_the_rows_that_moved(api, data):
    body = {"experiment_ids": [data["base"], data["b"]]}
    worse = page(
        api, data["a"], **body, change={"experiment_id": data["a"], "name": "acc", "direction": "regressions"}
    )
    assert sorted(r["row"]["input"]["q"] for r in worse["rows"]) == [1, 4] and worse["total"] == 2
    summary = api.get(f"/v1/experiment/{data['base']}/compare", params={"with": [data["a"]]}).json()
    assert summary["scores"][0]["experiments"][1]["regressions"] == 2
    better = page(
        api,
        data["a"],
        **body,
        change={"experiment_id": data["a"], "name": "acc", "direction": "improvements"},
    )
    assert sorted(r["row"]["input"]["q"] for r in better["rows"]) == [0, 3, 5]
    other = page(
        api, data["a"], **body, change={"experiment_id": data["b"], "name": "acc", "direction": "regressions"}
    )
    assert sorted(r["row"]["input"]["q"] for r in other["rows"]) == [0, 3]
    res = api.post(
        f"/v1/experiment/{data['a']}/compare/count",
        json={**body, "change": {"experiment_id": data["b"], "name": "acc", "direction": "improvements"}},
    )
    assert res.json() == {"total": 2}  # cases 1 and 4
    # Lower is better for metrics: a took longer nowhere, so no regressions in duration.
    slow = page(
        api,
        data["a"],
        **body,
        change={"experiment_id": data["a"], "name": "duration", "kind": "metric", "direction": "regressions"},
    )
    assert slow["rows"] == []


def test_filters_sort_paging_and_fields(api, data):
    body = {
        "experiment_ids": [data["base"], data["b"]],
        "filters": ["metadata.cat = 'even'"],
        "sort": [{"column": "scores.acc", "desc": True}],
    }
    found = page(api, data["a"], **body, with_fields=True)
    assert [r["row"]["input"]["q"] for r in found["rows"]] == [0, 2, 4]
    sides = {e["experiment_id"]: e for e in found["rows"][0]["experiments"]}
    assert sides[data["b"]]["fields"]["output"] in ("b 0",)  # the case's first trial
    assert sides[data["a"]]["fields"]["output"] == "a 0"
    second = page(api, data["a"], **body, offset=1, limit=1)
    assert [r["row"]["input"]["q"] for r in second["rows"]] == [2]
    searched = page(api, data["a"], experiment_ids=[data["base"]], search="a 3")
    assert [r["row"]["input"]["q"] for r in searched["rows"]] == [3]


def test_the_table_experiment_can_be_the_base(api, data):
    found = page(api, data["a"], experiment_ids=[data["base"], data["b"]], base_experiment_id=data["a"])
    assert [e["id"] for e in found["experiments"]] == [data["a"], data["base"], data["b"]]
    rows = by_q(found)
    assert rows[3][data["base"]]["score_deltas"]["acc"] == pytest.approx(0.5 - 1.0)
    assert rows[3][data["a"]]["score_deltas"] == {}


def test_groups_count_per_experiment(api, data):
    res = api.post(
        f"/v1/experiment/{data['a']}/compare/groups",
        json={"experiment_ids": [data["base"], data["b"]], "group_by": "metadata.cat"},
    )
    assert res.status_code == 200, res.text
    groups = {g["group"]: {e["experiment_id"]: e for e in g["experiments"]} for g in res.json()["groups"]}
    assert set(groups) == {"even", "odd"}
    even_a = groups["even"][data["a"]]
    assert even_a["count"] == 3 and even_a["scores"]["acc"] == pytest.approx((0.6 + 0.5 + 0.0) / 3)
    assert (even_a["improvements"]["acc"], even_a["regressions"]["acc"]) == (1, 1)
    assert groups["odd"][data["a"]]["improvements"]["acc"] == 2  # 1.0 and 0.7
    assert groups["even"][data["b"]]["count"] == 4  # two trials of case 0, cases 2 and 4
    assert groups["even"][data["base"]]["improvements"] == {}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"row_type": "spans"}, "trace rows"),
        ({"experiment_ids": ["{b}"], "base_experiment_id": "{base}"}, "base_experiment_id"),
        (
            {
                "experiment_ids": ["{base}"],
                "change": {"experiment_id": "{base}", "name": "acc", "direction": "regressions"},
            },
            "other than the base",
        ),
        ({"experiment_ids": ["{base}"], "filters": ["scores.acc >"]}, "filter"),
        ({"experiment_ids": ["x"] * 8}, "experiment_ids"),
    ],
)
def test_bad_requests_are_400s(api, data, body, message):
    text = str(body)
    for k in ("base", "b"):
        text = text.replace("{" + k + "}", data[k])
    res = api.post(f"/v1/experiment/{data['a']}/compare/rows", json=eval(text))
    assert res.status_code == 400, res.text
    assert message in res.json()["error"]["message"]


def test_the_looked_up_page_and_the_joined_statement_agree(api, data):
    """The first page reads the rows and then looks up their test cases; a sort by the comparison
    joins everything in one statement. Both give the same compared values."""
    body = {"experiment_ids": [data["base"], data["b"]], "with_fields": True}
    plain = {r["row"]["id"]: r["experiments"] for r in page(api, data["a"], **body)["rows"]}
    joined = page(
        api,
        data["a"],
        **body,
        custom_columns=[{"name": "gain", "expr": "comparisons[1].scores.acc - comparisons[0].scores.acc"}],
        sort=[{"column": "gain", "desc": True, "nulls_last": True}],
    )
    assert [r["row"]["input"]["q"] for r in joined["rows"]][:2] == [1, 4]  # b gained most on 1 and 4
    for r in joined["rows"]:
        mine, theirs = r["experiments"], plain[r["row"]["id"]]
        for a, b in zip(mine, theirs, strict=True):
            assert (a["experiment_id"], a["traces"], a["id"]) == (b["experiment_id"], b["traces"], b["id"])
            assert a["scores"] == pytest.approx(b["scores"]) and a["fields"] == b["fields"]


@pytest.mark.parametrize("key", ["input.q", "[input.q, metadata.cat]"])
def test_a_first_page_finds_its_cases_by_the_projects_own_key(api, key):
    """The first page (no filter on the comparison) looks its test cases up by key in the store:
    under a custom key, inputs that differ elsewhere are one case, and the joined path (a change
    filter) agrees with it."""
    pid = make_project(api, "cmp-key")
    base, new = make_experiment(api, pid, "base"), make_experiment(api, pid, "new")
    rows = []
    for i in range(4):
        meta = {"cat": "x"}
        rows += trace_rows(base, input={"q": i, "run": "r1"}, metadata=meta, child_scores=[{"acc": 0.5}])
        rows += trace_rows(new, input={"q": i, "run": "r2"}, metadata=meta, child_scores=[{"acc": i / 4}])
    log(api, rows)
    plain = by_q(page(api, new, experiment_ids=[base]))
    assert all(sides[base]["traces"] == 0 for sides in plain.values())  # default key: whole inputs differ
    res = api.patch(f"/v1/project/{pid}", json={"settings": {"comparison_key": key}})
    assert res.status_code == 200, res.text
    keyed = by_q(page(api, new, experiment_ids=[base]))
    for q, sides in keyed.items():
        assert sides[base]["traces"] == 1 and sides[base]["scores"]["acc"] == pytest.approx(0.5)
        assert sides[new]["score_deltas"]["acc"] == pytest.approx(q / 4 - 0.5)
    change = {"experiment_id": new, "name": "acc", "direction": "regressions"}
    joined = by_q(page(api, new, experiment_ids=[base], change=change))
    assert sorted(joined) == [0, 1] and all(joined[q] == keyed[q] for q in joined)

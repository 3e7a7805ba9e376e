"""`compare => [...]` in the query language: every compared experiment's values of each test case."""

from __future__ import annotations

import pytest

from tests.query.helpers import btql, log, make_experiment, make_project, trace_rows


@pytest.fixture
def data(api):
    pid = make_project(api, "cq")
    ids = {n: make_experiment(api, pid, n) for n in ("cur", "base", "other")}
    rows = []
    for i in range(4):
        rows += trace_rows(
            ids["cur"], input={"q": i}, child_scores=[{"acc": i / 4}], metrics={"start": 0, "end": 1}
        )
        rows += trace_rows(
            ids["base"], input={"q": i}, child_scores=[{"acc": 0.5}], metrics={"start": 0, "end": 2}
        )
    for i, v in [(0, 0.9), (0, 0.7), (1, 0.1)]:  # two trials of case 0; cases 2 and 3 missing
        rows += trace_rows(
            ids["other"], input={"q": i}, child_scores=[{"acc": v}], metrics={"start": 0, "end": 3}
        )
    log(api, rows)
    return {"project": pid, **ids}


def rows(api, sql):
    res = btql(api, sql)
    assert res.status_code == 200, res.text
    return res.json()["data"]


def test_each_compared_experiment_gives_the_case_values(api, data):
    found = rows(
        api,
        "SELECT input.q AS q, scores.acc AS acc, comparisons[0].scores.acc AS base, "
        "comparisons[1].scores.acc AS other, comparisons[1].traces AS trials, comparisons[1].id AS other_id, "
        "comparisons[1].metrics.duration AS other_duration, comparison_scores.acc AS same_as_base "
        f"FROM experiment('{data['cur']}', shape => 'summary', compare => ['base', '{data['other']}']) "
        "ORDER BY q",
    )
    assert [r["q"] for r in found] == [0, 1, 2, 3]
    assert [r["base"] for r in found] == [0.5] * 4 == [r["same_as_base"] for r in found]
    assert [r["other"] for r in found] == [pytest.approx(0.8), pytest.approx(0.1), None, None]
    assert [r["trials"] for r in found] == [2, 1, 0, 0]
    assert found[0]["other_id"] and found[2]["other_id"] is None
    assert found[0]["other_duration"] == pytest.approx(3.0)


def test_filter_and_sort_by_the_change_against_another_experiment(api, data):
    src = f"experiment('{data['cur']}', shape => 'summary', compare => ['{data['base']}', '{data['other']}'])"
    worse = rows(
        api, f"SELECT input.q AS q FROM {src} WHERE comparisons[1].scores.acc < comparisons[0].scores.acc"
    )
    assert [r["q"] for r in worse] == [1]
    ordered = rows(
        api, f"SELECT input.q AS q FROM {src} ORDER BY scores.acc - comparisons[0].scores.acc DESC"
    )
    assert [r["q"] for r in ordered] == [3, 2, 1, 0]
    whole = rows(api, f"SELECT comparisons[1].scores AS s FROM {src} WHERE input.q = 0")
    assert whole == [{"s": {"acc": pytest.approx(0.8)}}]


def test_mistakes_are_400s(api, data):
    src = f"experiment('{data['cur']}', shape => 'summary', compare => ['{data['base']}'])"
    for sql, message in [
        (f"SELECT comparisons[1].scores.acc FROM {src}", "at least 2"),
        (f"SELECT comparisons[0].nope FROM {src}", "comparisons[i]"),
        (f"SELECT comparisons.scores FROM {src}", "comparisons[i]"),
        (
            f"SELECT 1 FROM experiment('{data['cur']}', shape => 'summary', compare => ['a','b','c','d','e','f','g','h'])",
            "at most 7",
        ),
        (f"SELECT 1 FROM experiment('{data['cur']}', shape => 'summary', compare => [1])", "quoted id"),
    ]:
        res = btql(api, sql)
        assert res.status_code == 400, (sql, res.text)
        assert message in res.json()["error"]["message"], (sql, res.text)


def test_match_key_follows_the_project_setting(api, data):
    api.patch(f"/v1/project/{data['project']}", json={"settings": {"comparison_key": "to_string(input.q)"}})
    keys = rows(
        api, f"SELECT input.q AS q, match_key FROM experiment('{data['cur']}', shape => 'summary') ORDER BY q"
    )
    others = rows(
        api,
        f"SELECT input.q AS q, match_key FROM experiment('{data['base']}', shape => 'summary') ORDER BY q",
    )
    assert [r["match_key"] for r in keys] == [r["match_key"] for r in others]
    found = rows(
        api,
        "SELECT comparisons[0].scores.acc AS base FROM "
        f"experiment('{data['cur']}', shape => 'summary', compare => ['{data['base']}'])",
    )
    assert [r["base"] for r in found] == [0.5] * 4

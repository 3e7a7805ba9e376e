"""The table routes build statements as trees: injection attempts get a 400 and read nothing else,
structured conditions need no quoting, the check route answers positions, and one request looks
its experiment up once."""

from __future__ import annotations

from typing import Any

import pytest

from tests.query.helpers import log, make_experiment, make_project, trace_rows


@pytest.fixture
def two(api) -> dict[str, str]:
    pid = make_project(api, "proj")
    mine = make_experiment(api, pid, "mine")
    other = make_experiment(api, pid, "other")
    rows = trace_rows(mine, input="50% off", metadata={"k": "a"}, child_scores=[{"acc": 1.0}], tags=["t1"])
    rows += trace_rows(mine, input="50\\x off", metadata={"k": "b"}, child_scores=[{"acc": 0.0}])
    rows += trace_rows(mine, input="it's 50_ off", metadata={"k": None}, child_scores=[{"acc": 0.5}])
    rows += trace_rows(other, input="SECRET of the other experiment", child_scores=[{"acc": 0.25}])
    log(api, rows)
    return {"mine": mine, "other": other}


class Spy:
    """Wraps the app's store: records every statement executed and every object looked up."""

    def __init__(self, store: Any) -> None:
        self.store, self.sql, self.located = store, [], []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def execute(self, compiled: Any, **kw: Any) -> Any:
        self.sql.append(compiled.sql)
        return self.store.execute(compiled, **kw)

    def locate(self, kind: str, object_id: str) -> Any:
        self.located.append((kind, object_id))
        return self.store.locate(kind, object_id)


@pytest.fixture
def spy(api) -> Spy:
    svc = api.app.state.services
    spy = Spy(svc.store)
    svc.store = spy
    yield spy
    svc.store = spy.store


def table(api, eid: str, **body: Any):
    return api.post(f"/v1/experiment/{eid}/table", json=body)


INJECTIONS = {
    "custom column ending in a comment": {"custom_columns": [{"name": "c", "expr": "1 --"}]},
    "filter ending in a comment": {"filters": ["true -- '"]},
    "compare_to with a newline": {"compare_to": "x')\nUNION SELECT * FROM experiment('y"},
    "all three together": {
        "custom_columns": [{"name": "c", "expr": "1 --"}],
        "compare_to": "{other}\n",
        "filters": ["true -- '"],
    },
    "filter reading another source": {"filters": ["id IN (SELECT id FROM experiment('{other}'))"]},
    "filter closing the source call": {"filters": ["true) UNION SELECT * FROM experiment('{other}') --"]},
    "sort key that is not a column": {"sort": [{"column": "id; SELECT * FROM experiment('{other}')"}]},
}


@pytest.mark.parametrize("name", sorted(INJECTIONS))
def test_table_injection_is_a_400_and_reads_no_other_object(api, two, spy, name):
    body = {
        k: (v.replace("{other}", two["other"]) if isinstance(v, str) else v)
        for k, v in INJECTIONS[name].items()
    }
    if "filters" in body:
        body["filters"] = [f.replace("{other}", two["other"]) for f in body["filters"]]
    if "sort" in body:
        body["sort"] = [{"column": s["column"].replace("{other}", two["other"])} for s in body["sort"]]
    res = table(api, two["mine"], **body)
    assert res.status_code == 400, (name, res.text)
    assert res.json()["error"]["message"]
    assert all(two["other"] not in sql for sql in spy.sql), spy.sql
    assert ("experiment", two["other"]) not in spy.located


def test_group_key_with_a_subquery_is_a_400(api, two, spy):
    res = api.post(
        f"/v1/experiment/{two['mine']}/table/groups",
        json={"group_by": f"(SELECT input FROM experiment('{two['other']}'))"},
    )
    assert res.status_code == 400, res.text
    assert all(two["other"] not in sql for sql in spy.sql)


def test_comment_in_a_custom_column_is_reported_at_its_position(api, two):
    res = table(api, two["mine"], custom_columns=[{"name": "c", "expr": "1 --"}])
    message = res.json()["error"]["message"]
    assert (
        message
        == "column 'c': line 1, column 1: comments (-- or /* */) are not allowed in a filter or column expression"
    )


def test_search_for_a_percent_sign_finds_exactly_the_rows_containing_it(api, two):
    rows = table(api, two["mine"], search="50%").json()["rows"]
    assert [r["input"] for r in rows] == ["50% off"]
    rows = table(api, two["mine"], search="50_").json()["rows"]
    assert [r["input"] for r in rows] == ["it's 50_ off"]
    assert table(api, two["mine"], search="'s 50").json()["total"] == 1
    assert table(api, two["mine"], search="50\\x").json()["total"] == 1


def test_structured_conditions_need_no_quoting(api, two):
    def total(*filters: Any) -> int:
        res = table(api, two["mine"], filters=list(filters))
        assert res.status_code == 200, res.text
        return res.json()["total"]

    assert total({"column": "input", "op": "=", "value": "it's 50_ off"}) == 1
    assert total({"column": "input", "op": "contains", "value": "50% OFF"}) == 1
    assert total({"column": "metadata.k", "op": "in", "value": ["a", "b"]}) == 2
    assert total({"column": "metadata.k", "op": "is null"}) == 1
    assert (
        total(
            {"column": "scores.acc", "op": ">=", "value": 0.5},
            {"column": "scores.acc", "op": "<=", "value": 1},
        )
        == 2
    )
    assert total({"column": "tags", "op": "includes", "value": "t1"}) == 1
    custom = [{"name": "twice", "expr": "scores.acc * 2"}]
    res = table(api, two["mine"], custom_columns=custom, filters=[{"column": "twice", "op": "=", "value": 2}])
    assert res.json()["total"] == 1
    res = table(api, two["mine"], filters=[{"column": "nope.x", "op": "=", "value": 1}])
    assert res.status_code == 400 and "unknown field 'nope'" in res.json()["error"]["message"]
    res = table(api, two["mine"], filters=[{"column": "input", "op": "in", "value": "x"}])
    assert res.status_code == 400


def test_check_route_answers_message_line_and_column(api, two, spy):
    url = f"/v1/experiment/{two['mine']}/table/check"
    ok = api.post(url, json={"kind": "filter", "text": "scores.acc > 0.5"})
    assert ok.status_code == 200 and ok.json() == {
        "valid": True,
        "message": None,
        "line": None,
        "column": None,
    }
    bad = api.post(url, json={"kind": "column", "text": "scores.acc +\n  nope.x"}).json()
    assert bad["valid"] is False and "unknown field 'nope'" in bad["message"]
    assert (bad["line"], bad["column"]) == (2, 3)
    agg = api.post(url, json={"kind": "filter", "text": "count(*) > 1"}).json()
    assert agg["valid"] is False and "aggregate" in agg["message"]
    assert spy.sql == []  # nothing was run


def test_one_table_request_looks_its_experiment_up_once(api, two, spy):
    res = table(api, two["mine"], filters=["scores.acc > 0.1"], with_total=True)
    assert res.status_code == 200
    assert spy.located == [("experiment", two["mine"])]
    assert len(spy.sql) == 2  # the page and the count


def test_select_star_exclude(api, two):
    from tests.query.helpers import btql

    res = btql(api, f"SELECT * EXCLUDE (input, metadata) FROM experiment('{two['mine']}') WHERE is_root")
    assert res.status_code == 200, res.text
    rows = res.json()["data"]
    assert rows and all("input" not in r and "metadata" not in r and "output" in r for r in rows)
    props = res.json()["schema"]["items"]["properties"]
    assert "input" not in props and "output" in props
    res = btql(api, f"SELECT * EXCLUDE (id) FROM experiment('{two['mine']}', shape => 'summary')")
    assert res.status_code == 200 and all("id" not in r and "input" in r for r in res.json()["data"])
    res = btql(api, f"SELECT * EXCLUDE (nope) FROM experiment('{two['mine']}')")
    assert res.status_code == 400 and "nope" in res.json()["error"]["message"]
    res = btql(api, f"SELECT * REPLACE (1 AS id) FROM experiment('{two['mine']}')")
    assert res.status_code == 400 and "REPLACE" in res.json()["error"]["message"]


def test_table_summary_equals_the_sql_over_the_filtered_rows(api, two):
    from tests.query.helpers import btql

    url = f"/v1/experiment/{two['mine']}/table/summary"
    cond = {"column": "metadata.k", "op": "in", "value": ["a", "b"]}
    res = api.post(url, json={"filters": [cond], "comparison_experiment_id": two["other"]})
    assert res.status_code == 200, res.text
    body = res.json()
    sql = (
        f"SELECT avg(scores.acc) AS acc, count(*) AS n FROM experiment('{two['mine']}', shape => 'summary') "
        "WHERE metadata.k IN ('a', 'b')"
    )
    expected = btql(api, sql).json()["data"][0]
    assert body["traces"] == expected["n"] == 2
    assert body["scores"]["acc"]["score"] == pytest.approx(expected["acc"])
    assert body["comparison_experiment_name"] == "other"
    whole = api.post(url, json={}).json()
    assert whole["traces"] == 3 and "diff" not in whole["scores"]["acc"]

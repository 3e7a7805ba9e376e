"""POST /btql through the in-process app: the three syntaxes, shapes, formats, cursors and errors."""

from __future__ import annotations

import io
import json

import pyarrow.parquet as pq
import pytest

from tests.query.helpers import btql, log, make_experiment, make_project, trace_rows

REVIEWED = (
    'SELECT sum(CASE WHEN scores."response quality" IS NOT NULL THEN 1 ELSE 0 END) AS reviewed, '
    "sum(CASE WHEN is_root THEN 1 ELSE 0 END) AS total FROM experiment('{id}')"
)


@pytest.fixture
def data(api):
    pid = make_project(api, "proj")
    eid = make_experiment(api, pid, "first")
    base = make_experiment(api, pid, "second")
    rows = []
    rows += trace_rows(
        eid, input="the quick fox", scores={"response quality": 0.5}, metadata={"model": "x", "n": 3}
    )
    rows += trace_rows(
        eid, input="b", scores={"response quality": 1.0}, metadata={"model": "y", "n": 5}, tags=["t1"]
    )
    rows += trace_rows(eid, input="c", child_scores=[{"acc": 1.0}, {"acc": 0.0}], metadata={"model": "x"})
    rows += trace_rows(base, input="c", child_scores=[{"acc": 0.25}], metadata={"model": "x"})
    log(api, rows)
    return {"project": pid, "exp": eid, "base": base}


def test_reviewed_vs_total(api, data):
    res = btql(api, REVIEWED.format(id=data["exp"]))
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["data"] == [{"reviewed": 2, "total": 3}]
    assert body["schema"]["type"] == "array"
    assert set(body["schema"]["items"]["properties"]) == {"reviewed", "total"}
    assert body["cursor"] is None


def test_star_returns_fetch_fields(api, data):
    target = api.post(f"/v1/experiment/{data['exp']}/fetch", json={}).json()["events"][0]["id"]
    feedback = {"feedback": [{"id": target, "comment": "checked"}]}
    assert api.post(f"/v1/experiment/{data['exp']}/feedback", json=feedback).status_code == 200
    rows = btql(api, f"SELECT * FROM experiment('{data['exp']}')").json()["data"]
    fetched = api.post(f"/v1/experiment/{data['exp']}/fetch", json={}).json()["events"]
    assert len(rows) == len(fetched) == 5
    by_id = {e["id"]: e for e in fetched}
    for row in rows:
        assert row == by_id[row["id"]]
    assert [c["comment"]["text"] for c in by_id[target]["comments"]] == ["checked"]


def test_sources_by_name_and_several_objects(api, data):
    res = btql(api, "SELECT count(*) AS n FROM experiment('first', 'second')")
    assert res.json()["data"] == [{"n": 7}]
    res = btql(api, f"SELECT count(*) AS n FROM project_logs('{data['project']}')")
    assert res.json()["data"] == [{"n": 0}]


def test_summary_shape_averages_scores_over_the_trace(api, data):
    q = f"SELECT input, scores.acc AS acc, span_count FROM experiment('{data['exp']}', shape => 'summary') WHERE input = 'c'"
    assert btql(api, q).json()["data"] == [{"input": "c", "acc": 0.5, "span_count": 3}]


def test_traces_shape_returns_whole_traces(api, data):
    q = f"select: id | from: experiment('{data['exp']}') traces | filter: scores.acc = 0"
    assert len(btql(api, q).json()["data"]) == 3


def test_group_by_metadata_with_score_average(api, data):
    q = (
        'SELECT metadata.model AS model, avg(scores."response quality") AS q, count(*) AS n '
        f"FROM experiment('{data['exp']}', shape => 'summary') GROUP BY 1 ORDER BY model"
    )
    assert btql(api, q).json()["data"] == [{"model": "x", "q": 0.5, "n": 2}, {"model": "y", "q": 1.0, "n": 1}]


def test_having_names_a_column_of_the_select_list(api, data):
    q = (
        "SELECT metadata.model AS model, count(*) AS n "
        f"FROM experiment('{data['exp']}', shape => 'summary') GROUP BY 1 HAVING n > 1 ORDER BY model"
    )
    res = btql(api, q)
    assert res.status_code == 200, res.text
    assert res.json()["data"] == [{"model": "x", "n": 2}]


def test_operators(api, data):
    eid = data["exp"]

    def ids(where: str) -> int:
        res = btql(api, f"SELECT id FROM experiment('{eid}') WHERE {where}")
        assert res.status_code == 200, res.text
        return len(res.json()["data"])

    assert ids("metadata.n > 4") == 1
    assert ids("metadata.model IN ('x', 'y') AND is_root") == 3
    assert ids("metadata.model IN ['x']") == 2
    assert ids("input MATCH 'QUICK fox'") == 1
    assert ids("input MATCH 'qui'") == 0
    assert ids("tags INCLUDES 't1'") == 1
    assert ids("tags[0] = 't1'") == 1
    assert ids("input LIKE 'the%'") == 1
    assert ids("input NOT ILIKE 'THE%' AND is_root") == 2
    assert ids("span_attributes.type = 'score'") == 2
    assert ids("created > NOW() - INTERVAL 1 DAY") == 5
    assert ids("(metadata.n > 4 ? 1 : 0) = 1") == 1
    assert ids("metadata.n * 2 + 1 = 7") == 1
    assert ids("metadata.missing IS NULL AND is_root") == 3
    assert ids("metadata.missing ISNULL AND is_root") == 3
    assert ids("metadata.n ISNOTNULL") == 2
    assert ids("MATCH(input) AGAINST('quick FOX')") == 1
    assert ids("MATCH(output, input) AGAINST('fox')") == 1
    assert ids("match(input, 'fox')") == 1


def test_functions(api, data):
    q = (
        "SELECT percentile(metadata.n, 0.5) AS p, count_distinct(metadata.model) AS m, "
        "count(DISTINCT root_span_id) AS t, upper(concat('a', 'b')) AS s, round(2.345, 1) AS r "
        f"FROM experiment('{data['exp']}')"
    )
    res = btql(api, q)
    assert res.status_code == 200, res.text
    assert res.json()["data"] == [{"p": 4.0, "m": 2, "t": 3, "s": "AB", "r": 2.3}]


def test_pipe_syntax_as_sync_sends_it(api, data):
    q = (
        f"select: root_span_id, span_id, id | from: experiment('{data['exp']}') spans | limit: 2 | "
        "sort: _pagination_key DESC | filter: created >= NOW() - INTERVAL 259200 SECOND"
    )
    seen, cursor = [], None
    for _ in range(5):
        res = btql(api, q + (f' | cursor: "{cursor}"' if cursor else ""))
        assert res.status_code == 200, res.text
        body = res.json()
        seen += [r["id"] for r in body["data"]]
        cursor = body.get("cursor")
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 5


def test_offset_cursor_for_sorted_queries(api, data):
    q = f"SELECT id FROM experiment('{data['exp']}') ORDER BY id LIMIT 2"
    first = btql(api, q).json()
    second = btql(api, q + f" OFFSET '{first['cursor']}'").json()
    third = btql(api, q + f" OFFSET '{second['cursor']}'").json()
    ids = [r["id"] for page in (first, second, third) for r in page["data"]]
    assert ids == sorted(ids) and len(ids) == 5 and third["cursor"] is None


def test_json_tree_from_the_sdk(api, data):
    tree = {
        "select": [{"op": "star"}],
        "from": {
            "op": "function",
            "name": {"op": "ident", "name": ["experiment"]},
            "args": [{"op": "literal", "value": data["exp"]}],
        },
        "filter": {
            "op": "ne",
            "left": {"op": "ident", "name": ["span_parents"]},
            "right": {"op": "literal", "value": None},
        },
        "cursor": None,
        "limit": 100,
    }
    res = btql(api, tree, use_columnstore=False, brainstore_realtime=True, query_source="py_sdk")
    assert res.status_code == 200, res.text
    assert len(res.json()["data"]) == 2


def test_formats(api, data):
    q = f"SELECT id, metadata FROM experiment('{data['exp']}') WHERE is_root"
    lines = btql(api, q, fmt="jsonl").text.strip().split("\n")
    assert len(lines) == 3 and all("metadata" in json.loads(line) for line in lines)
    res = btql(api, q, fmt="parquet")
    assert res.status_code == 200
    table = pq.read_table(io.BytesIO(res.content))
    assert table.num_rows == 3 and table.column_names == ["id", "metadata"]
    assert btql(api, q, fmt="csv").status_code == 400
    star = btql(api, f"SELECT * FROM experiment('{data['exp']}', shape => 'summary')", fmt="parquet")
    assert star.status_code == 200 and pq.read_table(io.BytesIO(star.content)).num_rows == 3


def test_errors_say_where(api, data):
    res = btql(api, f"SELECT id\nFROM experiment('{data['exp']}')\nWHERE bogus.x = 1")
    assert res.status_code == 400
    assert res.json()["error"]["message"].startswith("line 3, column 7: unknown field 'bogus'")
    res = btql(api, "SELECT id FROM experiment('nope')")
    assert res.status_code == 404 and "no such experiment" in res.json()["error"]["message"]
    res = btql(api, "SELECT id FROM experiment('x') WHERE (a = ")
    assert res.status_code == 400 and "syntax error" in res.json()["error"]["message"]
    res = btql(api, "SELEC id")
    assert res.status_code == 400 and "only SELECT" in res.json()["error"]["message"]


def test_any_span_in_summary_filters(api, data):
    q = (
        f"SELECT input FROM experiment('{data['exp']}', shape => 'summary') "
        "WHERE any_span(span_attributes.type = 'score' AND scores.acc = 0)"
    )
    res = btql(api, q)
    assert res.status_code == 200, res.text
    assert res.json()["data"] == [{"input": "c"}]
    res = btql(
        api, f"SELECT input FROM experiment('{data['exp']}', shape => 'summary') WHERE any_span(count(*) > 1)"
    )
    assert res.status_code == 400


def test_compare_gives_each_test_case_the_baseline_scores(api, data):
    """`compare =>` matches test cases (by input here) and orders by the change of a score."""
    res = btql(
        api,
        "SELECT input, scores.acc - comparison_scores.acc AS change, comparison_scores.acc AS before "
        f"FROM experiment('{data['exp']}', shape => 'summary', compare => 'second') "
        "ORDER BY change ASC NULLS LAST, input",
    )
    assert res.status_code == 200, res.text
    rows = res.json()["data"]
    assert rows[0] == {"input": "c", "change": pytest.approx(0.5 - 0.25), "before": 0.25}
    assert [r["change"] for r in rows[1:]] == [None, None]  # not in the baseline
    err = btql(api, f"SELECT * FROM experiment('{data['exp']}', compare => 'second')")
    assert err.status_code == 400 and "shape => 'summary'" in err.text
    missing = btql(api, f"SELECT * FROM experiment('{data['exp']}', shape => 'summary', compare => 'nope')")
    assert missing.status_code == 404 and "nope" in missing.text


def test_version_pins_or_is_refused(api, data):
    """The SDK pins reads with `version`; a query answers only when that is the current state."""
    latest = max(
        e["_xact_id"] for e in api.post(f"/v1/experiment/{data['exp']}/fetch", json={}).json()["events"]
    )
    query = f"SELECT count(*) AS n FROM experiment('{data['exp']}')"
    ok = api.post("/btql", json={"query": query, "version": latest})
    assert ok.status_code == 200 and ok.json()["data"] == [{"n": 5}]
    old = api.post("/btql", json={"query": query, "version": str(int(latest) - 1)})
    assert old.status_code == 400 and "only a plain read" in old.text
    bad = api.post("/btql", json={"query": query, "version": "yesterday"})
    assert bad.status_code == 400 and "version" in bad.text

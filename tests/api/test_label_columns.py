"""Classifier and facet results as table columns (docs/scoring.md, "In the table"): a trace row
carries the `classifications` and `facets` of its spans, merged; the table lists their names;
`classifications.<name>.label` filters, sorts and groups as one text; the query language reads
both on trace rows and on spans. On each backend (`api` runs on DuckDB and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def _classifier_span(root: str, name: str, items: list[dict[str, Any]], n: int = 0) -> dict[str, Any]:
    sid = f"{root}-{name}-{n}"
    return {
        "id": sid,
        "span_id": sid,
        "root_span_id": root,
        "span_parents": [root],
        "span_attributes": {"name": name, "type": "classifier", "purpose": "scorer"},
        "classifications": {name: items},
    }


@pytest.fixture
def labelled(api: Api) -> dict[str, str]:
    """Five traces: sentiment labels (one trace with two, one with none), a Task facet on two."""
    pid = ok(api.post("/v1/project", json={"name": "labels"}))["id"]
    eid = ok(api.post("/v1/experiment", json={"project_id": pid, "name": "e"}))["id"]
    rows: list[dict[str, Any]] = []
    sentiment = {
        "t0": [{"id": "pos", "label": "Positive"}],
        "t1": [{"id": "neg", "label": "Negative"}],
        "t2": [{"id": "pos", "label": "Positive"}],
        "t3": [{"id": "neg", "label": "Negative", "metadata": {"p": 0.6}}],
    }
    for i in range(5):
        root = f"t{i}"
        rows.append(
            {"id": root, "span_id": root, "root_span_id": root, "input": f"q{i}", "scores": {"acc": i / 4}}
        )
        if root in sentiment:
            rows.append(_classifier_span(root, "sentiment", sentiment[root]))
    # t3 is classified again (a second span, e.g. another classifier version): items add up in order.
    rows.append(_classifier_span("t3", "sentiment", [{"id": "angry"}], n=1))
    # Facets: a summary per trace; a later span's summary replaces an earlier one's.
    for root, text in (
        ("t0", "wants a refund"),
        ("t1", "asks about shipping"),
        ("t1", "asks about delivery"),
    ):
        sid = f"{root}-facet-{len(rows)}"
        rows.append(
            {
                "id": sid,
                "span_id": sid,
                "root_span_id": root,
                "span_parents": [root],
                "span_attributes": {"name": "Task", "type": "facet", "purpose": "scorer"},
                "facets": {"Task": text},
            }
        )
    for row in rows:
        ok(api.post(f"/v1/experiment/{eid}/insert", json={"events": [row]}))
    return {"eid": eid}


def _table(api: Api, eid: str, **body: Any) -> list[dict[str, Any]]:
    return ok(api.post(f"/v1/experiment/{eid}/table", json={"limit": 100, **body}))["rows"]


def test_trace_rows_carry_their_spans_labels_and_the_fields_list_them(api: Api, labelled: dict) -> None:
    eid = labelled["eid"]
    fields = ok(api.get(f"/v1/experiment/{eid}/table/fields"))
    assert fields["classifications"] == ["sentiment"] and fields["facets"] == ["Task"]
    rows = {r["id"]: r for r in _table(api, eid)}
    assert rows["t0"]["classifications"] == {"sentiment": [{"id": "pos", "label": "Positive"}]}
    assert rows["t3"]["classifications"]["sentiment"] == [
        {"id": "neg", "label": "Negative", "metadata": {"p": 0.6}},
        {"id": "angry"},
    ]
    assert rows["t4"]["classifications"] is None and rows["t4"]["facets"] is None
    assert rows["t0"]["facets"] == {"Task": "wants a refund"}
    assert rows["t1"]["facets"] == {"Task": "asks about delivery"}  # the last one written


def test_filters_on_labels_and_facets(api: Api, labelled: dict) -> None:
    eid = labelled["eid"]

    def ids(*filters: Any) -> set[str]:
        return {r["id"] for r in _table(api, eid, filters=list(filters))}

    label = "classifications.sentiment.label"
    assert ids({"column": label, "op": "=", "value": "Positive"}) == {"t0", "t2"}
    assert ids({"column": label, "op": "!=", "value": "Positive"}) == {"t1", "t3"}
    assert ids({"column": label, "op": "contains", "value": "angry"}) == {
        "t3"
    }  # a label falls back to its id
    assert ids({"column": label, "op": "in", "value": ["Negative", "Positive"]}) == {"t0", "t1", "t2"}
    assert ids({"column": label, "op": "is null"}) == {"t4"}
    assert ids({"column": "classifications.sentiment.id", "op": "=", "value": "neg, angry"}) == {"t3"}
    assert ids("classifications.sentiment[0].label = 'Negative'") == {"t1", "t3"}  # the reference's path
    assert ids({"column": "facets.Task", "op": "contains", "value": "REFUND"}) == {"t0"}
    assert ids("facets.Task IS NOT NULL AND scores.acc > 0.1") == {"t1"}


def test_sort_and_group_by_a_classification(api: Api, labelled: dict) -> None:
    eid = labelled["eid"]
    label = "classifications.sentiment.label"
    rows = _table(api, eid, sort=[{"column": label, "nulls_last": True}, {"column": "id"}])
    assert [r["id"] for r in rows] == ["t1", "t3", "t0", "t2", "t4"]  # Negative, "Negative, angry", Positive…
    groups = ok(api.post(f"/v1/experiment/{eid}/table/groups", json={"group_by": label}))["groups"]
    found = {g["group"]: (g["count"], g["scores"]["acc"]) for g in groups}
    assert found == {
        None: (1, 1.0),
        "Negative": (1, 0.25),
        "Negative, angry": (1, 0.75),
        "Positive": (2, 0.25),
    }


def test_the_query_language_reads_labels_on_traces_and_spans(api: Api, labelled: dict) -> None:
    eid = labelled["eid"]

    def sql(query: str) -> list[dict[str, Any]]:
        return ok(api.post("/btql", json={"query": query}))["data"]

    traces = sql(
        f"SELECT id, classifications.sentiment.label AS s, facets.Task AS task "
        f"FROM experiment('{eid}', shape => 'summary') WHERE classifications IS NOT NULL ORDER BY id"
    )
    assert [(r["id"], r["s"], r["task"]) for r in traces] == [
        ("t0", "Positive", "wants a refund"),
        ("t1", "Negative", "asks about delivery"),
        ("t2", "Positive", None),
        ("t3", "Negative, angry", None),
    ]
    counted = sql(
        f"SELECT classifications.sentiment[0].id AS s, count(*) AS n "
        f"FROM experiment('{eid}', shape => 'summary') GROUP BY 1 ORDER BY 1"
    )
    assert [(r["s"], r["n"]) for r in counted] == [(None, 1), ("neg", 2), ("pos", 2)]  # NULL sorts first
    on_spans = sql(
        f"SELECT span_id, classifications.sentiment.label AS s FROM experiment('{eid}') "
        f"WHERE classifications.sentiment.label IS NOT NULL ORDER BY span_id"
    )
    assert [r["s"] for r in on_spans] == ["Positive", "Negative", "Positive", "Negative", "angry"]
    star = sql(f"SELECT * FROM experiment('{eid}', shape => 'summary') WHERE id = 't0'")
    assert star[0]["classifications"] == {"sentiment": [{"id": "pos", "label": "Positive"}]}


def test_a_label_path_with_quotes_is_a_400(api: Api, labelled: dict) -> None:
    response = api.post(
        f"/v1/experiment/{labelled['eid']}/table",
        json={"filters": [{"column": 'classifications."a\\"b".label', "op": "=", "value": "x"}]},
    )
    assert response.status_code == 400, response.text

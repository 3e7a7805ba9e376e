"""Writes that used to change data silently: feedback creating the row it is about, a string
`_object_delete` deleting, and a trace with a parent cycle shown with a null id."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api


@pytest.fixture
def exp(api: Api) -> dict[str, Any]:
    project = api.post("/v1/project", json={"name": "silent"}).json()
    experiment = api.post("/v1/experiment", json={"project_id": project["id"], "name": "e"}).json()
    row = {"id": "seed", "experiment_id": experiment["id"], "input": 1, "scores": {"s": 0.5}}
    assert api.post("/logs3", json={"rows": [row]}).status_code == 200
    return experiment


def events(api: Api, exp: dict[str, Any]) -> list[dict[str, Any]]:
    response = api.get(f"/v1/experiment/{exp['id']}/fetch")
    assert response.status_code == 200, response.text
    return response.json()["events"]


def assert_error(response: Any, status: int, *words: str) -> None:
    assert response.status_code == status, response.text
    message = response.json()["error"]["message"]
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"


@pytest.mark.parametrize(
    "item",
    [
        {"id": "ghost", "scores": {"s": 1}},
        {"id": "ghost", "comment": "looks wrong"},
        {"id": "ghost", "metadata": {"reviewed": True}, "comment": "both"},
        {"id": "ghost"},
    ],
)
def test_feedback_on_a_missing_row_is_404_and_writes_nothing(
    api: Api, exp: dict[str, Any], item: dict[str, Any]
) -> None:
    before = events(api, exp)
    version = api.get(f"/v1/experiment/{exp['id']}/summarize").json()
    body = {"feedback": [{"id": "seed", "scores": {"s": 1}, "comment": "fine"}, item]}
    response = api.post(f"/v1/experiment/{exp['id']}/feedback", json=body)
    assert_error(response, 404, "'ghost'", exp["id"])
    assert events(api, exp) == before  # neither the ghost row nor the valid first item
    assert api.get(f"/v1/experiment/{exp['id']}/summarize").json() == version


def test_feedback_on_an_existing_row_still_merges_and_comments(api: Api, exp: dict[str, Any]) -> None:
    body = {"feedback": [{"id": "seed", "scores": {"s": 1}, "comment": "fine"}]}
    assert api.post(f"/v1/experiment/{exp['id']}/feedback", json=body).status_code == 200
    (row,) = events(api, exp)
    assert row["scores"] == {"s": 1}
    assert [c["comment"]["text"] for c in row["comments"]] == ["fine"]


def test_feedback_on_a_deleted_row_is_404(api: Api, exp: dict[str, Any]) -> None:
    gone = {"id": "seed", "experiment_id": exp["id"], "_object_delete": True}
    assert api.post("/logs3", json={"rows": [gone]}).status_code == 200
    response = api.post(
        f"/v1/experiment/{exp['id']}/feedback", json={"feedback": [{"id": "seed", "tags": ["x"]}]}
    )
    assert_error(response, 404, "'seed'")
    assert events(api, exp) == []


@pytest.mark.parametrize("flag", ["_object_delete", "_is_merge"])
@pytest.mark.parametrize("value", ["yes", "false", 1, 0, [], {}])
def test_control_flags_must_be_booleans(api: Api, exp: dict[str, Any], flag: str, value: Any) -> None:
    before = events(api, exp)
    row = {"id": "seed", "experiment_id": exp["id"], flag: value}
    assert_error(api.post("/logs3", json={"rows": [row]}), 400, "row 0", flag, "true or false")
    insert = {"events": [{"id": "seed", flag: value}]}
    assert_error(api.post(f"/v1/experiment/{exp['id']}/insert", json=insert), 400, "row 0", flag)
    assert events(api, exp) == before


def test_boolean_object_delete_still_deletes(api: Api, exp: dict[str, Any]) -> None:
    keep = {"id": "seed", "experiment_id": exp["id"], "_object_delete": False, "input": 2}
    assert api.post("/logs3", json={"rows": [keep]}).status_code == 200
    assert [e["input"] for e in events(api, exp)] == [2]
    gone = {"id": "seed", "experiment_id": exp["id"], "_object_delete": True}
    assert api.post("/logs3", json={"rows": [gone]}).status_code == 200
    assert events(api, exp) == []


def span(exp: dict[str, Any], span_id: str, parents: list[str] | None, **fields: Any) -> dict[str, Any]:
    return {
        "id": span_id,
        "experiment_id": exp["id"],
        "span_id": span_id,
        "root_span_id": fields.pop("root", "trace"),
        "span_parents": parents,
        **fields,
    }


def trace_rows(api: Api, exp: dict[str, Any]) -> list[dict[str, Any]]:
    page = api.post(f"/v1/experiment/{exp['id']}/table", json={"row_type": "traces", "limit": 100})
    assert page.status_code == 200, page.text
    rows: list[dict[str, Any]] = page.json()["rows"]
    return rows


def test_cyclic_trace_without_root_shows_a_deterministic_stand_in_root(api: Api, exp: dict[str, Any]) -> None:
    """Spans `b` and `c` name each other as parents and no span is a root. The trace's summary
    row takes the first-written span as its root: never a null id."""
    rows = [
        span(exp, "b", ["c"], input="from b", scores={"q": 1}),
        span(exp, "c", ["b"], input="from c", scores={"q": 0}),
    ]
    assert api.post("/logs3", json={"rows": rows}).status_code == 200
    traces = {r["id"]: r for r in trace_rows(api, exp)}
    assert None not in traces
    assert set(traces) == {"seed", "b"}
    assert traces["b"]["input"] == "from b"
    assert traces["b"]["scores"] == {"q": 0.5}  # the mean over both spans, as for any trace
    query = api.post(
        "/btql", json={"query": f"SELECT id, input FROM experiment('{exp['id']}', shape => 'summary')"}
    )
    assert query.status_code == 200, query.text
    assert sorted(r["id"] for r in query.json()["data"]) == ["b", "seed"]
    summary = api.get(f"/v1/experiment/{exp['id']}/summarize").json()
    assert summary["scores"]["q"]["score"] == pytest.approx(0.5)


def test_stand_in_root_prefers_the_span_named_by_root_span_id(api: Api, exp: dict[str, Any]) -> None:
    rows = [
        span(exp, "x", ["trace"], root="trace"),
        span(exp, "trace", ["x"], root="trace", input="the named root"),
    ]
    assert api.post("/logs3", json={"rows": rows}).status_code == 200
    traces = {r["id"]: r for r in trace_rows(api, exp)}
    assert traces["trace"]["input"] == "the named root"
    assert "x" not in traces


def test_a_real_root_wins_once_it_arrives(api: Api, exp: dict[str, Any]) -> None:
    child = span(exp, "child", ["root"], root="root", input="child")
    assert api.post("/logs3", json={"rows": [child]}).status_code == 200
    assert "child" in {r["id"] for r in trace_rows(api, exp)}  # the root is not logged yet
    root = span(exp, "root", None, root="root", input="root")
    assert api.post("/logs3", json={"rows": [root]}).status_code == 200
    traces = {r["id"]: r for r in trace_rows(api, exp)}
    assert traces["root"]["input"] == "root" and "child" not in traces

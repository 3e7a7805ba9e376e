"""The trace view's API in process: skeleton (order, parent indexes, cost, cycles), span detail with
score explanations, search, whole spans by page, datasets and project logs, and bad requests."""

from __future__ import annotations

from typing import Any

from tests.query.helpers import log, make_experiment, make_project


def span(oid: str, sid: str, parent: str | None, start: float, **fields: Any) -> dict[str, Any]:
    row = {
        "id": f"row-{sid}",
        "span_id": sid,
        "root_span_id": "root",
        "experiment_id": oid,
        "metrics": {"start": start, "end": start + 1, **fields.pop("metrics", {})},
        "span_attributes": {"name": sid, "type": fields.pop("type", "function")},
        **fields,
    }
    if parent:
        row["span_parents"] = [parent]
    return row


def agent_trace(eid: str) -> list[dict[str, Any]]:
    return [
        span(eid, "root", None, 10.0, type="eval", input="capital of France?", output="Paris"),
        span(
            eid,
            "llm2",
            "root",
            13.0,
            type="llm",
            output="second call",
            metrics={"prompt_tokens": 5, "completion_tokens": 2, "tokens": 7},
            metadata={"model": "gpt-4o-mini"},
        ),
        span(
            eid,
            "llm1",
            "root",
            11.0,
            type="llm",
            input=[{"role": "user", "content": "needle here"}],
            metrics={"prompt_tokens": 10, "completion_tokens": 3, "tokens": 13},
        ),
        span(eid, "tool", "llm1", 12.0, type="tool", error="Traceback: boom"),
        span(
            eid,
            "judge",
            "root",
            14.0,
            type="score",
            scores={"Factuality": 0.5},
            output={"choice": "B"},
            metadata={"rationale": "Partly right: names the city, not the country."},
        ),
    ]


def test_skeleton_lists_every_span_in_start_order_with_parent_indexes(api) -> None:
    eid = make_experiment(api, make_project(api), "e")
    log(api, agent_trace(eid))
    res = api.get(f"/v1/experiment/{eid}/trace/root")
    assert res.status_code == 200, res.text
    body = res.json()
    cols = body["spans"]
    assert body["span_count"] == 5 and body["truncated"] is False
    assert cols["span_id"] == ["root", "llm1", "tool", "llm2", "judge"]  # by metrics.start
    ids = cols["span_id"]
    assert [ids[p] if p >= 0 else None for p in cols["parent"]] == [None, "root", "llm1", "root", "root"]
    assert cols["type"] == ["eval", "llm", "tool", "llm", "score"]
    assert cols["error"] == [False, False, True, False, False]
    assert cols["tokens"][1] == 13 and cols["prompt_tokens"][3] == 5
    assert cols["cost"][3] is not None and cols["cost"][3] > 0  # priced from the model and tokens
    assert cols["scores"][4] == {"Factuality": 0.5}
    assert cols["start"][0] == 10.0 and cols["end"][0] == 11.0
    assert "input" not in cols and "output" not in cols  # no payloads in the skeleton


def test_span_detail_carries_fields_and_score_explanations(api) -> None:
    eid = make_experiment(api, make_project(api), "e")
    log(api, agent_trace(eid))
    res = api.get(f"/v1/experiment/{eid}/trace/root/span/root")
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["span"]["input"] == "capital of France?" and body["span"]["output"] == "Paris"
    (judge,) = body["score_spans"]
    assert judge["name"] == "judge" and judge["scores"] == {"Factuality": 0.5}
    assert judge["metadata"]["rationale"].startswith("Partly right")
    tool = api.get(f"/v1/experiment/{eid}/trace/root/span/tool").json()
    assert tool["span"]["error"] == "Traceback: boom" and tool["score_spans"] == []


def test_search_finds_spans_by_payload_and_name_and_escapes_wildcards(api) -> None:
    eid = make_experiment(api, make_project(api), "e")
    log(api, agent_trace(eid))
    found = api.get(f"/v1/experiment/{eid}/trace/root/search", params={"q": "NEEDLE"}).json()
    assert found["span_ids"] == ["llm1"]
    assert api.get(f"/v1/experiment/{eid}/trace/root/search", params={"q": "judge"}).json()["span_ids"] == [
        "judge"
    ]
    assert api.get(f"/v1/experiment/{eid}/trace/root/search", params={"q": "%"}).json()["span_ids"] == []


def test_spans_page_returns_whole_spans_in_order(api) -> None:
    eid = make_experiment(api, make_project(api), "e")
    log(api, agent_trace(eid))
    page = api.get(f"/v1/experiment/{eid}/trace/root/spans", params={"offset": 1, "limit": 2}).json()
    assert page["total"] == 5 and page["offset"] == 1
    assert [s["span_id"] for s in page["spans"]] == ["llm1", "tool"]
    assert page["spans"][0]["input"] == [{"role": "user", "content": "needle here"}]
    llm = api.get(f"/v1/experiment/{eid}/trace/root/spans", params={"type": ["llm"]}).json()
    assert llm["total"] == 2 and [s["span_id"] for s in llm["spans"]] == ["llm1", "llm2"]


def test_a_parent_cycle_becomes_top_level_spans(api) -> None:
    eid = make_experiment(api, make_project(api), "e")
    log(api, [span(eid, "root", None, 1.0), span(eid, "a", "b", 2.0), span(eid, "b", "a", 3.0)])
    cols = api.get(f"/v1/experiment/{eid}/trace/root").json()["spans"]
    parent = dict(zip(cols["span_id"], cols["parent"], strict=True))
    # Following parents from any span ends at the top level.
    for start in cols["span_id"]:
        seen, node = set(), cols["span_id"].index(start)
        while node >= 0:
            assert node not in seen
            seen.add(node)
            node = cols["parent"][node]
    assert parent["root"] == -1


def test_datasets_and_project_logs_have_traces_too(api) -> None:
    pid = make_project(api)
    ds = api.post("/v1/dataset", json={"project_id": pid, "name": "d"}).json()["id"]
    log(api, [{"id": "r1", "span_id": "s1", "root_span_id": "s1", "dataset_id": ds, "input": "q"}])
    assert api.get(f"/v1/dataset/{ds}/trace/s1").json()["spans"]["span_id"] == ["s1"]
    log(
        api,
        [
            {
                "id": "l1",
                "span_id": "t1",
                "root_span_id": "t1",
                "project_id": pid,
                "log_id": "g",
                "input": "hello",
            }
        ],
    )
    detail = api.get(f"/v1/project_logs/{pid}/trace/t1/span/t1").json()
    assert detail["span"]["input"] == "hello"


def test_bad_requests_get_precise_4xx(api) -> None:
    eid = make_experiment(api, make_project(api), "e")
    log(api, agent_trace(eid))
    assert api.get(f"/v1/experiment/{eid}/trace/missing").status_code == 404
    assert api.get(f"/v1/experiment/{eid}/trace/root/span/missing").status_code == 404
    assert api.get("/v1/experiment/00000000-0000-0000-0000-000000000000/trace/root").status_code == 404
    assert api.get(f"/v1/widgets/{eid}/trace/root").status_code == 400
    assert api.get(f"/v1/experiment/{eid}/trace/root/search", params={"q": ""}).status_code == 400
    assert api.get(f"/v1/experiment/{eid}/trace/root/spans", params={"limit": 5000}).status_code == 400
    assert (
        api.get(f"/v1/experiment/{eid}/trace/root", headers={"Authorization": "Bearer nope"}).status_code
        == 401
    )


def test_span_names_by_id(api) -> None:
    eid = make_experiment(api, make_project(api), "e")
    log(api, agent_trace(eid))
    res = api.post(f"/v1/experiment/{eid}/span_names", json={"span_ids": ["llm1", "judge", "nope", "llm1"]})
    assert res.status_code == 200, res.text
    assert res.json()["names"] == {
        "llm1": {"name": "llm1", "type": "llm"},
        "judge": {"name": "judge", "type": "score"},
    }
    assert api.post(f"/v1/experiment/{eid}/span_names", json={"span_ids": ["x"] * 1001}).status_code == 400

"""Projects, experiments and datasets through the REST API (in-process client, real DuckDB file)."""

from __future__ import annotations

import json

from tests.conftest import Api


def make_project(api: Api, name: str = "p") -> dict:
    resp = api.post("/v1/project", json={"name": name})
    assert resp.status_code == 200, resp.text
    return resp.json()


def make_experiment(api: Api, project_id: str, **body: object) -> dict:
    resp = api.post("/v1/experiment", json={"project_id": project_id, **body})
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_login_names_the_org_and_this_server(api: Api) -> None:
    info = api.post("/api/apikey/login").json()["org_info"][0]
    assert info["name"] == "local" and info["api_url"] == "http://testserver"
    assert info["git_metadata"] is None and info["proxy_url"] is None


def test_project_create_is_create_or_get(api: Api) -> None:
    first = make_project(api, "alpha")
    again = make_project(api, "alpha")
    assert again == first
    assert api.get(f"/v1/project/{first['id']}").json()["name"] == "alpha"
    assert [p["name"] for p in api.get("/v1/project").json()["objects"]] == ["alpha"]
    assert api.get("/v1/project", params={"project_name": "nope"}).json()["objects"] == []


def test_experiment_names_and_base(api: Api) -> None:
    project = make_project(api)
    first = make_experiment(api, project["id"], name="run")
    assert first["base_exp_id"] is None and first["public"] is False
    # same name without ensure_new returns the existing experiment unchanged
    assert make_experiment(api, project["id"], name="run")["id"] == first["id"]
    # ensure_new makes a unique name, and the base defaults to the previous experiment
    second = make_experiment(api, project["id"], name="run", ensure_new=True)
    assert second["name"] == "run-1" and second["base_exp_id"] == first["id"]
    generated = make_experiment(api, project["id"], ensure_new=True)
    assert generated["name"].startswith("experiment-") and generated["base_exp_id"] == second["id"]
    base = api.post("/api/base_experiment/get_id", json={"id": second["id"]}).json()
    assert base == {"base_exp_id": first["id"], "base_exp_name": "run"}
    assert api.post("/api/base_experiment/get_id", json={"id": first["id"]}).status_code == 400


def test_experiment_list_filters_and_pages(api: Api) -> None:
    project = make_project(api)
    made = [
        make_experiment(
            api, project["id"], name=f"e{i}", metadata={"env": "test" if i % 2 else "prod", "i": i}
        )
        for i in range(5)
    ]
    listed = api.get("/v1/experiment", params={"project_id": project["id"]}).json()["objects"]
    assert [e["name"] for e in listed] == ["e4", "e3", "e2", "e1", "e0"]  # newest first
    by_meta = api.get(
        "/v1/experiment", params={"project_name": "p", "metadata": json.dumps({"env": "test"})}
    ).json()["objects"]
    assert [e["name"] for e in by_meta] == ["e3", "e1"]
    page = api.get("/v1/experiment", params={"project_id": project["id"], "limit": 2}).json()["objects"]
    after = api.get(
        "/v1/experiment", params={"project_id": project["id"], "limit": 2, "starting_after": page[-1]["id"]}
    ).json()["objects"]
    assert [e["name"] for e in page + after] == ["e4", "e3", "e2", "e1"]
    before = api.get(
        "/v1/experiment", params={"project_id": project["id"], "ending_before": made[2]["id"]}
    ).json()["objects"]
    assert [e["name"] for e in before] == ["e4", "e3"]
    for path in ("/v1/experiment", "/v1/project", "/v1/dataset", "/v1/function", "/v1/role", "/v1/group"):
        none = api.get(path, params={"project_id": project["id"], "limit": 0})
        assert none.status_code == 200 and none.json()["objects"] == [], path  # every list pages alike
        unknown = api.get(path, params={"project_id": project["id"], "starting_after": "no-such-id"})
        assert unknown.status_code == 400 and "cursor" in unknown.text, path
    named = api.get("/v1/experiment", params={"project_name": "p", "experiment_name": "e2"}).json()["objects"]
    assert [e["id"] for e in named] == [made[2]["id"]]


def test_experiment_patch_merges_and_delete_hides(api: Api) -> None:
    project = make_project(api)
    exp = make_experiment(api, project["id"], name="x", metadata={"a": {"b": 1}, "c": 2}, tags=["t"])
    patched = api.patch(
        f"/v1/experiment/{exp['id']}", json={"metadata": {"a": {"d": 3}}, "description": "hi"}
    )
    assert patched.status_code == 200
    assert patched.json()["metadata"] == {"a": {"b": 1, "d": 3}, "c": 2}
    assert patched.json()["description"] == "hi" and patched.json()["tags"] == ["t"]
    assert api.delete(f"/v1/experiment/{exp['id']}").json()["deleted_at"]
    assert api.get(f"/v1/experiment/{exp['id']}").status_code == 404
    assert api.get("/v1/experiment", params={"project_id": project["id"]}).json()["objects"] == []
    # the name is free again
    assert make_experiment(api, project["id"], name="x")["id"] != exp["id"]


def test_a_version_is_a_string_or_an_integer_never_a_boolean_or_a_fraction(api: Api) -> None:
    project = make_project(api)
    exp = make_experiment(api, project["id"], name="v", dataset_version="7")
    for bad in (True, 1.5, [1]):
        for method, path, body in (
            ("PATCH", f"/v1/experiment/{exp['id']}", {"dataset_version": bad}),
            ("POST", "/v1/experiment", {"project_id": project["id"], "dataset_version": bad}),
        ):
            resp = getattr(api, method.lower())(path, json=body)
            assert resp.status_code == 400 and "dataset_version" in resp.text, (bad, resp.text)
    assert api.get(f"/v1/experiment/{exp['id']}").json()["dataset_version"] == "7"
    patched = api.patch(f"/v1/experiment/{exp['id']}", json={"dataset_version": 9})
    assert patched.status_code == 200 and str(patched.json()["dataset_version"]) == "9"


def test_dataset_create_get_and_summarize(api: Api) -> None:
    project = make_project(api)
    ds = api.post("/v1/dataset", json={"project_id": project["id"], "name": "qa"}).json()
    assert api.post("/v1/dataset", json={"project_id": project["id"], "name": "qa"}).json()["id"] == ds["id"]
    inserted = api.post(
        f"/v1/dataset/{ds['id']}/insert", json={"events": [{"input": 1}, {"input": 2}]}
    ).json()
    assert len(inserted["row_ids"]) == 2
    summary = api.get(f"/v1/dataset/{ds['id']}/summarize").json()
    assert summary["data_summary"] == {"total_records": 2} and summary["dataset_name"] == "qa"
    events = api.post(f"/v1/dataset/{ds['id']}/fetch", json={}).json()["events"]
    assert sorted(e["input"] for e in events) == [1, 2]
    assert all(e["span_id"] == e["id"] == e["root_span_id"] for e in events)


def test_insert_feedback_and_summarize_experiment(api: Api) -> None:
    project = make_project(api)
    exp = make_experiment(api, project["id"], name="x")
    ids = api.post(
        f"/v1/experiment/{exp['id']}/insert",
        json={"events": [{"input": "a", "scores": {"s": 0.5}}, {"input": "b", "scores": {"s": 1}}]},
    ).json()["row_ids"]
    resp = api.post(
        f"/v1/experiment/{exp['id']}/feedback",
        json={"feedback": [{"id": ids[0], "scores": {"s": 0}, "comment": "no"}]},
    )
    assert resp.json() == {"status": "success"}
    events = {e["id"]: e for e in api.get(f"/v1/experiment/{exp['id']}/fetch").json()["events"]}
    assert events[ids[0]]["scores"] == {"s": 0.0}
    assert events[ids[0]]["comments"][0]["comment"] == {"text": "no"}
    summary = api.get(f"/v1/experiment/{exp['id']}/summarize").json()
    assert summary["scores"]["s"] == {"name": "s", "score": 0.5, "improvements": 0, "regressions": 0}


def test_version_route_avoids_overflow_uploads(api: Api) -> None:
    body = api.get("/version").json()
    assert "logs3_payload_max_bytes" not in body


def test_summarize_against_a_base_with_no_rows_yet(api: Api) -> None:
    """An experiment whose base nothing was logged to: its own scores, no differences (was a 500)."""
    project = make_project(api)
    base = make_experiment(api, project["id"], name="empty-base")
    exp = api.post(
        "/v1/experiment", json={"project_id": project["id"], "name": "x", "base_exp_id": base["id"]}
    ).json()
    api.post(f"/v1/experiment/{exp['id']}/insert", json={"events": [{"input": "a", "scores": {"s": 0.5}}]})
    res = api.get(f"/v1/experiment/{exp['id']}/summarize")
    assert res.status_code == 200, res.text
    summary = res.json()
    assert summary["comparison_experiment_name"] == "empty-base"
    assert summary["scores"]["s"]["score"] == 0.5 and "diff" not in summary["scores"]["s"]

"""The TypeScript SDK's and `bt`'s routes through the in-process app: shapes, semantics, bad input."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api


def post(api: Api, path: str, body: dict[str, Any], status: int = 200) -> Any:
    resp = api.post(path, json=body)
    assert resp.status_code == status, resp.text
    return resp.json()


def org_id(api: Api) -> str:
    return str(api.post("/api/apikey/login").json()["org_info"][0]["id"])


def test_experiment_register_creates_project_and_new_experiments(api: Api) -> None:
    first = post(
        api,
        "/api/experiment/register",
        {"project_name": "p", "org_id": org_id(api), "experiment_name": "run"},
    )
    assert first["project"]["name"] == "p" and first["experiment"]["name"] == "run"
    assert first["experiment"]["base_exp_id"] is None
    # Without `update` a clash makes a new, renamed experiment whose base is the previous one.
    second = post(api, "/api/experiment/register", {"project_name": "p", "experiment_name": "run"})
    assert second["project"]["id"] == first["project"]["id"]
    assert second["experiment"]["name"] == "run-1"
    assert second["experiment"]["base_exp_id"] == first["experiment"]["id"]
    same = post(
        api, "/api/experiment/register", {"project_name": "p", "experiment_name": "run", "update": True}
    )
    assert same["experiment"]["id"] == first["experiment"]["id"]
    unnamed = post(api, "/api/experiment/register", {"project_id": first["project"]["id"]})
    assert unnamed["experiment"]["name"].startswith("experiment-")
    assert [p["name"] for p in api.get("/v1/project").json()["objects"]] == ["p"]


def test_experiment_register_base_by_name_commit_or_id(api: Api) -> None:
    a = post(
        api,
        "/api/experiment/register",
        {"project_name": "p", "experiment_name": "a", "repo_info": {"commit": "c1"}},
    )
    post(
        api,
        "/api/experiment/register",
        {"project_name": "p", "experiment_name": "b", "repo_info": {"commit": "c9"}},
    )
    by_name = post(
        api, "/api/experiment/register", {"project_name": "p", "experiment_name": "x", "base_experiment": "a"}
    )
    assert by_name["experiment"]["base_exp_id"] == a["experiment"]["id"]
    missing = post(
        api, "/api/experiment/register", {"project_name": "p", "base_experiment": "nope"}, status=400
    )
    assert "base experiment" in missing["error"]["message"]  # the SDK then retries without it
    by_commit = post(
        api, "/api/experiment/register", {"project_name": "p", "ancestor_commits": ["c3", "c2", "c1", "c0"]}
    )
    assert by_commit["experiment"]["base_exp_id"] == a["experiment"]["id"]
    by_id = post(api, "/api/experiment/register", {"project_name": "p", "base_exp_id": a["experiment"]["id"]})
    assert by_id["experiment"]["base_exp_id"] == a["experiment"]["id"]


def test_experiment_register_bad_input(api: Api) -> None:
    assert (
        "project" in post(api, "/api/experiment/register", {"experiment_name": "x"}, 400)["error"]["message"]
    )
    assert post(api, "/api/experiment/register", {"project_id": "nope"}, 404)["error"]["message"]
    post(api, "/api/experiment/register", {"project_name": "p", "org_id": "another-org"}, 400)
    post(api, "/api/experiment/register", {"project_name": "p", "base_exp_id": "nope"}, 404)
    post(api, "/api/experiment/register", {"project_name": "p", "dataset_id": "nope"}, 404)
    post(api, "/api/experiment/register", {"project_name": "", "experiment_name": "x"}, 400)
    assert api.get("/v1/project").json()["objects"] == []  # nothing was created by a refused call


def test_experiment_get_answers_a_bare_array(api: Api) -> None:
    made = post(api, "/api/experiment/register", {"project_name": "p", "experiment_name": "e"})
    found = post(
        api, "/api/experiment/get", {"project_name": "p", "org_name": "local", "experiment_name": "e"}
    )
    assert [e["id"] for e in found] == [made["experiment"]["id"]]
    assert found[0]["project_id"] == made["project"]["id"]
    assert post(api, "/api/experiment/get", {"project_name": "p", "experiment_name": "other"}) == []
    assert post(api, "/api/experiment/get", {"project_name": "no-such-project", "experiment_name": "e"}) == []
    post(api, "/api/experiment/get", {"project_name": "p", "org_name": "elsewhere"}, 400)


def test_dataset_and_project_register(api: Api) -> None:
    ds = post(
        api, "/api/dataset/register", {"project_name": "p", "dataset_name": "golden", "org_id": org_id(api)}
    )
    again = post(api, "/api/dataset/register", {"project_id": ds["project"]["id"], "dataset_name": "golden"})
    assert again["dataset"]["id"] == ds["dataset"]["id"] and ds["dataset"]["name"] == "golden"
    assert post(api, "/api/dataset/register", {"project_name": "p"})["dataset"]["name"] == "logs"
    project = post(api, "/api/project/register", {"project_name": "p"})["project"]
    assert project["id"] == ds["project"]["id"]
    assert post(api, "/api/project/register", {"project_name": "q"})["project"]["name"] == "q"
    post(api, "/api/project/register", {}, 400)
    got = api.get("/api/project", params={"id": project["id"]})
    assert got.status_code == 200 and got.json()["name"] == "p"
    assert api.get("/api/project", params={"id": "nope"}).status_code == 404
    assert api.get("/api/project").status_code == 400


def test_get_object_info(api: Api) -> None:
    ds = post(api, "/api/dataset/register", {"project_name": "p", "dataset_name": "golden"})
    info = post(
        api,
        "/api/self/get_object_info",
        {"object_type": "dataset", "object_ids": [ds["dataset"]["id"], "nope"]},
    )
    assert info == [
        {
            "object_id": ds["dataset"]["id"],
            "object_name": "golden",
            "parent_cols": {"project": {"id": ds["project"]["id"], "name": "p"}},
        }
    ]
    assert post(api, "/api/self/get_object_info", {"object_type": "experiment", "object_ids": ["nope"]}) == []
    post(api, "/api/self/get_object_info", {"object_type": "prompt", "object_ids": []}, 400)


def log(api: Api, rows: list[dict[str, Any]]) -> None:
    assert api.post("/logs3", json={"rows": rows, "api_version": 2}).status_code == 200


def test_experiment_comparison2_compares_only_with_the_given_base(api: Api) -> None:
    a = post(api, "/api/experiment/register", {"project_name": "p", "experiment_name": "a"})["experiment"]
    b = post(api, "/api/experiment/register", {"project_name": "p", "experiment_name": "b"})["experiment"]
    for exp, score in ((a, 0.5), (b, 1.0)):
        log(api, [{"id": "r", "experiment_id": exp["id"], "input": "x", "scores": {"s": score}}])
    alone = api.get("/experiment-comparison2", params={"experiment_id": b["id"]})
    assert alone.status_code == 200, alone.text
    assert alone.json()["scores"] == {"s": {"name": "s", "score": 1.0, "improvements": 0, "regressions": 0}}
    compared = api.get(
        "/experiment-comparison2", params={"experiment_id": b["id"], "base_experiment_id": a["id"]}
    )
    item = compared.json()["scores"]["s"]
    assert item == {"name": "s", "score": 1.0, "improvements": 1, "regressions": 0, "diff": 0.5}
    assert all({"name", "metric", "unit"} <= set(m) for m in compared.json()["metrics"].values())
    assert api.get("/experiment-comparison2", params={"experiment_id": "nope"}).status_code == 404
    assert api.get("/experiment-comparison2").status_code == 400


def test_dataset_summary(api: Api) -> None:
    ds = post(api, "/api/dataset/register", {"project_name": "p", "dataset_name": "d"})["dataset"]
    log(api, [{"id": f"r{i}", "dataset_id": ds["id"], "input": i} for i in range(3)])
    assert api.get("/dataset-summary", params={"dataset_id": ds["id"]}).json() == {"total_records": 3}
    assert api.get("/dataset-summary", params={"dataset_id": "nope"}).status_code == 404


def test_logs3_answers_json(api: Api) -> None:
    ds = post(api, "/api/dataset/register", {"project_name": "p"})["dataset"]
    resp = api.post(
        "/logs3", content=b'{"rows": [], "api_version": 2}', headers={"Content-Type": "application/json"}
    )
    assert resp.status_code == 200 and isinstance(resp.json(), dict)
    resp = api.post(
        "/logs3", json={"rows": [{"id": "a", "dataset_id": ds["id"], "input": 1}], "api_version": 2}
    )
    assert resp.headers["content-type"].startswith("application/json") and resp.json()["row_ids"] == ["a"]


def test_objects_assay_does_not_keep_answer_as_unknown(api: Api) -> None:
    for kind in ("prompt", "function"):
        listed = api.get(f"/v1/{kind}", params={"project_name": "p", "slug": "s"})
        assert listed.status_code == 200 and listed.json() == {"objects": []}
        one = api.get(f"/v1/{kind}/abc")
        assert one.status_code == 404 and kind in one.json()["error"]["message"]
    assert api.post("/function/invoke", json={"function_id": "x"}).status_code == 404
    assert api.post("/api/ai_secret/get", json={"org_id": org_id(api)}).json() == []
    assert api.client.get("/v1/prompt").status_code == 401  # still behind the API key


def test_project_list_filters_by_name(api: Api) -> None:
    for name in ("A", "B"):
        post(api, "/v1/project", {"name": name})
    for key in ("name", "project_name"):
        found = api.get("/v1/project", params={key: "A"}).json()["objects"]
        assert [p["name"] for p in found] == ["A"], key
    assert api.get("/v1/project", params={"name": "C"}).json()["objects"] == []
    assert api.get("/v1/project", params={"name": "A", "project_name": "B"}).status_code == 400

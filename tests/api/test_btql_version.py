"""`/btql` at an older `version`: a plain read replays history, as the fetch routes do."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api


def tree(kind: str, object_id: str, **extra: Any) -> dict[str, Any]:
    source = {
        "op": "function",
        "name": {"op": "ident", "name": [kind]},
        "args": [{"op": "literal", "value": object_id}],
    }
    return {"select": [{"op": "star"}], "from": source, **extra}


def write(api: Api, rows: list[dict[str, Any]]) -> str:
    resp = api.post("/logs3", json={"rows": rows, "api_version": 2})
    assert resp.status_code == 200, resp.text
    return str(resp.json()["xact_id"])


def read_all(api: Api, query: dict[str, Any], version: str, page: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    query = {**query, "limit": page}
    for _ in range(50):
        resp = api.post("/btql", json={"query": query, "version": version})
        assert resp.status_code == 200, resp.text
        rows += resp.json()["data"]
        if not resp.json().get("cursor"):
            return rows
        query["cursor"] = resp.json()["cursor"]
    raise AssertionError("cursor never ended")


def test_dataset_at_each_version(api: Api) -> None:
    project = api.post("/v1/project", json={"name": "p"}).json()["id"]
    ds = api.post("/v1/dataset", json={"project_id": project, "name": "d"}).json()["id"]
    v1 = write(api, [{"id": k, "dataset_id": ds, "input": k, "expected": 1} for k in "abc"])
    v2 = write(api, [{"id": "a", "dataset_id": ds, "_is_merge": True, "expected": 2}])
    v3 = write(
        api,
        [{"id": "b", "dataset_id": ds, "_object_delete": True}, {"id": "d", "dataset_id": ds, "input": "d"}],
    )
    expected = {
        v1: {"a": 1, "b": 1, "c": 1},
        v2: {"a": 2, "b": 1, "c": 1},
        v3: {"a": 2, "c": 1, "d": None},
    }
    for version, want in expected.items():
        for page in (1, 2, 1000):
            rows = read_all(api, tree("dataset", ds), version, page)
            assert {r["id"]: r["expected"] for r in rows} == want, (version, page)
            assert all(r["is_root"] and r["dataset_id"] == ds for r in rows)
        fetched = api.post(f"/v1/dataset/{ds}/fetch", json={"version": version}).json()["events"]
        assert sorted(rows, key=lambda r: r["id"]) == sorted(fetched, key=lambda r: r["id"])
    # A cursor handed out before a write still pages the same pinned state afterwards.
    first = api.post("/btql", json={"query": tree("dataset", ds, limit=1), "version": v1}).json()
    write(api, [{"id": "e", "dataset_id": ds, "input": "e"}])
    rest = read_all(api, tree("dataset", ds, cursor=first["cursor"]), v1, 1)
    assert sorted(r["id"] for r in first["data"] + rest) == ["a", "b", "c"]
    # SQL and pipe text are plain reads too.
    sql = api.post("/btql", json={"query": f"SELECT * FROM dataset('{ds}')", "version": v1}).json()["data"]
    assert sorted(r["id"] for r in sql) == ["a", "b", "c"]


def test_richer_queries_at_an_older_version_are_refused(api: Api) -> None:
    project = api.post("/v1/project", json={"name": "p"}).json()["id"]
    ds = api.post("/v1/dataset", json={"project_id": project, "name": "d"}).json()["id"]
    v1 = write(api, [{"id": "a", "dataset_id": ds, "input": 1}])
    write(api, [{"id": "b", "dataset_id": ds, "input": 2}])
    filtered = tree(
        "dataset",
        ds,
        filter={
            "op": "eq",
            "left": {"op": "ident", "name": ["id"]},
            "right": {"op": "literal", "value": "a"},
        },
    )
    resp = api.post("/btql", json={"query": filtered, "version": v1})
    assert resp.status_code == 400 and "only a plain read" in resp.json()["error"]["message"]
    # At the current version the same query runs as usual.
    latest = api.post(f"/v1/dataset/{ds}/fetch", json={}).json()["events"][0]["_xact_id"]
    now = api.post("/btql", json={"query": filtered, "version": latest})
    assert now.status_code == 200 and [r["id"] for r in now.json()["data"]] == ["a"]
    bad = api.post("/btql", json={"query": tree("dataset", ds, cursor="garbage"), "version": v1})
    assert bad.status_code == 400
    foreign = api.post("/btql", json={"query": tree("dataset", "not-a-dataset"), "version": v1})
    assert foreign.status_code == 404  # an unknown object is not found, as everywhere

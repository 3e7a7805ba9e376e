"""The views API as the reference defines it, and default views with their permissions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assay.server.app import create_app, wrap
from assay.server.settings import Settings
from assay.store import open_store
from tests.conftest import database_url
from tests.team import Person, make_team


@pytest.fixture
def env(
    tmp_path: Path, db_backend: str, request: pytest.FixtureRequest
) -> Iterator[tuple[TestClient, dict[str, Person], str, str]]:
    settings = Settings(data_dir=tmp_path, db_url=database_url(request, db_backend, "views"))
    store = open_store(settings.resolved_db_url())
    team = make_team(store)
    with TestClient(wrap(create_app(settings, store), settings)) as client:
        owner = team["owner"].headers
        a = client.post("/v1/project", json={"name": "a"}, headers=owner).json()["id"]
        b = client.post("/v1/project", json={"name": "b"}, headers=owner).json()["id"]
        yield client, team, a, b
    store.close()


VIEW_DATA = {"search": {"filter": ["metadata.category = 'math'"], "tag": None, "match": ["two"], "sort": []}}
OPTIONS = {
    "columnVisibility": {"input": False},
    "layout": "grid",
    "rowHeight": "tall",
    "queryShape": "traces",
}


def body(project: str, name: str = "Math", **extra: Any) -> dict[str, Any]:
    return {
        "object_type": "project",
        "object_id": project,
        "view_type": "experiment",
        "name": name,
        "view_data": VIEW_DATA,
        "options": OPTIONS,
        **extra,
    }


def test_post_returns_an_existing_view_unchanged_and_put_replaces_it(env) -> None:
    client, team, a, _ = env
    h = team["engineer"].headers
    first = client.post("/v1/view", json=body(a), headers=h).json()
    assert first["view_data"]["search"]["filter"] == VIEW_DATA["search"]["filter"]
    assert first["options"] == OPTIONS and first["user_id"] == team["engineer"].user_id
    again = client.post("/v1/view", json=body(a, options={"layout": "list"}), headers=h).json()
    assert again == first
    replaced = client.put("/v1/view", json=body(a, options={"layout": "list"}), headers=h).json()
    assert replaced["id"] == first["id"] and replaced["options"] == {"layout": "list"}
    other_type = client.post("/v1/view", json=body(a, view_type="experiments"), headers=h).json()
    assert other_type["id"] != first["id"]  # unique per page


def test_list_get_patch_delete(env) -> None:
    client, team, a, b = env
    h = team["owner"].headers
    math = client.post("/v1/view", json=body(a), headers=h).json()
    client.post("/v1/view", json=body(a, "Errors", view_type="experiments"), headers=h)
    client.post("/v1/view", json=body(b, "Elsewhere"), headers=h)
    where = {"object_type": "project", "object_id": a}
    listed = client.get("/v1/view", params={**where, "view_type": "experiment"}, headers=h).json()["objects"]
    assert [v["name"] for v in listed] == ["Math"]
    assert len(client.get("/v1/view", params=where, headers=h).json()["objects"]) == 2
    assert (
        client.get("/v1/view", params={**where, "view_name": "Errors"}, headers=h).json()["objects"][0][
            "name"
        ]
        == "Errors"
    )
    assert client.get(f"/v1/view/{math['id']}", params=where, headers=h).json() == math
    elsewhere = {"object_type": "project", "object_id": b}
    assert client.get(f"/v1/view/{math['id']}", params=elsewhere, headers=h).status_code == 404
    patched = client.patch(
        f"/v1/view/{math['id']}",
        json={**where, "options": {"layout": "list", "grouping": "metadata.x"}},
        headers=h,
    ).json()
    assert patched["options"] == {**OPTIONS, "layout": "list", "grouping": "metadata.x"}  # deep-merged
    assert patched["view_data"] == math["view_data"]
    gone = client.request("DELETE", f"/v1/view/{math['id']}", json=where, headers=h)
    assert gone.status_code == 200 and gone.json()["id"] == math["id"] and gone.json()["deleted_at"]
    assert client.get(f"/v1/view/{math['id']}", params=where, headers=h).status_code == 404


def test_bad_views_get_precise_400s(env) -> None:
    client, team, a, _ = env
    h = team["owner"].headers
    assert client.get("/v1/view", params={"object_id": a}, headers=h).status_code == 400
    res = client.post("/v1/view", json={**body(a), "object_type": "organization"}, headers=h)
    assert res.status_code == 400 and "object_type" in res.json()["error"]["message"]
    assert client.post("/v1/view", json={**body(a), "name": ""}, headers=h).status_code == 400
    assert client.post("/v1/view", json={**body(a), "options": [1]}, headers=h).status_code == 400


def test_viewers_see_views_but_cannot_save_them(env) -> None:
    client, team, a, _ = env
    made = client.post("/v1/view", json=body(a), headers=team["engineer"].headers).json()
    where = {"object_type": "project", "object_id": a}
    viewer = team["viewer"].headers
    assert [v["id"] for v in client.get("/v1/view", params=where, headers=viewer).json()["objects"]] == [
        made["id"]
    ]
    refused = client.post("/v1/view", json=body(a, "Mine"), headers=viewer)
    assert refused.status_code == 403 and "Update permission" in refused.json()["error"]["message"]
    assert client.get("/v1/view", params=where, headers=team["outsider"].headers).status_code == 404


def test_defaults_are_exclusive_per_view_and_need_their_permissions(env) -> None:
    client, team, a, b = env
    owner, engineer = team["owner"].headers, team["engineer"].headers
    view = client.post("/v1/view", json=body(a), headers=engineer).json()
    ref = {"object_type": "project", "object_id": a, "view_type": "experiment"}
    org_default = {**ref, "scope": "organization", "view_id": view["id"]}
    refused = client.put("/v1/view_default", json=org_default, headers=engineer)
    assert refused.status_code == 403 and "Manage settings" in refused.json()["error"]["message"]
    set_org = client.put("/v1/view_default", json=org_default, headers=owner).json()
    assert set_org["organization"]["id"] == view["id"] and set_org["project"] is None
    # the organization default shows in other projects, to those who can read the view
    in_b = client.get("/v1/view_default", params={**ref, "object_id": b}, headers=engineer).json()
    assert in_b["organization"]["id"] == view["id"]
    set_project = client.put(
        "/v1/view_default", json={**org_default, "scope": "project"}, headers=engineer
    ).json()
    assert set_project == {"project": set_project["project"], "organization": None}  # one kind per view
    assert set_project["project"]["id"] == view["id"]
    viewer = client.put(
        "/v1/view_default", json={**org_default, "scope": "project"}, headers=team["viewer"].headers
    )
    assert viewer.status_code == 403
    cleared = client.request(
        "DELETE", "/v1/view_default", json={**ref, "scope": "project"}, headers=engineer
    ).json()
    assert cleared == {"project": None, "organization": None}


def test_the_caller_can_ask_what_they_may_do_on_a_project(env) -> None:
    client, team, a, _ = env
    where = {"object_type": "project", "object_id": a}
    got = {r: client.get("/v1/permissions", params=where, headers=p.headers) for r, p in team.items()}
    assert got["owner"].json()["permissions"] == ["read", "create", "update", "delete", "manage"]
    assert got["engineer"].json()["permissions"] == ["read", "create", "update", "delete"]
    assert got["viewer"].json()["permissions"] == ["read"]
    assert got["outsider"].status_code == 404 and got["anonymous"].status_code == 401

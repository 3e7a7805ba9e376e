"""The reference's access-control routes: grants made through `/v1/acl`, `/v1/role` and
`/v1/group` change what people can do at once, and the built-in parts cannot be changed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assay.model.access import ENGINEER_ROLE, OWNER_ROLE, VIEWER_ROLE
from assay.server.app import create_app, wrap
from assay.server.settings import Settings
from assay.store import open_store
from tests.conftest import database_url
from tests.team import Person, make_team


@pytest.fixture
def env(
    tmp_path: Path, db_backend: str, request: pytest.FixtureRequest
) -> Iterator[tuple[TestClient, dict[str, Person], str]]:
    settings = Settings(data_dir=tmp_path, db_url=database_url(request, db_backend, "acls"))
    store = open_store(settings.resolved_db_url())
    team = make_team(store)
    with TestClient(wrap(create_app(settings, store), settings)) as client:
        project = client.post("/v1/project", json={"name": "a"}, headers=team["owner"].headers).json()["id"]
        yield client, team, project
    store.close()


def ok(res: Any) -> Any:
    assert res.status_code == 200, res.text
    return res.json()


def test_a_grant_to_a_user_opens_the_project_and_revoking_it_closes_it_at_once(
    env: tuple[TestClient, dict[str, Person], str],
) -> None:
    client, team, project = env
    owner, outsider = team["owner"].headers, team["outsider"]
    assert client.get(f"/v1/project/{project}", headers=outsider.headers).status_code == 404
    grant = {
        "object_type": "project",
        "object_id": project,
        "user_id": outsider.user_id,
        "permission": "read",
    }
    acl = ok(client.post("/v1/acl", json=grant, headers=owner))
    assert {k: acl[k] for k in grant} == grant and acl["_object_org_id"]
    assert ok(client.post("/v1/acl", json=grant, headers=owner))["id"] == acl["id"]  # identical: returned
    assert ok(client.get(f"/v1/project/{project}", headers=outsider.headers))["id"] == project
    assert (
        client.patch(
            f"/v1/project/{project}", json={"description": "x"}, headers=outsider.headers
        ).status_code
        == 403
    )
    listed = ok(client.get("/v1/acl", params={"object_type": "project", "object_id": project}, headers=owner))
    assert [a["id"] for a in listed["objects"]] == [acl["id"]]
    assert acl["id"] in {a["id"] for a in ok(client.get("/v1/acl/list_org", headers=owner))["objects"]}
    ok(client.delete(f"/v1/acl/{acl['id']}", headers=owner))
    assert client.get(f"/v1/project/{project}", headers=outsider.headers).status_code == 404
    assert client.get(f"/v1/acl/{acl['id']}", headers=owner).status_code == 404


def test_a_role_granted_to_a_custom_group_follows_group_membership(
    env: tuple[TestClient, dict[str, Person], str],
) -> None:
    client, team, project = env
    owner, outsider = team["owner"].headers, team["outsider"]
    role = ok(
        client.post(
            "/v1/role",
            json={
                "name": "Editors",
                "member_permissions": [{"permission": "update"}],
                "member_roles": [VIEWER_ROLE.id],
            },
            headers=owner,
        )
    )
    group = ok(
        client.post(
            "/v1/group", json={"name": "Reviewers", "member_users": [outsider.user_id]}, headers=owner
        )
    )
    assert ok(client.post("/v1/group", json={"name": "Reviewers"}, headers=owner))["id"] == group["id"]
    ok(
        client.post(
            "/v1/acl",
            json={
                "object_type": "project",
                "object_id": project,
                "group_id": group["id"],
                "role_id": role["id"],
            },
            headers=owner,
        )
    )
    patched = client.patch(f"/v1/project/{project}", json={"description": "edited"}, headers=outsider.headers)
    assert ok(patched)["description"] == "edited"  # update from the role, read from the role it inherits
    ok(
        client.patch(
            f"/v1/group/{group['id']}", json={"remove_member_users": [outsider.user_id]}, headers=owner
        )
    )
    assert client.get(f"/v1/project/{project}", headers=outsider.headers).status_code == 404


def test_batch_update_is_idempotent_and_checks_every_item_first(
    env: tuple[TestClient, dict[str, Person], str],
) -> None:
    client, team, project = env
    owner = team["owner"].headers
    grant = {
        "object_type": "project",
        "object_id": project,
        "user_id": team["outsider"].user_id,
        "permission": "read",
    }
    first = ok(client.post("/v1/acl/batch_update", json={"add_acls": [grant, grant]}, headers=owner))
    assert len({a["id"] for a in first["added_acls"]}) == 1
    bad = {**grant, "user_id": "not-a-member"}
    assert (
        client.post(
            "/v1/acl/batch_update", json={"remove_acls": [grant], "add_acls": [bad]}, headers=owner
        ).status_code
        == 404
    )
    params = {"object_type": "project", "object_id": project}
    assert len(ok(client.get("/v1/acl", params=params, headers=owner))["objects"]) == 1  # nothing removed
    removed = ok(client.post("/v1/acl/batch_update", json={"remove_acls": [grant, grant]}, headers=owner))
    assert len(removed["removed_acls"]) == 1
    assert ok(client.get("/v1/acl", params=params, headers=owner))["objects"] == []
    assert client.request("DELETE", "/v1/acl", json=grant, headers=owner).status_code == 404


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"user_id": "u", "group_id": "g"}, "exactly one of user_id and group_id"),
        ({"permission": None}, "exactly one of permission and role_id"),
        ({"object_type": "prompt"}, "does not keep prompt objects"),
        ({"permission": "approve"}, "permission"),
    ],
)
def test_malformed_grants_are_refused_precisely(
    env: tuple[TestClient, dict[str, Person], str], change: dict[str, Any], message: str
) -> None:
    client, team, project = env
    grant = {
        "object_type": "project",
        "object_id": project,
        "user_id": team["viewer"].user_id,
        "permission": "read",
    }
    res = client.post("/v1/acl", json={**grant, **change}, headers=team["owner"].headers)
    assert res.status_code == 400, res.text
    assert message in res.text


def test_system_roles_and_built_in_groups_are_used_never_changed(
    env: tuple[TestClient, dict[str, Person], str],
) -> None:
    client, team, _ = env
    owner = team["owner"].headers
    roles = ok(client.get("/v1/role", headers=team["viewer"].headers))["objects"]
    system = {r["name"]: r for r in roles if r["org_id"] is None}
    assert {n: r["id"] for n, r in system.items()} == {
        "Owner": OWNER_ROLE.id,
        "Engineer": ENGINEER_ROLE.id,
        "Viewer": VIEWER_ROLE.id,
    }
    assert [p["permission"] for p in system["Viewer"]["member_permissions"]] == ["read"]
    assert client.patch(f"/v1/role/{VIEWER_ROLE.id}", json={"name": "x"}, headers=owner).status_code == 400
    assert client.delete(f"/v1/role/{OWNER_ROLE.id}", headers=owner).status_code == 400
    groups = {g["name"]: g for g in ok(client.get("/v1/group", headers=owner))["objects"]}
    assert {"Owners", "Engineers", "Viewers"} <= set(groups)
    assert team["viewer"].user_id in groups["Viewers"]["member_users"]
    assert client.delete(f"/v1/group/{groups['Owners']['id']}", headers=owner).status_code == 400
    assert (
        client.patch(
            f"/v1/group/{groups['Viewers']['id']}", json={"name": "Readers"}, headers=owner
        ).status_code
        == 400
    )
    assert (
        ok(client.get("/v1/group", params={"group_name": "Viewers"}, headers=owner))["objects"][0]["name"]
        == "Viewers"
    )


def test_deleting_a_group_removes_its_grants(env: tuple[TestClient, dict[str, Person], str]) -> None:
    client, team, project = env
    owner, outsider = team["owner"].headers, team["outsider"]
    group = ok(
        client.post("/v1/group", json={"name": "Temp", "member_users": [outsider.user_id]}, headers=owner)
    )
    grant = {"object_type": "project", "object_id": project, "group_id": group["id"], "permission": "read"}
    ok(client.post("/v1/acl", json=grant, headers=owner))
    assert client.get(f"/v1/project/{project}", headers=outsider.headers).status_code == 200
    assert ok(client.delete(f"/v1/group/{group['id']}", headers=owner))["deleted_at"]
    assert client.get(f"/v1/project/{project}", headers=outsider.headers).status_code == 404
    params = {"object_type": "project", "object_id": project}
    assert ok(client.get("/v1/acl", params=params, headers=owner))["objects"] == []

"""`/logs3` keeps up with the SDK by reusing what it read of keys, access rules and the catalog
(`services/change_cache.py`); a change to any of them must still hold from the moment it is
acknowledged, for a key that has just written through the route (its principal and the object's
owner are then remembered)."""

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

Env = tuple[TestClient, dict[str, Person]]


@pytest.fixture
def env(tmp_path: Path, db_backend: str, request: pytest.FixtureRequest) -> Iterator[Env]:
    settings = Settings(data_dir=tmp_path, db_url=database_url(request, db_backend, "logs3access"))
    store = open_store(settings.resolved_db_url())
    team = make_team(store)
    with TestClient(wrap(create_app(settings, store), settings)) as client:
        yield client, team
    store.close()


def ok(res: Any) -> Any:
    assert res.status_code == 200, res.text
    return res.json()


def experiment(client: TestClient, who: Person, name: str = "exp") -> str:
    project = ok(client.post("/v1/project", json={"name": "p"}, headers=who.headers))["id"]
    body = {"project_id": project, "name": name}
    return str(ok(client.post("/v1/experiment", json=body, headers=who.headers))["id"])


def log(client: TestClient, who: Person, experiment_id: str, row_id: str) -> int:
    rows = [{"id": row_id, "experiment_id": experiment_id, "input": row_id}]
    return client.post("/logs3", json={"rows": rows, "api_version": 2}, headers=who.headers).status_code


def test_a_revoked_key_stops_writing_at_once(env: Env) -> None:
    client, team = env
    engineer = team["engineer"]
    exp = experiment(client, engineer)
    created = ok(client.post("/v1/api_key", json={"name": "sdk"}, headers=engineer.headers))
    sdk = Person("engineer", engineer.user_id, engineer.email, created["key"])
    assert [log(client, sdk, exp, f"r{i}") for i in range(3)] == [200, 200, 200]
    ok(client.delete(f"/v1/api_key/{created['id']}", headers=engineer.headers))
    assert log(client, sdk, exp, "after") == 401
    assert log(client, engineer, exp, "other key") == 200


def test_a_removed_member_stops_writing_at_once(env: Env) -> None:
    client, team = env
    engineer = team["engineer"]
    exp = experiment(client, team["owner"])
    assert [log(client, engineer, exp, f"r{i}") for i in range(2)] == [200, 200]
    body = {"remove_users": {"emails": [engineer.email]}}
    assert (
        ok(client.patch("/v1/organization/members", json=body, headers=team["owner"].headers))["removed"] == 1
    )
    assert log(client, engineer, exp, "after") == 401


def test_a_revoked_grant_stops_writing_at_once(env: Env) -> None:
    client, team = env
    owner, outsider = team["owner"], team["outsider"]
    exp = experiment(client, owner)
    assert log(client, outsider, exp, "before") == 404  # may not even see it
    grants = [
        ok(client.post("/v1/acl", json=grant, headers=owner.headers))
        for grant in (
            {"object_type": "experiment", "object_id": exp, "user_id": outsider.user_id, "permission": p}
            for p in ("read", "update")
        )
    ]
    assert [log(client, outsider, exp, f"r{i}") for i in range(2)] == [200, 200]
    ok(client.delete(f"/v1/acl/{grants[1]['id']}", headers=owner.headers))
    assert log(client, outsider, exp, "after") == 403  # may still read it


def test_a_deleted_experiment_takes_no_more_rows(env: Env) -> None:
    client, team = env
    owner = team["owner"]
    exp = experiment(client, owner)
    assert [log(client, owner, exp, f"r{i}") for i in range(2)] == [200, 200]
    ok(client.delete(f"/v1/experiment/{exp}", headers=owner.headers))
    assert log(client, owner, exp, "after") == 404

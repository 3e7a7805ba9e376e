"""Signing in to the web app: sessions in safe cookies, CSRF, rate limits, links, keys that revoke."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from assay.server.app import create_app, wrap
from assay.server.settings import Settings
from assay.services import people
from assay.store import open_store
from assay.store.base import Store
from tests.conftest import database_url
from tests.team import PASSWORD, Person, make_team


@pytest.fixture
def store(tmp_path: Path, db_backend: str, request: pytest.FixtureRequest) -> Iterator[Store]:
    db = open_store(database_url(request, db_backend, "signin") or f"duckdb:///{tmp_path / 'assay.duckdb'}")
    yield db
    db.close()


def client_for(store: Store, **settings: object) -> TestClient:
    s = Settings(data_dir=Path("/nonexistent"), **settings)  # type: ignore[arg-type]
    return TestClient(wrap(create_app(s, store), s))


@pytest.fixture
def team(store: Store) -> dict[str, Person]:
    return make_team(store)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/api/session", json={"email": email, "password": password})


def test_the_first_start_link_sets_up_the_owner_who_is_then_signed_in(store: Store) -> None:
    token = people.setup_link(store, 1, "local")
    assert token is not None
    with client_for(store) as client:
        info = client.post("/api/link/inspect", json={"token": token}).json()
        assert info == {
            "purpose": "setup",
            "email": "",
            "name": "Owner",
            "org_name": "local",
            "email_editable": True,
            "needs_password": True,
        }
        res = client.post(
            "/api/link/accept",
            json={"token": token, "email": "ada@example.com", "name": "Ada", "password": PASSWORD},
        )
        assert res.status_code == 200, res.text
        assert res.json()["user"] == {
            "id": res.json()["user"]["id"],
            "email": "ada@example.com",
            "name": "Ada",
        }
        assert res.json()["permissions"]["manage_access"] is True
        assert client.get("/v1/project").status_code == 200  # the cookie signs requests in
        again = client.post("/api/link/accept", json={"token": token, "password": PASSWORD})
        assert again.status_code == 404 and "already used" in again.json()["error"]["message"]
    assert people.setup_link(store, 1, "local") is None  # an owner can sign in now


def test_session_cookies_are_httponly_samesite_and_secure_when_configured(store: Store, team) -> None:
    with client_for(store) as client:
        cookie = sign_in(client, team["viewer"].email).headers["set-cookie"]
        assert "assay_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert "Secure" not in cookie  # plain HTTP on 127.0.0.1
    with client_for(store, secure_cookies=True) as client:
        assert "Secure" in sign_in(client, team["viewer"].email).headers["set-cookie"]
    with client_for(store, public_url="https://assay.example.com") as client:
        assert "Secure" in sign_in(client, team["viewer"].email).headers["set-cookie"]
    s = Settings(data_dir=Path("/nonexistent"))
    with TestClient(wrap(create_app(s, store), s), base_url="https://testserver") as client:
        assert "Secure" in sign_in(client, team["viewer"].email).headers["set-cookie"]


def test_cookie_writes_need_the_csrf_token_and_our_own_origin(store: Store, team) -> None:
    with client_for(store) as client:
        csrf = sign_in(client, team["engineer"].email).json()["csrf_token"]
        body = {"name": "by-cookie"}
        refused = client.post("/v1/project", json=body)
        assert refused.status_code == 403 and "CSRF" in refused.json()["error"]["message"]
        wrong = client.post("/v1/project", json=body, headers={"X-CSRF-Token": "guess"})
        assert wrong.status_code == 403
        cross = client.post(
            "/v1/project", json=body, headers={"X-CSRF-Token": csrf, "Origin": "http://evil.example"}
        )
        assert cross.status_code == 403 and "another site" in cross.json()["error"]["message"]
        ok = client.post(
            "/v1/project", json=body, headers={"X-CSRF-Token": csrf, "Origin": "http://testserver"}
        )
        assert ok.status_code == 200, ok.text
        assert client.get("/api/session").json()["csrf_token"] == csrf  # reads need no token
        forged_signin = client.post(
            "/api/session",
            json={"email": team["viewer"].email, "password": PASSWORD},
            headers={"Origin": "http://evil.example"},
        )
        assert forged_signin.status_code == 403  # no signing a victim into another account


def test_wrong_passwords_are_rate_limited_even_before_the_right_one(store: Store, team) -> None:
    with client_for(store, signin_failures=3) as client:
        email = team["viewer"].email
        for _ in range(3):
            res = sign_in(client, email, "not the password")
            assert res.status_code == 401 and res.json()["error"]["message"] == "wrong email or password"
        locked = sign_in(client, email)
        assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
        assert "too many failed sign-ins" in locked.json()["error"]["message"]
        assert sign_in(client, email.upper()).status_code == 429  # however the email is spelled
        assert sign_in(client, team["engineer"].email).status_code == 200  # others are not locked out


def test_unknown_and_wrong_accounts_get_the_same_answer(store: Store, team) -> None:
    with client_for(store) as client:
        unknown = sign_in(client, "nobody@example.com", "whatever1")
        wrong = sign_in(client, team["viewer"].email, "whatever1")
        assert unknown.status_code == wrong.status_code == 401
        assert unknown.json() == wrong.json()


def test_sign_out_and_sign_out_everywhere(store: Store, team) -> None:
    email = team["viewer"].email
    with client_for(store) as a, client_for(store) as b:
        csrf_a = sign_in(a, email).json()["csrf_token"]
        csrf_b = sign_in(b, email).json()["csrf_token"]
        assert a.delete("/api/session", headers={"X-CSRF-Token": csrf_a}).json() == {"sessions_ended": 1}
        assert a.get("/v1/project").status_code == 401
        assert b.get("/v1/project").status_code == 200
        csrf_c = sign_in(a, email).json()["csrf_token"]
        assert csrf_c != csrf_a
        ended = b.delete("/api/session", params={"everywhere": "true"}, headers={"X-CSRF-Token": csrf_b})
        assert ended.json() == {"sessions_ended": 2}
        assert a.get("/v1/project").status_code == 401 and b.get("/v1/project").status_code == 401


def test_an_api_key_can_be_exchanged_for_a_session(store: Store, team) -> None:
    with client_for(store) as client:
        res = client.post("/api/session", json={"api_key": team["engineer"].key})
        assert res.status_code == 200 and res.json()["user"]["email"] == team["engineer"].email
        assert client.get("/api/session").json()["org"]["name"] == "local"
        assert client.post("/api/session", json={"api_key": "sk-assay-nope"}).status_code == 401


def test_a_revoked_key_stops_working_at_once(store: Store, team) -> None:
    with client_for(store) as client:
        headers = team["engineer"].headers
        created = client.post("/v1/api_key", json={"name": "ci"}, headers=headers).json()
        assert created["key"].startswith("sk-") and created["preview_name"].endswith("…")
        mine = {"Authorization": f"Bearer {created['key']}"}
        assert client.get("/v1/project", headers=mine).status_code == 200
        listed = client.get("/v1/api_key", headers=headers).json()["objects"]
        assert {k["name"] for k in listed} == {"ci", "engineer key"} and all("key" not in k for k in listed)
        assert client.delete(f"/v1/api_key/{created['id']}", headers=headers).status_code == 200
        assert client.get("/v1/project", headers=mine).status_code == 401
        assert client.get(f"/v1/api_key/{created['id']}", headers=headers).status_code == 404


def test_owners_see_every_key_and_members_only_their_own(store: Store, team) -> None:
    with client_for(store) as client:
        owner = client.get("/v1/api_key", headers=team["owner"].headers).json()["objects"]
        viewer = client.get("/v1/api_key", headers=team["viewer"].headers).json()["objects"]
        assert {k["user_email"] for k in owner} >= {p.email for r, p in team.items() if r != "anonymous"}
        assert [k["user_email"] for k in viewer] == [team["viewer"].email]
        theirs = next(k for k in owner if k["user_email"] == team["engineer"].email)
        assert client.delete(f"/v1/api_key/{theirs['id']}", headers=team["viewer"].headers).status_code == 404
        assert client.delete(f"/v1/api_key/{theirs['id']}", headers=team["owner"].headers).status_code == 200


def test_an_invited_member_chooses_a_password_with_their_link_once(store: Store, team) -> None:
    with client_for(store) as client:
        res = client.patch(
            "/v1/organization/members",
            json={"invite_users": {"emails": ["new@example.com"], "group_name": "Engineers"}},
            headers=team["owner"].headers,
        )
        assert res.status_code == 200, res.text
        link = res.json()["invitations"][0]["link"]
        assert link.startswith("http://testserver/app/accept#token=")
        token = link.split("#token=")[1]
        info = client.post("/api/link/inspect", json={"token": token}).json()
        assert (info["purpose"], info["email"], info["email_editable"]) == (
            "invite",
            "new@example.com",
            False,
        )
        short = client.post("/api/link/accept", json={"token": token, "password": "short"})
        assert short.status_code == 400 and "at least 8" in short.json()["error"]["message"]
        ok = client.post("/api/link/accept", json={"token": token, "name": "Newt", "password": PASSWORD})
        assert ok.status_code == 200 and ok.json()["user"]["name"] == "Newt"
        assert client.post("/api/link/accept", json={"token": token, "password": PASSWORD}).status_code == 404
    with client_for(store) as other:
        assert sign_in(other, "new@example.com").status_code == 200
        members = other.get("/v1/organization/members").json()["objects"]
        assert next(m for m in members if m["email"] == "new@example.com")["groups"] == ["Engineers"]


def test_removing_a_member_ends_their_access(store: Store, team) -> None:
    with client_for(store) as client:
        viewer = team["viewer"]
        res = client.patch(
            "/v1/organization/members",
            json={"remove_users": {"emails": [viewer.email]}},
            headers=team["owner"].headers,
        )
        assert res.json()["removed"] == 1
        assert client.get("/v1/project", headers=viewer.headers).status_code == 401
        last = client.patch(
            "/v1/organization/members",
            json={"remove_users": {"ids": [team["owner"].user_id]}},
            headers=team["owner"].headers,
        )
        assert last.status_code == 400 and "at least one owner" in last.json()["error"]["message"]

"""How `assay users` and `assay keys` reach the database: directly, or through a running server.

DuckDB allows one process per file. When no server runs, the CLI opens the file and acts as the
organization's owner. While `assay serve` runs, it holds the file, and the CLI asks the server
instead: the server writes `<database file>.server.json` (readable only by the user who started
it) with its URL and a random admin token that acts as the organization's owner for as long as
that server runs. Whoever can read that file can read the database file itself, so it grants
nothing new. With `--url` and `--api-key` the CLI talks to any server with an owner's key.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import orjson
import typer

from assay.cli.sql import Remote, RemoteError
from assay.server.app import open_settings_store
from assay.server.settings import Settings
from assay.services import people
from assay.services.access import AccessPolicy
from assay.services.auth import Principal, owner_of
from assay.services.context import Services
from assay.store import Store, StoreUnavailable
from assay.store.duckdb.store import path_of


def server_file(settings: Settings) -> Path | None:
    """Where a running server leaves its address and admin token (None for in-memory databases)."""
    url = settings.resolved_db_url()
    if not url.startswith("duckdb://"):
        return None
    path = path_of(url)
    return None if path == ":memory:" else Path(path + ".server.json")


@contextlib.contextmanager
def advertised(settings: Settings, url: str) -> Iterator[tuple[str, Callable[[], None]]]:
    """While serving: write the server file with a fresh admin token; yield the token and a way to
    remove the file (at shutdown; again on the way out, in case shutdown never got there)."""
    token = "sk-assay-admin-" + secrets.token_urlsafe(32)
    target = server_file(settings)
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(orjson.dumps({"url": url, "token": token, "org_name": settings.org_name}))

    def withdraw() -> None:
        if target is not None:
            target.unlink(missing_ok=True)

    try:
        yield token, withdraw
    finally:
        withdraw()


class Admin(Protocol):
    """What the user and key commands do, the same whether local or remote."""

    def members(self) -> list[dict[str, Any]]: ...
    def invite(self, email: str, groups: list[str]) -> dict[str, Any]: ...
    def remove(self, email: str) -> int: ...
    def create_key(self, name: str, email: str | None) -> dict[str, Any]: ...
    def keys(self) -> list[dict[str, Any]]: ...
    def revoke(self, key_id: str) -> dict[str, Any]: ...
    def close(self) -> None: ...


@dataclass
class LocalAdmin:
    """The database opened directly, acting as the organization's owner."""

    store: Store
    settings: Settings
    base_url: str

    def _owner(self) -> tuple[Services, Principal]:
        svc = Services(store=self.store, settings=self.settings, policy=AccessPolicy(self.store))
        org = self.store.ensure_org(self.settings.org_name)
        owner = owner_of(self.store, org.id)
        return svc, svc.policy.for_user(owner.id, org.name)

    def members(self) -> list[dict[str, Any]]:
        svc, who = self._owner()
        return people.list_members(svc, who)

    def invite(self, email: str, groups: list[str]) -> dict[str, Any]:
        svc, who = self._owner()
        ids = people.resolve_groups(svc, who, [], groups)
        invitations, error = people.invite(svc, who, [email], ids, self.base_url)
        return {"link": invitations[0].link, "send_email_error": error}

    def remove(self, email: str) -> int:
        svc, who = self._owner()
        return people.remove(svc, who, [], [email])

    def create_key(self, name: str, email: str | None) -> dict[str, Any]:
        svc, who = self._owner()
        return people.create_key(svc, who, name, user_id=_user_id(self.members(), email))

    def keys(self) -> list[dict[str, Any]]:
        svc, who = self._owner()
        return people.list_keys(svc, who)

    def revoke(self, key_id: str) -> dict[str, Any]:
        svc, who = self._owner()
        return people.revoke_key(svc, who, key_id)

    def close(self) -> None:
        self.store.close()


class RemoteAdmin:
    """A running server, through its API (as an owner)."""

    def __init__(self, url: str, token: str) -> None:
        self.remote = Remote(url, token)

    def members(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.remote.request("GET", "/v1/organization/members")["objects"]
        return found

    def invite(self, email: str, groups: list[str]) -> dict[str, Any]:
        body = {"invite_users": {"emails": [email], "group_names": groups}}
        result = self.remote.request("PATCH", "/v1/organization/members", json=body)
        return {"link": result["invitations"][0]["link"], "send_email_error": result.get("send_email_error")}

    def remove(self, email: str) -> int:
        body = {"remove_users": {"emails": [email]}}
        removed: int = self.remote.request("PATCH", "/v1/organization/members", json=body)["removed"]
        return removed

    def create_key(self, name: str, email: str | None) -> dict[str, Any]:
        body = {"name": name, "user_id": _user_id(self.members(), email)}
        created: dict[str, Any] = self.remote.request("POST", "/v1/api_key", json=body)
        return created

    def keys(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.remote.request("GET", "/v1/api_key")["objects"]
        return found

    def revoke(self, key_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self.remote.request("DELETE", f"/v1/api_key/{key_id}")
        return found

    def close(self) -> None:
        self.remote.client.close()


def _user_id(members: list[dict[str, Any]], email: str | None) -> str | None:
    if email is None:
        return None
    for m in members:
        if m["email"].lower() == email.lower():
            return str(m["id"])
    raise RemoteError(f"no member with the email {email!r}; invite them first (assay users invite)")


def connect(settings: Settings, url: str | None, api_key: str | None) -> Admin:
    """The database if no server holds it, else the server that does (or `url` when given)."""
    if url:
        return RemoteAdmin(url, api_key or os.environ.get("BRAINTRUST_API_KEY") or "")
    try:
        store = open_settings_store(settings)
    except ValueError as exc:
        raise _exit(str(exc)) from None
    except StoreUnavailable as exc:
        target = server_file(settings)
        if target is None or not target.is_file():
            raise _exit(str(exc)) from None
        found = orjson.loads(target.read_bytes())
        return RemoteAdmin(found["url"], found["token"])
    return LocalAdmin(store, settings, settings.public_url or f"http://{settings.host}:{settings.port}")


def _exit(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(2)


def fail(exc: Exception) -> typer.Exit:
    """A refused request: one line on stderr and exit status 1."""
    typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
    return typer.Exit(1)

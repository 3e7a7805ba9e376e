"""Fixtures and helpers for the scoring tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assay.server.app import create_app, wrap
from assay.server.settings import Settings
from assay.services.auth import create_api_key
from assay.services.context import Services
from assay.store import open_store
from tests.conftest import Api


def scoring_api(tmp_path: Path, **settings: Any) -> Iterator[Api]:
    cfg = Settings(data_dir=tmp_path, **settings)
    store = open_store(cfg.resolved_db_url())
    key = create_api_key(store, cfg.org_name)
    app = create_app(cfg, store)
    with TestClient(wrap(app, cfg)) as client:
        yield Api(client, key, app)
    store.close()


@pytest.fixture
def sapi(tmp_path: Path) -> Iterator[Api]:
    """An API client of a fresh server."""
    yield from scoring_api(tmp_path)


def services_of(api: Api) -> Services:
    assert api.app is not None
    svc: Services = api.app.state.services
    return svc


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def experiment(api: Api, name: str = "exp", project: str = "scoring") -> tuple[str, str]:
    pid = ok(api.post("/v1/project", json={"name": project}))["id"]
    eid = ok(api.post("/v1/experiment", json={"project_id": pid, "name": name}))["id"]
    return pid, eid

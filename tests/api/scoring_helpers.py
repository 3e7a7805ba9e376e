"""Fixtures and helpers for the scoring tests: an app whose job workers are driven by the test."""

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
from assay.services.jobs.worker import drain
from assay.store import open_store
from tests.conftest import Api, database_url


def scoring_api(tmp_path: Path, db_url: str | None = None, **settings: Any) -> Iterator[Api]:
    cfg = Settings(data_dir=tmp_path, db_url=db_url, job_workers=0, **settings)
    store = open_store(cfg.resolved_db_url())
    try:  # tests that drive this generator themselves end it with `close()`, at the `yield`
        key = create_api_key(store, cfg.org_name)
        app = create_app(cfg, store)
        with TestClient(wrap(app, cfg)) as client:
            yield Api(client, key, app)
    finally:
        store.close()


@pytest.fixture
def sapi(tmp_path: Path, db_backend: str, request: pytest.FixtureRequest) -> Iterator[Api]:
    """An API client whose server runs no job workers: the test runs them (`run_jobs`); on each
    backend (`db_backend`, see tests/conftest.py)."""
    yield from scoring_api(tmp_path, database_url(request, db_backend, "scoring"))


def services_of(api: Api) -> Services:
    assert api.app is not None
    svc: Services = api.app.state.services
    return svc


def run_jobs(api: Api) -> int:
    return drain(services_of(api))


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def experiment(api: Api, name: str = "exp", project: str = "scoring") -> tuple[str, str]:
    pid = ok(api.post("/v1/project", json={"name": project}))["id"]
    eid = ok(api.post("/v1/experiment", json={"project_id": pid, "name": name}))["id"]
    return pid, eid


def log_cases(api: Api, eid: str, cases: list[dict[str, Any]]) -> list[str]:
    """One trace per case (a root span with the case's fields); the root ids, in order."""
    rows = [
        {"id": f"root-{i}", "span_id": f"root-{i}", "root_span_id": f"root-{i}", "experiment_id": eid, **c}
        for i, c in enumerate(cases)
    ]
    ok(api.post("/logs3", json={"rows": rows}))
    return [r["id"] for r in rows]


def spans(api: Api, eid: str) -> list[dict[str, Any]]:
    return ok(api.post(f"/v1/experiment/{eid}/fetch", json={"limit": 100_000}))["events"]


def score_spans(api: Api, eid: str) -> list[dict[str, Any]]:
    return [e for e in spans(api, eid) if (e.get("span_attributes") or {}).get("purpose") == "scorer"]

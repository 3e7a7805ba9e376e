"""Shared fixtures: an in-process API client (ring 1) and a real `assay serve` process (ring 2)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assay.server.app import create_app, wrap
from assay.server.settings import Settings
from assay.services.auth import create_api_key
from assay.store import open_store
from assay.testing import ASSAY, free_port, start_server
from assay.testing import ServerProcess as Server

__all__ = ["ASSAY", "Api", "Server", "free_port", "start_server"]


@dataclass
class Api:
    """An in-process client with a valid key for the `local` organization."""

    client: TestClient
    key: str
    app: FastAPI | None = None  # the app under the outer layers (`wrap`), for its state

    def __getattr__(self, name: str):  # get/post/patch/delete with auth
        method = getattr(self.client, name)

        def call(url: str, **kw):
            headers = {"Authorization": f"Bearer {self.key}", **kw.pop("headers", {})}
            return method(url, headers=headers, **kw)

        return call


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    settings = Settings(data_dir=tmp_path, max_body_bytes=1024 * 1024)
    store = open_store(settings.resolved_db_url())
    key = create_api_key(store, settings.org_name)
    app = create_app(settings, store)
    with TestClient(wrap(app, settings)) as client:
        yield Api(client, key, app)
    store.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("assay-server")
    srv = start_server(data_dir)
    yield srv
    srv.stop()
    shutil.rmtree(data_dir, ignore_errors=True)

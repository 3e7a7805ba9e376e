"""Shared fixtures: an in-process API client (ring 1), a real `assay serve` process (ring 2), and
the database backend each runs on.

Every test that takes `db_backend` (through `api`, `server`, the browser's `demo`, the store's
`open_backend`, …) runs on DuckDB and on PostgreSQL: `make test` runs the conformance, API,
end-to-end and browser suites on both. `--db duckdb` or `--db postgres` narrows a run to one
backend. Tests about the embedded DuckDB file itself (its lock, WAL, memory limit, a full disk
under it) start their own server on DuckDB and are marked `duckdb_only` with the reason;
`--db postgres` leaves them out. PostgreSQL is one real cluster for the whole run (`pg_cluster`),
each test or module on a fresh copy of a migrated template database."""

from __future__ import annotations

import itertools
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assay.server.app import create_app, wrap
from assay.server.settings import Settings
from assay.services.auth import create_api_key
from assay.store import open_store
from assay.store.postgres.store import REFRESH_THREAD
from assay.testing import ASSAY, CHROMIUM_ARGS, free_port, start_server
from assay.testing import ServerProcess as Server
from assay.testing_postgres import Cluster, start_cluster

__all__ = ["ASSAY", "Api", "Server", "free_port", "start_server"]

BACKENDS = ("duckdb", "postgres")
TEMPLATE_DB = "assay_template"
# Fixtures that take `db_backend` and outlive a test (broadest scope first): its parameter must
# have their scope.
SERVER_FIXTURES = {
    "demo": "session",
    "server": "module",
    "seeded": "module",
    "attachment_server": "module",
    "chat_server": "module",
    "world": "module",
}


@pytest.fixture(scope="session", autouse=True)
def no_store_left_open() -> Iterator[None]:
    """Fails the run if a PostgreSQL store outlives every fixture: an unclosed store keeps its
    pool and background thread, which then fail against a dropped database and log tracebacks
    into later tests' output. Torn down last, after every other fixture."""
    yield
    left = [t for t in threading.enumerate() if t.name == REFRESH_THREAD and t.is_alive()]
    assert not left, f"{len(left)} PostgreSQL store(s) left open by the tests (missing close())"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=["all", *BACKENDS],
        default="all",
        help="database backends to run the store, API, end-to-end and browser tests on (see tests/conftest.py)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--db") == "postgres":
        dropped = [item for item in items if item.get_closest_marker("duckdb_only")]
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not item.get_closest_marker("duckdb_only")]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_backend" not in metafunc.fixturenames:
        return
    choice = metafunc.config.getoption("--db")
    backends = list(BACKENDS) if choice == "all" else [choice]
    real_server = next((f for f in SERVER_FIXTURES if f in metafunc.fixturenames), None)
    scope = SERVER_FIXTURES[real_server] if real_server else "function"
    metafunc.parametrize("db_backend", backends, indirect=True, scope=scope)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def db_backend(request: pytest.FixtureRequest) -> str:
    """The database backend of this test (parametrised by `pytest_generate_tests`)."""
    return str(request.param)


_databases = itertools.count()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A real PostgreSQL 15 cluster for the whole run, started only when a test asks for it."""
    cluster = start_cluster()
    try:
        url = cluster.create_database(TEMPLATE_DB)
        open_store(url).close()  # migrated once; every test database is a copy of it
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def new_pg_database(pg_cluster: Cluster) -> Iterator[Callable[[], str]]:
    """Makes fresh, migrated databases (copies of the template); dropped after the test."""
    made: list[str] = []

    def make() -> str:
        name = f"assay_test_{next(_databases)}"
        made.append(name)
        return pg_cluster.create_database(name, template=TEMPLATE_DB)

    yield make
    for name in made:
        pg_cluster.drop_database(name)


def database_url(request: pytest.FixtureRequest, backend: str, label: str) -> str | None:
    """A fresh database on `backend` for a fixture; None: DuckDB in the data directory."""
    if backend == "duckdb":
        return None
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    name = f"assay_{label}_{next(_databases)}"
    request.addfinalizer(lambda: cluster.drop_database(name))
    return cluster.create_database(name, template=TEMPLATE_DB)


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
def api(tmp_path: Path, db_backend: str, request: pytest.FixtureRequest) -> Iterator[Api]:
    db_url = database_url(request, db_backend, "api")
    settings = Settings(data_dir=tmp_path, db_url=db_url, max_body_bytes=1024 * 1024)
    store = open_store(settings.resolved_db_url())
    key = create_api_key(store, settings.org_name)
    app = create_app(settings, store)
    with TestClient(wrap(app, settings)) as client:
        yield Api(client, key, app)
    store.close()


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, db_backend: str, request: pytest.FixtureRequest
) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("assay-server")
    srv = start_server(data_dir, db_url=database_url(request, db_backend, "server"))
    yield srv
    srv.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium for the whole run: Playwright's sync API cannot start a second instance while
    one is running, so every test module that drives a browser shares this one."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        yield b
        b.close()

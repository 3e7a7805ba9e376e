"""Browser fixtures: one real `assay serve` with a small, stable project loaded (project `demo`, made by
tests/browser/questions: two experiments of 60 cases), and Debian's Chromium.

The project is evaluated by the real braintrust SDK in a subprocess (its global login state stays
out of pytest). `assay demo`'s own, larger project is checked by tests/e2e/test_demo.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from assay.server.ui import STATIC
from tests.conftest import Server, database_url, start_server


@dataclass
class Demo:
    server: Server
    project_id: str
    experiments: dict[str, str]  # name -> id

    @property
    def url(self) -> str:
        return self.server.url

    def get(self, path: str, **params: Any) -> Any:
        res = httpx.get(self.url + path, params=params, headers=self.headers, timeout=30)
        res.raise_for_status()
        return res.json()

    def post(self, path: str, body: Any) -> Any:
        res = httpx.post(self.url + path, json=body, headers=self.headers, timeout=30)
        res.raise_for_status()
        return res.json()

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.server.key}"}


@pytest.fixture(scope="session")
def demo(
    tmp_path_factory: pytest.TempPathFactory, db_backend: str, request: pytest.FixtureRequest
) -> Iterator[Demo]:
    if not (STATIC / "index.html").is_file():
        pytest.fail("the web app is not built: run `make ui` (scripts/build-ui.sh) first")
    if shutil.which("chromium") is None:
        pytest.fail("Debian's chromium is missing: run scripts/install-test-deps.sh")
    data_dir = tmp_path_factory.mktemp("browser-server")
    server = start_server(data_dir, db_url=database_url(request, db_backend, "browser"))
    code = "import sys; from tests.browser.questions.evaluation import run; run(sys.argv[1], sys.argv[2])"
    subprocess.run(
        [sys.executable, "-c", code, server.url, server.key],
        env=server.env(),
        check=True,
        capture_output=True,
        cwd=Path(__file__).parents[2],
    )
    headers = {"Authorization": f"Bearer {server.key}"}
    project = httpx.get(f"{server.url}/v1/project", params={"project_name": "demo"}, headers=headers).json()
    pid = project["objects"][0]["id"]
    exps = httpx.get(f"{server.url}/v1/project/{pid}/experiments", headers=headers).json()["objects"]
    yield Demo(server, pid, {e["name"]: e["id"] for e in exps})
    server.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def page(browser: Any, demo: Demo, tmp_path: Path) -> Iterator[Any]:
    """A signed-in page (the key is in localStorage, as after the login screen)."""
    context = browser.new_context(viewport={"width": 1600, "height": 3000}, accept_downloads=True)
    context.add_init_script(f"localStorage.setItem('assay.api_key', {demo.server.key!r})")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    # Every page runs under the strict Content-Security-Policy; Chromium reports what it blocks.
    pg.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    yield pg
    context.close()
    assert not errors, errors


def experiment_url(demo: Demo, name: str = "model-v2", query: str = "") -> str:
    return f"{demo.url}/app/local/p/demo/experiments/{name}{('?' + query) if query else ''}"

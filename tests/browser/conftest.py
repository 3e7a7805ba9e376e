"""Browser fixtures: one real `assay serve` with a small, stable project loaded (project `demo`, made by
tests/browser/questions: two experiments of 60 cases), and Debian's Chromium.

The project is evaluated by the real braintrust SDK in a subprocess (its global login state stays
out of pytest). `assay demo`'s own, larger project is checked by tests/e2e/test_demo.py.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
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


OWNER_EMAIL = "owner@example.com"
OWNER_PASSWORD = "owner password 1"


def first_start_link(server: Server) -> str:
    """The one-time link `assay serve` prints on a server nobody has signed in to yet."""
    deadline = time.time() + 20
    while time.time() < deadline:
        found = re.search(r"(http://\S+/app/accept#token=\S+)", (server.data_dir / "server.log").read_text())
        if found:
            return found.group(1)
        time.sleep(0.2)
    raise AssertionError("assay serve printed no first sign-in link")


def fill_link_form(page: Any, link: str, password: str, email: str | None = None, name: str = "") -> None:
    page.goto(link)
    page.get_by_label("Password").wait_for()
    if email is not None:
        page.get_by_label("Email").fill(email)
    if name:
        page.get_by_label("Your name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Save and sign in").click()
    page.get_by_role("heading", name="Projects").wait_for()


@pytest.fixture(scope="session")
def owner_state(browser: Any, demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The owner signed in as a person does on a new server: the first-start link, an email and a
    password. Pages reuse the browser state (the session cookie) this leaves."""
    context = browser.new_context()
    fill_link_form(
        context.new_page(), first_start_link(demo.server), OWNER_PASSWORD, OWNER_EMAIL, "Olive Owner"
    )
    state = tmp_path_factory.mktemp("browser-state") / "owner.json"
    context.storage_state(path=str(state))
    context.close()
    return state


@pytest.fixture
def page(browser: Any, demo: Demo, owner_state: Path) -> Iterator[Any]:
    """A page signed in as the owner."""
    context = browser.new_context(
        viewport={"width": 1600, "height": 3000}, accept_downloads=True, storage_state=str(owner_state)
    )
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

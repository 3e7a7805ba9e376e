"""Shared fixtures: an in-process API client (ring 1) and a real `assay serve` process (ring 2)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from assay.server.app import create_app, wrap
from assay.server.settings import Settings
from assay.services.auth import create_api_key
from assay.store import open_store

ASSAY = str(Path(sys.executable).with_name("assay"))


@dataclass
class Api:
    """An in-process client with a valid key for the `local` organization."""

    client: TestClient
    key: str

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
    app = wrap(create_app(settings, store), settings)
    with TestClient(app) as client:
        yield Api(client, key)
    store.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A real `assay serve` process on 127.0.0.1."""

    url: str
    key: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    port: int

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for a client process using the reference SDK against this server."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("BRAINTRUST_")}
        env.update(
            BRAINTRUST_APP_URL=self.url,
            BRAINTRUST_API_KEY=self.key,
            BRAINTRUST_SYNC_FLUSH="1",
            HOME=str(self.data_dir),
            **extra,
        )
        return env

    def stop(self, sig: int | None = None) -> None:
        if self.process.poll() is None:
            if sig is None:
                self.process.terminate()
            else:
                self.process.send_signal(sig)
            self.process.wait(timeout=30)


def start_server(data_dir: Path, key: str | None = None, port: int | None = None) -> Server:
    data_dir.mkdir(parents=True, exist_ok=True)
    if key is None:
        key = subprocess.run(
            [ASSAY, "keys", "create", "--data-dir", str(data_dir)], check=True, capture_output=True, text=True
        ).stdout.strip()
    port = port or free_port()
    log = open(data_dir / "server.log", "ab")  # noqa: SIM115 - kept open for the process's life
    proc = subprocess.Popen(
        [ASSAY, "serve", "--data-dir", str(data_dir), "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"assay serve exited: {(data_dir / 'server.log').read_text()}")
        try:
            httpx.get(f"{url}/version", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError("assay serve did not start in 30 s")
    return Server(url, key, data_dir, proc, port)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("assay-server")
    srv = start_server(data_dir)
    yield srv
    srv.stop()
    shutil.rmtree(data_dir, ignore_errors=True)

"""A real `assay serve` process for tests and benchmarks, and the Chromium flags this machine needs.

Tests (ring 2 and the browser) and `bench/` both drive Assay as a user does: a separate server
process on 127.0.0.1 with its own data directory and API key. This is the one way they start it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ASSAY = str(Path(sys.executable).with_name("assay"))
# How long a test waits for a server it started to answer (busy CI machines start slowly).
START_TIMEOUT_S = 120
# Debian's Chromium, headless, with nothing that reaches the (closed) network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def sign_in(context: Any, url: str, key: str) -> None:
    """Sign a Playwright browser context in with an API key, as `?api_key=` does in the web app:
    the key is exchanged for a session cookie the context keeps (pages never hold the key)."""
    res = context.request.post(f"{url}/api/session", data={"api_key": key})
    if not res.ok:
        raise RuntimeError(f"signing in with the key failed: {res.status} {res.text()}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ServerProcess:
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

    def stop(self, sig: int | None = None, timeout: float = 30) -> None:
        if self.process.poll() is None:
            if sig is None:
                self.process.terminate()
            else:
                self.process.send_signal(sig)
            self.process.wait(timeout=timeout)


def start_server(
    data_dir: Path,
    key: str | None = None,
    port: int | None = None,
    env: dict[str, str] | None = None,
    db_url: str | None = None,
) -> ServerProcess:
    """Start `assay serve` on `data_dir` (creating a key unless given) and wait until it answers;
    `env` adds server settings (`ASSAY_*` variables); `db_url` names the database (default: the
    DuckDB file in `data_dir`)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**(env or {}), **({"ASSAY_DB_URL": db_url} if db_url else {})}
    if key is None:
        key = subprocess.run(
            [ASSAY, "keys", "create", "--data-dir", str(data_dir)],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, **env},
        ).stdout.strip()
    port = port or free_port()
    log = open(data_dir / "server.log", "ab")  # noqa: SIM115 - kept open for the process's life
    proc = subprocess.Popen(
        [ASSAY, "serve", "--data-dir", str(data_dir), "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **env},
    )
    url = f"http://127.0.0.1:{port}"
    # Generous: on a busy 2-core machine the first start (imports, migrations) can take a while.
    deadline = time.time() + START_TIMEOUT_S
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
        raise RuntimeError(f"assay serve did not start in {START_TIMEOUT_S} s")
    return ServerProcess(url, key, data_dir, proc, port)

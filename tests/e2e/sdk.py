"""Helpers to run client code that uses the real `braintrust` SDK in its own process.

The SDK keeps global login state and background flush threads, so each scenario runs as a fresh
Python process pointed at the server by environment variables only, as a user's script would be.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import Server


def run_script(server: Server, tmp_path: Path, code: str, **env: str) -> tuple[Any, str]:
    """Run `code` with the SDK configured for `server`; return (the JSON it printed last, stdout+stderr)."""
    script = tmp_path / "client.py"
    script.write_text(textwrap.dedent(code))
    proc = subprocess.run(
        [sys.executable, str(script)],
        env=server.env(**env),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "Traceback" not in proc.stderr or "UpstreamError" in proc.stderr, output
    last = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    return (json.loads(last[-1][len("RESULT ") :]) if last else None), output


def api(server: Server, method: str, path: str, **kw: Any) -> Any:
    resp = httpx.request(
        method, server.url + path, headers={"Authorization": f"Bearer {server.key}"}, timeout=30, **kw
    )
    assert resp.status_code < 300, resp.text
    return resp.json()


def fetch_all(server: Server, kind: str, object_id: str, **body: Any) -> list[dict[str, Any]]:
    """Every event of an object, following cursors like the SDK does."""
    events: list[dict[str, Any]] = []
    cursor = None
    for _ in range(1000):
        page = api(
            server, "POST", f"/v1/{kind}/{object_id}/fetch", json={"limit": 50, "cursor": cursor, **body}
        )
        events.extend(page["events"])
        cursor = page.get("cursor")
        if not cursor:
            return events
    raise AssertionError("fetch never ended")


def experiment(server: Server, project: str, name: str) -> dict[str, Any]:
    found = api(server, "GET", "/v1/experiment", params={"project_name": project, "experiment_name": name})
    assert len(found["objects"]) == 1, found
    return dict(found["objects"][0])

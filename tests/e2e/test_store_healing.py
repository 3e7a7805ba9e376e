"""A real `assay serve` on a small tmpfs: a full disk is a 507 naming the data directory and an
invalidated database is reopened, both without a restart, nothing acknowledged is lost, and a
5xx tells a keep-alive client to close (`Connection: close`) instead of resetting under it."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.conftest import Server, start_server
from tests.e2e.rawhttp import RawConnection
from tests.tmpfs import fill, tmpfs

# DuckDB only: a full disk under the embedded file and an invalidated DuckDB database.
pytestmark = [pytest.mark.e2e, pytest.mark.duckdb_only]
MiB = 1 << 20


def rows(eid: str, n: int, count: int = 5) -> list[dict[str, Any]]:
    return [
        {"id": f"r{n}-{i}", "experiment_id": eid, "input": os.urandom(20_000).hex()} for i in range(count)
    ]


class Client:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.http = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {server.key}"}, timeout=60
        )
        project = self.http.post("/v1/project", json={"name": "disk"}).json()
        self.eid = self.http.post("/v1/experiment", json={"project_id": project["id"], "name": "e"}).json()[
            "id"
        ]
        self.acked: set[str] = set()

    def log(self, batch: list[dict[str, Any]]) -> httpx.Response:
        response = self.http.post("/logs3", content=orjson.dumps({"rows": batch}))
        if response.status_code == 200:
            self.acked |= {r["id"] for r in batch}
        return response

    def stored(self) -> set[str]:
        ids: set[str] = set()
        cursor = None
        while True:
            body = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
            page = self.http.post(f"/v1/experiment/{self.eid}/fetch", json=body)
            assert page.status_code == 200, page.text
            ids |= {e["id"] for e in page.json()["events"]}
            cursor = page.json().get("cursor")
            if not cursor:
                return ids

    def raw_post(self, path: str, body: Any) -> tuple[int, dict[str, str], bytes, RawConnection]:
        raw = RawConnection(self.server.url)
        auth = {"Authorization": f"Bearer {self.server.key}", "Content-Type": "application/json"}
        response = raw.request("POST", path, auth, orjson.dumps(body))
        return response.status, response.headers, response.body, raw


def closed_cleanly(raw: RawConnection) -> bool:
    """The server ended the connection with an orderly close (EOF), not a reset."""
    try:
        return raw.sock.recv(1) == b""
    finally:
        raw.close()


def test_a_full_disk_is_507_naming_the_data_directory_and_writes_resume(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", 96) as disk:
        server = start_server(disk / "data", env={"ASSAY_DISK_RESERVE_BYTES": str(8 * MiB)})
        try:
            client = Client(server)
            filler = fill(disk, leave=24 * MiB)
            for n in range(1000):
                status, headers, body, raw = client.raw_post("/logs3", {"rows": rows(client.eid, n)})
                if status != 200:
                    break
                client.acked |= {f"r{n}-{i}" for i in range(5)}
                raw.close()
            else:
                raise AssertionError("the disk never filled up")
            assert status == 507, body
            message = orjson.loads(body)["error"]["message"]
            assert str(disk / "data") in message and "full" in message and "free some space" in message
            assert headers["connection"] == "close" and closed_cleanly(raw)
            assert client.acked and client.stored() == client.acked  # reads go on meanwhile
            filler.unlink()
            for n in range(1000, 1010):
                assert client.log(rows(client.eid, n, 1)).status_code == 200
            assert client.stored() == client.acked
        finally:
            server.stop()
        restarted = start_server(disk / "data", key=server.key)
        try:
            client.server, client.http = (
                restarted,
                httpx.Client(
                    base_url=restarted.url, headers={"Authorization": f"Bearer {server.key}"}, timeout=60
                ),
            )
            assert client.stored() == client.acked
        finally:
            restarted.stop()


def wait_for_log(server: Server, text: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while text not in (server.data_dir / "server.log").read_text():
        assert time.monotonic() < deadline, f"{text!r} not in the server log"
        time.sleep(0.1)


def test_after_the_database_is_invalidated_the_request_fails_and_the_next_100_succeed(
    tmp_path: Path,
) -> None:
    """With the disk check off, the writer's checkpoint meets a full disk and DuckDB invalidates
    the database, as it did in production before Assay reopened it."""
    with tmpfs(tmp_path / "disk", 96) as disk:
        server = start_server(disk / "data", env={"ASSAY_DISK_RESERVE_BYTES": "0"})
        try:
            client = Client(server)
            filler = fill(disk, leave=8 * MiB)
            # ~0.4 MB each in the write-ahead log (rows and the event log), back to back: they fit
            # in the 8 MiB left, their checkpoint does not (15 of them hit the full disk at times)
            for n in range(11):
                assert client.log(rows(client.eid, n)).status_code == 200
            wait_for_log(server, "the database was invalidated")  # the idle checkpoint failed
            status, headers, body, raw = client.raw_post("/logs3", {"rows": rows(client.eid, 30, 20)})
            assert status in (503, 507), body
            assert "error" in orjson.loads(body)
            assert headers["connection"] == "close" and closed_cleanly(raw)
            filler.unlink()
            with RawConnection(server.url) as keep_alive:  # one connection for all 100
                auth = {"Authorization": f"Bearer {server.key}", "Content-Type": "application/json"}
                for n in range(100):
                    if n % 2:
                        batch = rows(client.eid, 100 + n, 1)
                        response = keep_alive.request("POST", "/logs3", auth, orjson.dumps({"rows": batch}))
                        if response.status == 200:
                            client.acked |= {r["id"] for r in batch}
                    else:
                        response = keep_alive.request(
                            "GET", f"/v1/experiment/{client.eid}/fetch?limit=5", auth
                        )
                    assert response.status == 200, (n, response.body[:300])
                    assert "connection" not in response.headers
            assert client.acked <= client.stored()
        finally:
            server.stop()

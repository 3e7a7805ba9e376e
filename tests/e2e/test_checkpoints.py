"""The write-ahead log is folded into the database file when writes pause and at shutdown, so it
stays small, start-up has little to replay, and disk use does not grow with the log."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from assay.store.duckdb.lifecycle import CHECKPOINT_AFTER_BYTES
from tests.conftest import start_server

# DuckDB only: the WAL and checkpoints of the embedded file (PostgreSQL keeps its own).
pytestmark = [pytest.mark.e2e, pytest.mark.duckdb_only]


def wal_bytes(data_dir: Path) -> int:
    wal = data_dir / "assay.duckdb.wal"
    return wal.stat().st_size if wal.exists() else 0


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_the_wal_is_folded_when_writes_pause_and_at_shutdown(tmp_path: Path, stop: int) -> None:
    data_dir = tmp_path / "data"
    server = start_server(data_dir)
    headers = {"Authorization": f"Bearer {server.key}"}
    try:
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
            project = http.post("/v1/project", json={"name": "wal"}).json()
            eid = http.post("/v1/experiment", json={"project_id": project["id"], "name": "e"}).json()["id"]
            for n in range(40):  # ~4 MB of rows, and as much again in the event log
                batch = [
                    {"id": f"{n}-{i}", "experiment_id": eid, "input": os.urandom(5_000).hex()}
                    for i in range(10)
                ]
                assert http.post("/logs3", json={"rows": batch}).status_code == 200
            assert wal_bytes(data_dir) > CHECKPOINT_AFTER_BYTES
            deadline = time.monotonic() + 30
            while wal_bytes(data_dir) > CHECKPOINT_AFTER_BYTES:  # folded once writes pause
                assert time.monotonic() < deadline, f"WAL still {wal_bytes(data_dir)} bytes"
                time.sleep(0.2)
            batch = [{"id": "last", "experiment_id": eid, "input": "x" * 200_000}]
            assert http.post("/logs3", json={"rows": batch}).status_code == 200
            assert wal_bytes(data_dir) > 0
    finally:
        server.stop(stop)
    assert server.process.returncode is not None
    assert wal_bytes(data_dir) == 0  # a clean shutdown leaves nothing to replay
    restarted = start_server(data_dir, key=server.key)
    try:
        page = httpx.post(f"{restarted.url}/v1/experiment/{eid}/fetch", json={"limit": 1000}, headers=headers)
        assert len(page.json()["events"]) == 401
    finally:
        restarted.stop()


def test_both_files_copied_at_one_instant_are_a_complete_backup(tmp_path: Path) -> None:
    """What docs/operations.md says of a snapshot: the database file and its WAL, taken at one
    instant while the server runs (here: the server frozen with SIGSTOP during the copy), open as a
    database holding every acknowledged write."""
    data_dir, copy_dir = tmp_path / "data", tmp_path / "copy"
    server = start_server(data_dir)
    headers = {"Authorization": f"Bearer {server.key}"}
    try:
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
            project = http.post("/v1/project", json={"name": "snap"}).json()
            eid = http.post("/v1/experiment", json={"project_id": project["id"], "name": "e"}).json()["id"]
            for n in range(20):
                batch = [{"id": f"{n}-{i}", "experiment_id": eid, "input": "x" * 2000} for i in range(10)]
                assert http.post("/logs3", json={"rows": batch}).status_code == 200
            assert wal_bytes(data_dir) > 0  # the snapshot must include the log
            server.process.send_signal(signal.SIGSTOP)
            try:
                copy_dir.mkdir()
                for name in ("assay.duckdb", "assay.duckdb.wal"):
                    (copy_dir / name).write_bytes((data_dir / name).read_bytes())
            finally:
                server.process.send_signal(signal.SIGCONT)
    finally:
        server.stop()
    copy = start_server(copy_dir, key=server.key)
    try:
        page = httpx.post(f"{copy.url}/v1/experiment/{eid}/fetch", json={"limit": 1000}, headers=headers)
        assert len(page.json()["events"]) == 200
    finally:
        copy.stop()

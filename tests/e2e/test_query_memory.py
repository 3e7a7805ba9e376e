"""A query needing more memory than the database may use gets a clear 4xx, and the server's memory
stays within the configured bound (a real `assay serve` with small limits)."""

from __future__ import annotations

import threading
import time

import httpx
import psutil
import pytest

from assay.testing import start_server

DB_MEMORY = 256 * 1024 * 1024


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.duckdb_only  # the embedded engine's memory limits, inside the server process
def test_query_over_the_memory_limit_is_a_4xx_and_rss_stays_bounded(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSAY_DB_MEMORY_BYTES", str(DB_MEMORY))
    monkeypatch.setenv("ASSAY_DB_TEMP_BYTES", "0")
    monkeypatch.setenv("ASSAY_QUERY_MEMORY_BYTES", str(64 * 1024 * 1024))
    srv = start_server(tmp_path / "srv")
    try:
        client = httpx.Client(base_url=srv.url, headers={"Authorization": f"Bearer {srv.key}"}, timeout=120)
        pid = client.post("/v1/project", json={"name": "p"}).json()["id"]
        eid = client.post("/v1/experiment", json={"project_id": pid, "name": "e"}).json()["id"]
        for start in range(0, 3000, 100):  # 3,000 distinct inputs of 100 KB: 300 MB of group keys
            rows = [
                {"id": f"r{i}", "experiment_id": eid, "input": f"{i:06d}" + "x" * 100_000}
                for i in range(start, start + 100)
            ]
            assert client.post("/logs3", json={"rows": rows}).status_code == 200
        process = psutil.Process(srv.process.pid)
        before = process.memory_info().rss
        peak, done = [before], threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], process.memory_info().rss)
                time.sleep(0.01)

        threading.Thread(target=sample, daemon=True).start()
        query = f"SELECT input, count(*) AS n FROM experiment('{eid}') GROUP BY input LIMIT 1"
        res = client.post("/btql", json={"query": query})
        done.set()
        assert res.status_code == 400, res.text
        assert "needs more memory than the database allows" in res.json()["error"]["message"]
        assert peak[0] - before < DB_MEMORY, (before, peak[0])
        assert client.get("/v1/project").status_code == 200
        ok = client.post("/btql", json={"query": f"SELECT count(*) AS n FROM experiment('{eid}')"})
        assert ok.json()["data"] == [{"n": 3000}]
    finally:
        srv.stop()

"""Nothing acknowledged is lost, and no request is half-visible, when the server is SIGKILLed mid-stream.

Client threads post `/logs3` requests of several rows each, all rows of a request sharing a
unique marker in `metadata`; a request counts as acknowledged once it got a 2xx. The server is
killed while they are writing, restarted on the same data directory, and every marker's row count
must be 0 or the full request — and the full request for every acknowledged one. The slow test
does it TRIALS times on one data directory, killing at a different moment each time, and checks
the whole history after every restart.
"""

from __future__ import annotations

import random
import signal
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.conftest import Server, database_url, start_server

ROWS_PER_REQUEST = 25
THREADS = 4
TRIALS = 10


def headers(server: Server) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.key}"}


def make_experiment(server: Server) -> str:
    with httpx.Client(base_url=server.url, headers=headers(server), timeout=30) as client:
        project = client.post("/v1/project", json={"name": "crash"}).json()
        return str(
            client.post("/v1/experiment", json={"project_id": project["id"], "name": "e"}).json()["id"]
        )


def request_rows(experiment_id: str, marker: str) -> list[dict[str, Any]]:
    rows = []
    for i in range(ROWS_PER_REQUEST):
        rows.append(
            {
                "id": f"{marker}-{i}",
                "experiment_id": experiment_id,
                "span_id": f"{marker}-{i}",
                "root_span_id": f"{marker}-0",
                "span_parents": None if i == 0 else [f"{marker}-0"],
                "input": {"question": "x" * 200, "i": i},
                "output": "y" * 100,
                "metadata": {"marker": marker},
                "scores": {"accuracy": 0.5},
                "metrics": {"start": 1.0, "end": 2.0},
            }
        )
    return rows


class Logger:
    """Client threads logging until the server goes away; they remember what was acknowledged."""

    def __init__(self, server: Server, experiment_id: str, prefix: str = "t", enough: int = 40) -> None:
        self.server, self.experiment_id, self.prefix, self.wanted = server, experiment_id, prefix, enough
        self.acked: set[str] = set()
        self.sent: set[str] = set()
        self.lock = threading.Lock()
        self.enough = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(t,), daemon=True) for t in range(THREADS)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=60)

    def _run(self, thread: int) -> None:
        with httpx.Client(base_url=self.server.url, headers=headers(self.server), timeout=30) as client:
            for n in range(1_000_000):
                marker = f"{self.prefix}{thread}-{n}"
                body = orjson.dumps({"rows": request_rows(self.experiment_id, marker), "api_version": 2})
                with self.lock:
                    self.sent.add(marker)
                try:
                    response = client.post("/logs3", content=body)
                except httpx.HTTPError:
                    return  # the server is gone
                if response.is_success:
                    with self.lock:
                        self.acked.add(marker)
                        if len(self.acked) >= self.wanted:
                            self.enough.set()


def fetch_all(server: Server, experiment_id: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    cursor = None
    with httpx.Client(base_url=server.url, headers=headers(server), timeout=60) as client:
        while True:
            body: dict[str, Any] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
            page = client.post(f"/v1/experiment/{experiment_id}/fetch", json=body)
            assert page.status_code == 200, page.text
            data = page.json()
            out += data["events"]
            cursor = data.get("cursor")
            if not cursor:
                return out


@pytest.mark.e2e
def test_sigkill_loses_no_acknowledged_row_and_no_request_is_half_visible(
    tmp_path: Path, db_backend: str, request: pytest.FixtureRequest
) -> None:
    data_dir, db_url = tmp_path / "data", database_url(request, db_backend, "crash")
    server = start_server(data_dir, db_url=db_url)
    try:
        experiment_id = make_experiment(server)
        logger = Logger(server, experiment_id)
        logger.start()
        assert logger.enough.wait(timeout=120), "the server acknowledged too few requests"
        server.stop(signal.SIGKILL)
        logger.join()
    finally:
        server.stop(signal.SIGKILL)

    assert logger.acked and logger.sent - logger.acked, "the kill should interrupt in-flight requests"
    restarted = start_server(data_dir, key=server.key, db_url=db_url)
    try:
        events = fetch_all(restarted, experiment_id)
    finally:
        restarted.stop()

    per_marker = Counter(e["metadata"]["marker"] for e in events)
    assert set(per_marker) <= logger.sent
    half_visible = {m: n for m, n in per_marker.items() if n != ROWS_PER_REQUEST}
    assert half_visible == {}
    lost = logger.acked - set(per_marker)
    assert lost == set()
    assert len({e["id"] for e in events}) == len(events)


def check_history(events: list[dict[str, Any]], sent: set[str], acked: set[str]) -> None:
    per_marker = Counter(e["metadata"]["marker"] for e in events)
    assert set(per_marker) <= sent
    assert {m: n for m, n in per_marker.items() if n != ROWS_PER_REQUEST} == {}  # no partial request
    assert acked - set(per_marker) == set()  # no acknowledged request lost
    assert len({e["id"] for e in events}) == len(events)


@pytest.mark.e2e
@pytest.mark.slow
def test_ten_sigkills_during_concurrent_ingestion_lose_nothing_acknowledged(
    tmp_path: Path, db_backend: str, request: pytest.FixtureRequest
) -> None:
    rng = random.Random(7)
    data_dir, db_url = tmp_path / "data", database_url(request, db_backend, "crash")
    server = start_server(data_dir, db_url=db_url)
    key = server.key
    experiment_id = make_experiment(server)
    sent: set[str] = set()
    acked: set[str] = set()
    interrupted = 0
    for trial in range(TRIALS):
        if trial:
            server = start_server(data_dir, key=key, db_url=db_url)
            check_history(fetch_all(server, experiment_id), sent, acked)
        logger = Logger(server, experiment_id, prefix=f"k{trial}-", enough=rng.randint(5, 40))
        try:
            logger.start()
            assert logger.enough.wait(timeout=120), "the server acknowledged too few requests"
            time.sleep(rng.uniform(0, 0.5))  # kill at a different point of the write path each time
            server.stop(signal.SIGKILL)
            logger.join()
        finally:
            server.stop(signal.SIGKILL)
        sent |= logger.sent
        acked |= logger.acked
        interrupted += len(logger.sent - logger.acked)
    restarted = start_server(data_dir, key=key, db_url=db_url)
    try:
        events = fetch_all(restarted, experiment_id)
    finally:
        restarted.stop()
    check_history(events, sent, acked)
    assert interrupted >= TRIALS, "each kill should interrupt requests in flight"
    print(f"{TRIALS} SIGKILLs: {len(acked)} requests acknowledged, {interrupted} interrupted, 0 lost")

"""Retrospective scoring against a real server: 1,000 rows with a heuristic scorer and a
classifier, the server killed mid-job and started again; the job resumes, finishes, and leaves
exactly one span per row and scorer; the summary and the comparison include the new scores;
`assay score` follows a job with its progress bar."""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ASSAY, database_url, start_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ROWS = 1000
SETTINGS = {"ASSAY_JOB_CHUNK_ROWS": "10", "ASSAY_JOB_LEASE_S": "2"}


def _ok(res: httpx.Response) -> Any:
    assert res.status_code == 200, res.text
    return res.json()


def _log(http: httpx.Client, eid: str, tag: str, *, refuse: bool) -> None:
    rows = [
        {
            "id": f"{tag}-{i}",
            "experiment_id": eid,
            "input": f"question {i}",
            "output": "I cannot help" if refuse and i % 10 == 0 else f"answer {i}",
            "expected": f"answer {i}" if i % 3 else f"answer {i + 1}",
        }
        for i in range(ROWS)
    ]
    _ok(http.post("/logs3", json={"rows": rows}))


def _wait(http: httpx.Client, job_id: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = _ok(http.get(f"/v1/job/{job_id}"))
        if job["state"] in ("done", "failed", "cancelled"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.2)


def _score_spans(http: httpx.Client, eid: str) -> list[dict[str, Any]]:
    events = _ok(http.post(f"/v1/experiment/{eid}/fetch", json={"limit": 100_000}))["events"]
    return [e for e in events if (e.get("span_attributes") or {}).get("purpose") == "scorer"]


def test_a_job_survives_a_crash_and_writes_each_span_once(
    tmp_path: Path, db_backend: str, request: pytest.FixtureRequest
) -> None:
    data, db_url = tmp_path / "data", database_url(request, db_backend, "rescore")
    server = start_server(data, env=SETTINGS, db_url=db_url)
    headers = {"Authorization": f"Bearer {server.key}"}
    try:
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
            pid = _ok(http.post("/v1/project", json={"name": "rescore"}))["id"]
            base = _ok(http.post("/v1/experiment", json={"project_id": pid, "name": "base"}))["id"]
            eid = _ok(
                http.post("/v1/experiment", json={"project_id": pid, "name": "new", "base_exp_id": base})
            )["id"]
            _log(http, eid, "new", refuse=True)
            classifier = _ok(
                http.post(
                    "/v1/function",
                    json={
                        "project_id": pid,
                        "name": "refusal",
                        "function_type": "classifier",
                        "function_data": {
                            "type": "rules",
                            "rules": [{"label": "Refusal", "regex": "(?i)cannot"}],
                        },
                    },
                )
            )
            scorers = [
                {"type": "global", "name": "Levenshtein"},
                {"type": "function", "id": classifier["id"]},
            ]
            job = _ok(http.post("/v1/job", json={"kind": "score", "object_id": eid, "scorers": scorers}))
            assert job["total"] == ROWS
            deadline = time.monotonic() + 60
            while (seen := _ok(http.get(f"/v1/job/{job['id']}")))["done"] == 0:
                assert time.monotonic() < deadline
                time.sleep(0.01)
        assert seen["state"] == "running" and seen["done"] < ROWS, seen  # really mid-job
        server.stop(signal.SIGKILL)
        server = start_server(data, key=server.key, env=SETTINGS, db_url=db_url)
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
            job = _wait(http, job["id"])
            assert (job["state"], job["done"], job["failed"]) == ("done", ROWS, 0)
            found = _score_spans(http, eid)
            per_row = Counter((s["span_parents"][0], s["span_attributes"]["name"]) for s in found)
            assert len(per_row) == 2 * ROWS and set(per_row.values()) == {1}  # exactly one per row and scorer
            labelled = [s for s in found if s.get("classifications")]
            assert len(labelled) == ROWS // 10

            # The base experiment, scored from the CLI, then the comparison.
            _log(http, base, "base", refuse=False)
            cli = subprocess.run(
                [ASSAY, "score", "base", "--project", "rescore", "--scorer", "Levenshtein"],
                env=server.env(),
                capture_output=True,
                text=True,
                timeout=180,
            )
            assert cli.returncode == 0, cli.stderr
            assert f"done: {ROWS} row(s) scored, 0 with a scorer error (Levenshtein)" in cli.stderr

            summary = _ok(
                http.get(f"/v1/experiment/{eid}/summarize", params={"comparison_experiment_id": base})
            )
            lev = summary["scores"]["Levenshtein"]
            assert summary["comparison_experiment_name"] == "base"
            assert 0 < lev["score"] < 1 and "diff" in lev
            assert (
                lev["regressions"] == ROWS // 10 and lev["improvements"] == 0
            )  # the refusals, matched by input
            rows = _ok(
                http.post(
                    f"/v1/experiment/{eid}/table",
                    json={
                        "row_type": "traces",
                        "compare_to": base,
                        "limit": 5,
                        "sort": [{"column": "scores.Levenshtein"}],
                    },
                )
            )["rows"]
            assert all("Levenshtein" in r["scores"] for r in rows)
    finally:
        server.stop()

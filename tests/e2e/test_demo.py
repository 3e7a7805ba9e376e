"""`assay demo`: one command serves Assay with a demo project produced by real SDK evaluations."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ASSAY, free_port

pytestmark = pytest.mark.e2e


def test_demo_serves_two_comparable_experiments(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [ASSAY, "demo", "--port", str(port), "--data-dir", str(tmp_path)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.time() + 180
        while "API key:" not in log.read_text() and time.time() < deadline:
            assert proc.poll() is None, log.read_text()
            time.sleep(0.5)
        text = log.read_text()
        url = re.search(r"ready at (http://\S+)/app/", text).group(1)  # type: ignore[union-attr]
        key = re.search(r"API key: (\S+)", text).group(1)  # type: ignore[union-attr]
        assert url == f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {key}"}

        def get(path: str, **kw: object) -> dict:
            resp = httpx.request(kw.pop("method", "GET"), url + path, headers=headers, timeout=30, **kw)  # type: ignore[arg-type]
            assert resp.status_code == 200, resp.text
            return resp.json()

        exps = get("/v1/experiment", params={"project_name": "demo"})["objects"]
        assert sorted(e["name"] for e in exps) == ["model-v1", "model-v2"]
        v2 = next(e for e in exps if e["name"] == "model-v2")
        assert v2["dataset_id"] and v2["base_exp_id"] == next(
            e["id"] for e in exps if e["name"] == "model-v1"
        )

        events = []
        cursor = None
        while True:
            page = get(
                f"/v1/experiment/{v2['id']}/fetch", method="POST", json={"limit": 100, "cursor": cursor}
            )
            events += page["events"]
            cursor = page.get("cursor")
            if not cursor:
                break
        roots = [e for e in events if e["is_root"]]
        assert len(roots) >= 50
        assert {(r["metadata"] or {}).get("category") for r in roots} >= {"capitals", "arithmetic"}
        assert {(r["metadata"] or {}).get("difficulty") for r in roots} >= {"easy", "medium", "hard"}
        assert all(r["origin"]["object_type"] == "dataset" for r in roots)
        assert any(r["error"] for r in roots), "a task error shows up on its trace"
        assert any("scorer_errors" in (r["metadata"] or {}) for r in roots), "a scorer failure is recorded"
        llm = [e for e in events if (e["span_attributes"] or {}).get("type") == "llm"]
        assert llm and all(s["metadata"]["model"] == "gpt-4o" for s in llm)
        assert all(s["metrics"]["prompt_tokens"] > 0 for s in llm if not s["error"])

        summary = get(f"/v1/experiment/{v2['id']}/summarize")
        assert summary["comparison_experiment_name"] == "model-v1"
        exact = summary["scores"]["ExactMatch"]
        assert exact["improvements"] > 0 and exact["regressions"] > 0
        assert summary["metrics"]["estimated_cost"]["metric"] > 0
    finally:
        proc.terminate()
        proc.wait(timeout=30)

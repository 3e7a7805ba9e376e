"""`assay analyze` against a real server: slices by name, errors, the dataset's question, code."""

from __future__ import annotations

import json
import subprocess

import httpx
import pytest

from tests.analysis.planted import planted_rows
from tests.conftest import ASSAY
from tests.query.helpers import trace_rows

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def experiment(server):
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {server.key}"}, timeout=60
    ) as c:
        pid = c.post("/v1/project", json={"name": "cli-analyze"}).json()["id"]
        eid = c.post("/v1/experiment", json={"project_id": pid, "name": "run"}).json()["id"]
        rows, _ = planted_rows(eid, 400, effect=lambda m: -0.3 if m["topic"] == "law" else 0.0)
        rows[0]["error"] = "Rate limit exceeded after 3 retries"
        rows[2]["error"] = "Rate limit exceeded after 5 retries"
        rows += trace_rows(eid, input="extra", child_scores=[{"acc": 0.0}])
        assert c.post("/logs3", json={"rows": rows, "api_version": 2}).status_code == 200
    return eid


def analyze(server, *args, stdin=None):
    return subprocess.run(
        [ASSAY, "analyze", *args, "--url", server.url],
        input=stdin,
        capture_output=True,
        text=True,
        env=server.env(),
        timeout=120,
    )


def test_slices_by_experiment_name(server, experiment):
    proc = analyze(server, "slices", "run", "--project", "cli-analyze", "--json", "--no-pairs")
    assert proc.returncode == 0, proc.stderr
    first = json.loads(proc.stdout)["slices"][0]
    assert first["values"] == [{"key": "topic", "value": "law"}]
    table = analyze(server, "slices", experiment, "--key", "topic")
    assert table.returncode == 0, table.stderr
    assert "topic=law" in table.stdout and "slice(s) of 5 tested" in table.stdout


def test_errors_table(server, experiment):
    proc = analyze(server, "errors", experiment)
    assert proc.returncode == 0, proc.stderr
    assert "Error categories" in proc.stdout and "2 error span(s)" in proc.stdout
    categories = json.loads(analyze(server, "errors", experiment, "--json").stdout)["categories"]
    assert [(c["pattern"], c["count"]) for c in categories] == [("Rate limit exceeded after <n> retries", 2)]


def test_dataset_asks_before_writing(server, experiment):
    args = [
        "dataset",
        experiment,
        "--filter",
        "metadata.topic = 'law'",
        "--filter",
        "scores.acc < 0.2",
        "--name",
        "law-fails",
    ]
    refused = analyze(server, *args, stdin="n\n")
    assert refused.returncode == 1
    assert "row(s) into a new dataset 'law-fails'" in refused.stderr
    found = httpx.get(
        server.url + "/v1/dataset",
        params={"dataset_name": "law-fails"},
        headers={"Authorization": f"Bearer {server.key}"},
    ).json()
    assert found["objects"] == []
    written = analyze(server, *args, "--yes")
    assert written.returncode == 0, written.stderr
    assert "wrote" in written.stdout and "law-fails" in written.stdout


def test_code_prints_a_script_and_errors_are_one_line(server, experiment):
    proc = analyze(server, "code", experiment, "--dataset", "law-fails", "--lang", "typescript")
    assert proc.returncode == 0, proc.stderr
    assert 'initDataset("cli-analyze", { dataset: "law-fails" })' in proc.stdout
    bad = analyze(server, "slices", experiment, "--score", "nope")
    assert bad.returncode == 1 and "400: score 'nope' not found" in bad.stderr
    missing = analyze(server, "errors", "nope", "--project", "cli-analyze")
    assert missing.returncode == 1 and "no experiment 'nope'" in missing.stderr

"""`assay experiments compare` against a real server: the rich table, --json, names, URLs, errors."""

from __future__ import annotations

import json
import subprocess

import httpx
import pytest

from tests.conftest import ASSAY
from tests.query.helpers import trace_rows

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def project(server):
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {server.key}"}, timeout=30
    ) as c:
        pid = c.post("/v1/project", json={"name": "cli-compare"}).json()["id"]
        ids = {}
        for name, scores in (("baseline", [0.5] * 4), ("better", [0.9, 0.8, 0.7, 0.6]), ("same", [0.5] * 4)):
            ids[name] = c.post("/v1/experiment", json={"project_id": pid, "name": name}).json()["id"]
            rows = []
            for i, v in enumerate(scores):
                rows += trace_rows(
                    ids[name], input=f"q{i}", child_scores=[{"acc": v}], metrics={"start": 0, "end": 1}
                )
            assert c.post("/logs3", json={"rows": rows, "api_version": 2}).status_code == 200
    return ids


def _run(server, *args):
    return subprocess.run(
        [ASSAY, "experiments", "compare", *args, "--url", server.url],
        capture_output=True,
        text=True,
        env=server.env(COLUMNS="200"),
        timeout=60,
    )


def test_json_has_a_row_per_measure_and_experiment(server, project):
    res = _run(server, "baseline", "better", "same", "--project", "cli-compare", "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["base"]["name"] == "baseline" and [c["name"] for c in out["comparisons"]] == ["better", "same"]
    acc = {r["experiment"]: r for r in out["rows"] if r["metric"] == "acc"}
    assert acc["baseline"]["role"] == "base" and acc["baseline"]["delta_vs_base"] == 0.0
    assert acc["better"]["delta_vs_base"] == pytest.approx(0.25) and acc["better"]["improvements"] == 4
    assert acc["better"]["paired"]["n"] == 4 and acc["better"]["paired"]["p_value"] < 0.05
    assert acc["same"]["paired"]["p_value"] == 1.0


def test_table_shows_values_deltas_and_intervals(server, project):
    res = _run(server, project["baseline"], "better", "same")
    assert res.returncode == 0, res.stderr
    assert "baseline (base)" in res.stdout and "better" in res.stdout
    assert "75.00%" in res.stdout and "(+25.00%)" in res.stdout and "▲4 ▼0" in res.stdout
    assert "CI [+" in res.stdout and "n=4" in res.stdout
    assert "unchanged row(s) hidden" in res.stderr  # duration did not change
    shown = _run(server, project["baseline"], "same", "--all")
    assert "duration" in shown.stdout


def test_an_app_url_names_the_base_and_comparisons(server, project):
    url = f"{server.url}/app/local/p/cli-compare/experiments/baseline?c=%5B%22{project['better']}%22%5D"
    res = _run(server, url, "--json")
    assert res.returncode == 0, res.stderr
    assert [c["name"] for c in json.loads(res.stdout)["comparisons"]] == ["better"]


def test_errors_are_one_line_and_exit_1(server, project):
    res = _run(server, "no-such-experiment")
    assert res.returncode == 1 and "no experiment 'no-such-experiment'" in res.stderr
    res = _run(server, "baseline", *["better"] * 8, "--project", "cli-compare")
    assert res.returncode == 1 and "at most 7" in res.stderr

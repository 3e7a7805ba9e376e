"""`assay sql` against a real server: the reviewed-vs-total query, stdin, --json, errors."""

from __future__ import annotations

import json
import subprocess

import httpx
import pytest

from tests.conftest import ASSAY
from tests.query.helpers import trace_rows

pytestmark = pytest.mark.e2e


def _client(server):
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {server.key}"}, timeout=30)


@pytest.fixture(scope="module")
def experiment(server):
    with _client(server) as c:
        pid = c.post("/v1/project", json={"name": "cli-sql"}).json()["id"]
        eid = c.post("/v1/experiment", json={"project_id": pid, "name": "reviewed"}).json()["id"]
        rows = []
        for i in range(4):
            scores = {"response quality": 0.5} if i % 2 == 0 else None
            rows += trace_rows(eid, input=f"q{i}", scores=scores, child_scores=[{"acc": 1.0}])
        assert c.post("/logs3", json={"rows": rows, "api_version": 2}).status_code == 200
    return eid


def _run(server, *args, stdin=None):
    env = server.env()
    return subprocess.run(
        [ASSAY, "sql", *args, "--url", server.url],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


REVIEWED = (
    'SELECT sum(CASE WHEN scores."response quality" IS NOT NULL THEN 1 ELSE 0 END) AS reviewed, '
    "sum(CASE WHEN is_root THEN 1 ELSE 0 END) AS total FROM experiment('{id}')"
)


def test_reviewed_vs_total_as_json(server, experiment):
    res = _run(server, REVIEWED.format(id=experiment), "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout) == [{"reviewed": 2, "total": 4}]


def test_table_output_and_stdin(server, experiment):
    res = _run(server, stdin=REVIEWED.format(id="reviewed"))
    assert res.returncode == 0, res.stderr
    assert "reviewed" in res.stdout and "total" in res.stdout and "1 row(s)" in res.stdout
    lines = [line for line in res.stdout.splitlines() if "2" in line and "4" in line]
    assert lines


def test_error_is_reported(server, experiment):
    res = _run(server, "SELECT nope FROM experiment('reviewed')")
    assert res.returncode == 1
    assert "400" in res.stderr and "unknown field 'nope'" in res.stderr


def test_environment_url(server, experiment):
    env = {k: v for k, v in server.env().items() if k != "BRAINTRUST_APP_URL"}
    env["ASSAY_URL"] = server.url
    res = subprocess.run(
        [ASSAY, "sql", "--json", f"SELECT count(*) AS n FROM experiment('{experiment}')"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout) == [{"n": 8}]

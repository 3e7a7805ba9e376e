"""`assay sync pull` and `push` against a real server: parts, manifest, state, resume, round trip."""

from __future__ import annotations

import json
import subprocess

import httpx
import pytest

from tests.conftest import ASSAY
from tests.query.helpers import trace_rows

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def source(server):
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {server.key}"}, timeout=30
    ) as c:
        pid = c.post("/v1/project", json={"name": "sync-src"}).json()["id"]
        eid = c.post("/v1/experiment", json={"project_id": pid, "name": "to-pull"}).json()["id"]
        rows = []
        for i in range(12):
            rows += trace_rows(eid, input=f"q{i}", metadata={"i": i}, child_scores=[{"acc": i / 12}])
        assert c.post("/logs3", json={"rows": rows, "api_version": 2}).status_code == 200
    return {"project": pid, "exp": eid}


def _assay(server, *args):
    return subprocess.run(
        [ASSAY, *args, "--url", server.url], capture_output=True, text=True, env=server.env(), timeout=120
    )


def _lines(folder):
    return [
        json.loads(line)
        for f in sorted((folder / "data").glob("part-*.jsonl"))
        for line in f.read_text().splitlines()
    ]


def test_pull_traces_then_push_round_trip(server, source, tmp_path):
    res = _assay(
        server,
        "sync",
        "pull",
        "experiment:to-pull",
        "--project",
        "sync-src",
        "--traces",
        "5",
        "--page-size",
        "3",
        "--root",
        str(tmp_path),
    )
    assert res.returncode == 0, res.stderr
    out = tmp_path / f"experiment_{source['exp']}"
    (spec_dir,) = list(out.iterdir())
    assert {p.name for p in spec_dir.iterdir()} >= {"spec.json", "state.json", "manifest.json", "data"}
    rows = _lines(spec_dir)
    assert len({r["root_span_id"] for r in rows}) == 5 and len(rows) == 10
    assert all("_pagination_key" in r and "_xact_id" in r for r in rows)
    manifest = json.loads((spec_dir / "manifest.json").read_text())
    assert manifest["rows"] == 10 and manifest["traces"] == 5
    again = _assay(
        server,
        "sync",
        "pull",
        "experiment:to-pull",
        "--traces",
        "5",
        "--page-size",
        "3",
        "--root",
        str(tmp_path),
    )
    assert again.returncode == 0 and "already completed" in again.stderr

    push = _assay(server, "sync", "push", str(spec_dir), "experiment:copy", "--project", "sync-dst")
    assert push.returncode == 0, push.stderr
    check = _assay(
        server,
        "sql",
        "--json",
        "SELECT count(*) AS n, count(DISTINCT root_span_id) AS t, "
        "sum(CASE WHEN is_root THEN 1 ELSE 0 END) AS roots FROM experiment('copy')",
    )
    assert json.loads(check.stdout) == [{"n": 10, "t": 5, "roots": 5}]


def test_pull_spans_with_filter_and_resume(server, source, tmp_path):
    args = [
        "sync",
        "pull",
        f"experiment:{source['exp']}",
        "--spans",
        "7",
        "--page-size",
        "2",
        "--root",
        str(tmp_path),
        "--filter",
        "span_attributes.type = 'score'",
    ]
    res = _assay(server, *args)
    assert res.returncode == 0, res.stderr
    (spec_dir,) = list((tmp_path / f"experiment_{source['exp']}").iterdir())
    rows = _lines(spec_dir)
    assert len(rows) == 7 and all(r["span_attributes"]["type"] == "score" for r in rows)
    # Pretend the pull died after three rows with a half-written line: it resumes without duplicates.
    state = json.loads((spec_dir / "state.json").read_text())
    part = spec_dir / "data" / "part-000001.jsonl"
    keep = part.read_text().splitlines()[:2]
    part.write_text("\n".join(keep) + "\n" + '{"half": ')
    state.update(phase="discover", rows=2, part_bytes=len(("\n".join(keep) + "\n").encode()))
    first = httpx.post(
        f"{server.url}/btql",
        headers={"Authorization": f"Bearer {server.key}"},
        json={
            "query": f"select: * | from: experiment('{source['exp']}') spans | limit: 2 | sort: _pagination_key DESC"
            " | filter: created >= NOW() - INTERVAL 259200 SECOND AND (span_attributes.type = 'score')"
        },
    )
    state["cursor"] = first.json()["cursor"]
    (spec_dir / "state.json").write_text(json.dumps(state))
    res = _assay(server, *args)
    assert res.returncode == 0, res.stderr
    resumed = _lines(spec_dir)
    assert [r["id"] for r in resumed] == [r["id"] for r in rows]

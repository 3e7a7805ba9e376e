"""The reference `bt` CLI against a real server: the binary npm installs with `braintrust` 3.35.0
(bt 0.12.0), and bt 0.20.0 for `experiments compare`, which 0.12.0 does not have yet.

The data is written through the REST API first (projects A and B, two experiments, a dataset and
project logs in each), so every command's output can be checked against what is stored.
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Server
from tests.e2e.sdk import api, experiment, fetch_all
from tests.e2e.ts_sdk import NODE_MODULES, workdir

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

BT = NODE_MODULES / ".bin" / "bt"  # 0.12.0, from braintrust 3.35.0's optional dependency
BT_COMPARE = NODE_MODULES / "bt-0.20" / "bin" / "bt"  # pinned alias in tests/e2e/ts/package.json
INPUTS = ["Foo", "Bar", "Baz"]


def bt(server: Server, cwd: Path, *args: str, binary: Path = BT) -> str:
    env = server.env(BRAINTRUST_NO_COLOR="1")
    proc = subprocess.run(
        [str(binary), *args, "--no-input"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def bt_json(server: Server, cwd: Path, *args: str, binary: Path = BT) -> Any:
    return json.loads(bt(server, cwd, *args, "--json", binary=binary))


def log(server: Server, rows: list[dict[str, Any]]) -> None:
    now = datetime.now(UTC).isoformat()
    api(server, "POST", "/logs3", json={"rows": [{"created": now, **r} for r in rows], "api_version": 2})


def trace(owner: dict[str, str], name: str, input: str, output: str, score: float) -> list[dict[str, Any]]:
    root = {"id": f"{name}-root", "span_id": f"{name}-root", "root_span_id": f"{name}-trace"}
    scorer = {"id": f"{name}-score", "span_id": f"{name}-score", "root_span_id": f"{name}-trace"}
    return [
        {
            **owner,
            **root,
            "input": input,
            "output": output,
            "span_attributes": {"name": "eval", "type": "eval"},
        },
        {
            **owner,
            **scorer,
            "span_parents": [f"{name}-root"],
            "scores": {"match": score},
            "span_attributes": {"name": "match", "type": "score"},
        },
    ]


@pytest.fixture(scope="module")
def data(server: Server) -> dict[str, Any]:
    projects = {name: api(server, "POST", "/v1/project", json={"name": name}) for name in ("A", "B")}
    for name, project in projects.items():
        log(
            server,
            [
                {
                    "project_id": project["id"],
                    "log_id": "g",
                    "id": f"log-{name}-{i}",
                    "input": f"{name} says {i}",
                }
                for i in range(3)
            ],
        )
    exps = {}
    for name, outputs in (
        ("run-a", ["Hi Foo", "Hi Bar", "Hi Baz"]),
        ("run-b", ["Hi Foo", "Hello Bar", "Hey Baz"]),
    ):
        exps[name] = api(
            server, "POST", "/v1/experiment", json={"project_id": projects["A"]["id"], "name": name}
        )
        owner = {"experiment_id": exps[name]["id"]}
        expected = {"Foo": "Hi Foo", "Bar": "Hello Bar", "Baz": "Hi Baz"}
        rows = [
            r
            for i, o in zip(INPUTS, outputs, strict=True)
            for r in trace(owner, i, i, o, float(o == expected[i]))
        ]
        log(server, rows)
    ds = api(server, "POST", "/v1/dataset", json={"project_id": projects["A"]["id"], "name": "golden"})
    log(
        server,
        [{"dataset_id": ds["id"], "id": i, "input": i, "expected": f"Hi {i}", "tags": ["t"]} for i in INPUTS],
    )
    return {"projects": projects, "experiments": exps, "dataset": ds}


def test_view_logs_shows_only_that_projects_logs(
    server: Server, data: dict[str, Any], tmp_path: Path
) -> None:
    for name in ("A", "B"):
        out = bt_json(server, tmp_path, "view", "logs", "--project", name)
        inputs = sorted(item["row"]["input"] for item in out["items"])
        assert inputs == [f"{name} says {i}" for i in range(3)], out


def test_sql(server: Server, data: dict[str, Any], tmp_path: Path) -> None:
    exp = data["experiments"]["run-a"]["id"]
    query = f"SELECT input, output FROM experiment('{exp}') WHERE is_root ORDER BY input"
    out = bt_json(server, tmp_path, "sql", "--non-interactive", query)
    assert out["data"] == [{"input": i, "output": f"Hi {i}"} for i in sorted(INPUTS)]
    table = bt(server, tmp_path, "sql", "--non-interactive", query)
    assert "| input | output" in table and "| Bar   | Hi Bar" in table
    agg = bt_json(
        server,
        tmp_path,
        "sql",
        "--non-interactive",
        f"SELECT avg(scores.match) AS m FROM experiment('{exp}')",
    )
    assert agg["data"] == [{"m": pytest.approx(2 / 3)}]  # Foo and Baz match


def test_experiments_list_and_view(server: Server, data: dict[str, Any], tmp_path: Path) -> None:
    listed = bt_json(server, tmp_path, "experiments", "list", "-p", "A")
    assert sorted(e["name"] for e in listed) == ["run-a", "run-b"]
    assert bt_json(server, tmp_path, "experiments", "list", "-p", "B") == []
    viewed = bt_json(server, tmp_path, "experiments", "view", "run-b", "-p", "A")
    assert viewed["id"] == data["experiments"]["run-b"]["id"]
    assert "run-b" in bt(server, tmp_path, "experiments", "view", "run-b", "-p", "A")


def test_experiments_compare(server: Server, data: dict[str, Any], tmp_path: Path) -> None:
    out = bt_json(server, tmp_path, "experiments", "compare", "run-a", "run-b", "-p", "A", binary=BT_COMPARE)
    assert out["base"]["name"] == "run-a" and [c["name"] for c in out["comparisons"]] == ["run-b"]
    match = {r["role"]: r for r in out["rows"] if r["metric"] == "match"}
    assert match["base"]["value"] == pytest.approx(2 / 3)
    assert match["comparison"]["value"] == pytest.approx(2 / 3)
    assert match["comparison"]["delta_vs_base"] == pytest.approx(0)
    # Bar went from wrong to right, Baz from right to wrong.
    assert (match["comparison"]["improvements"], match["comparison"]["regressions"]) == (1, 1)
    text = bt(
        server, tmp_path, "experiments", "compare", "run-a", "run-b", "-p", "A", "--all", binary=BT_COMPARE
    )
    assert "run-a" in text and "match" in text


def test_datasets_list_and_view(server: Server, data: dict[str, Any], tmp_path: Path) -> None:
    listed = bt_json(server, tmp_path, "datasets", "list", "-p", "A")
    assert [d["name"] for d in listed] == ["golden"]
    viewed = bt_json(server, tmp_path, "datasets", "view", "golden", "-p", "A")
    assert viewed["dataset"]["id"] == data["dataset"]["id"]
    assert sorted((r["id"], r["input"], r["expected"], r["tags"]) for r in viewed["rows"]) == sorted(
        (i, i, f"Hi {i}", ["t"]) for i in INPUTS
    )


def test_sync_pull_then_push(server: Server, data: dict[str, Any], tmp_path: Path) -> None:
    work = workdir(tmp_path)
    bt(server, work, "sync", "pull", "experiment:run-a", "-p", "A")
    (part,) = list((work / "bt-sync").rglob("data/*.jsonl"))
    pulled = [json.loads(line) for line in part.read_text().splitlines()]
    stored = fetch_all(server, "experiment", data["experiments"]["run-a"]["id"])
    fields = ("id", "input", "output", "scores", "span_id", "root_span_id", "span_parents", "span_attributes")
    assert sorted(tuple(json.dumps(r.get(f)) for f in fields) for r in pulled) == sorted(
        tuple(json.dumps(e.get(f)) for f in fields) for e in stored
    )

    bt(server, work, "sync", "push", "experiment:run-a-copy", "-p", "A", "--in", str(part.parent))
    copy = fetch_all(server, "experiment", experiment(server, "A", "run-a-copy")["id"])
    assert sorted(tuple(json.dumps(r.get(f)) for f in fields) for r in copy) == sorted(
        tuple(json.dumps(e.get(f)) for f in fields) for e in stored
    )

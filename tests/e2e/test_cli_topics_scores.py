"""`assay topics run` and `assay project-scores list|create|delete` against a real `assay serve`:
topics label every trace (the table's label column reads them), an aggregate created from the
CLI is the hand-computed formula in the summary, and bad input is a clear error, not a traceback."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import httpx
import pytest

from tests.conftest import ASSAY

pytestmark = pytest.mark.e2e
THEMES = {
    "billing": "refund invoice charged payment",
    "login": "password login account locked",
    "shipping": "delivery package shipping tracking",
}


@pytest.fixture(scope="module")
def api(server: Any) -> Any:
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {server.key}"}, timeout=60
    ) as c:
        yield c


@pytest.fixture(scope="module")
def experiment(api: Any) -> str:
    pid = api.post("/v1/project", json={"name": "cli-topics"}).json()["id"]
    eid = api.post("/v1/experiment", json={"project_id": pid, "name": "run"}).json()["id"]
    rows = []
    for i in range(30):
        theme = list(THEMES)[i % 3]
        words = THEMES[theme].split()
        text = " ".join(words[j % 4] for j in range(i, i + 3)) + " please help"
        scores = {"a": (i % 5) / 4, **({"b": 0.5} if i % 2 else {})}
        rows.append(
            {
                "id": f"r{i}",
                "experiment_id": eid,
                "input": text,
                "metadata": {"theme": theme},
                "scores": scores,
            }
        )
    assert api.post("/logs3", json={"rows": rows}).status_code == 200
    return eid


def cli(server: Any, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ASSAY, *args, "--url", server.url], capture_output=True, text=True, env=server.env(), timeout=180
    )


def test_topics_run_labels_every_trace_by_theme(server: Any, api: Any, experiment: str) -> None:
    proc = cli(server, "topics", "run", "run", "--project", "cli-topics", "--topics", "3")
    assert proc.returncode == 0, proc.stderr
    assert "topics" in proc.stderr and "1/1" in proc.stderr  # the progress bar, finished
    assert "Topics: 30 traces, TF-IDF + k-means over the input" in proc.stdout
    assert proc.stdout.count("33.3%") == 3  # three topics of 10 traces each
    rows = api.post(f"/v1/experiment/{experiment}/table", json={"limit": 100}).json()["rows"]
    topic_of: dict[str, set[str]] = {}
    for r in rows:
        [item] = r["classifications"]["Topics"]
        topic_of.setdefault(item["label"], set()).add(r["metadata"]["theme"])
    assert len(topic_of) == 3 and all(len(themes) == 1 for themes in topic_of.values())
    again = cli(server, "topics", "run", experiment, "--name", "Themes", "--topics", "3", "--json")
    assert again.returncode == 0, again.stderr
    job = json.loads(again.stdout)
    assert job["state"] == "done" and job["result"]["name"] == "Themes"
    assert sorted(t["count"] for t in job["result"]["topics"]) == [10, 10, 10]
    fields = api.get(f"/v1/experiment/{experiment}/table/fields").json()
    assert fields["classifications"] == ["Themes", "Topics"]


def test_topics_run_refuses_what_it_cannot_do(server: Any, experiment: str) -> None:
    missing = cli(server, "topics", "run", "nope", "--project", "cli-topics")
    assert missing.returncode == 1 and "no experiment named 'nope'" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_project_scores_create_list_and_delete(server: Any, api: Any, experiment: str) -> None:
    base = ("--project", "cli-topics")
    made = cli(server, "project-scores", "create", "overall", *base, "--score", "a=3", "--score", "b=1")
    assert made.returncode == 0, made.stderr
    assert "overall: weighted of a=3, b=1" in made.stderr
    worst = cli(server, "project-scores", "create", "worst", *base, "--type", "minimum", "-s", "a", "-s", "b")
    assert worst.returncode == 0, worst.stderr
    listed = json.loads(cli(server, "project-scores", "list", *base, "--json").stdout)
    assert {(s["name"], s["score_type"], json.dumps(s["categories"])) for s in listed} == {
        ("overall", "weighted", json.dumps({"a": 3.0, "b": 1.0})),
        ("worst", "minimum", json.dumps(["a", "b"])),
    }
    table = cli(server, "project-scores", "list", *base)
    assert "overall" in table.stdout and "minimum" in table.stdout

    # The summary holds the hand-computed means: a missing component (b on even rows) is skipped.
    a = [(i % 5) / 4 for i in range(30)]
    b = [0.5 if i % 2 else None for i in range(30)]
    overall = [(3 * x + y) / 4 if y is not None else x for x, y in zip(a, b, strict=True)]
    least = [min(x, y) if y is not None else x for x, y in zip(a, b, strict=True)]
    summary = api.get(f"/v1/experiment/{experiment}/summarize").json()["scores"]
    assert summary["overall"]["score"] == pytest.approx(sum(overall) / 30)
    assert summary["worst"]["score"] == pytest.approx(sum(least) / 30)

    kept = cli(server, "project-scores", "create", "overall", *base, "--score", "a=1")
    assert kept.returncode == 0 and "kept unchanged" in kept.stderr
    replaced = cli(
        server, "project-scores", "create", "overall", *base, "--score", "a=1", "--replace", "--json"
    )
    assert json.loads(replaced.stdout)["categories"] == {"a": 1.0}

    gone = cli(server, "project-scores", "delete", "worst", *base)
    assert gone.returncode == 0 and "deleted worst" in gone.stderr
    names = [s["name"] for s in json.loads(cli(server, "project-scores", "list", *base, "--json").stdout)]
    assert names == ["overall"]


def test_project_scores_bad_input_is_a_clear_error(server: Any) -> None:
    base = ("--project", "cli-topics")
    cases = [
        (("create", "x", *base, "--score", "a=heavy"), "the weight must be a number"),
        (("create", "x", *base, "--type", "median", "--score", "a"), "400"),  # the server's answer
        (("delete", "nothing", *base), "no aggregate score 'nothing'"),
        (("list", "--project", "no-such-project"), "no project 'no-such-project'"),
    ]
    for args, message in cases:
        proc = cli(server, "project-scores", *args)
        assert proc.returncode == 1, (args, proc.stderr)
        assert message in proc.stderr, (args, proc.stderr)
        assert "Traceback" not in proc.stderr

"""A large run logged through the real SDK as fast as it accepts spans arrives whole.

The SDK flushes in the background (its default) while the program keeps logging, so the server is
under sustained load from two sending threads for the whole run; a request it failed or timed out
would be retried twice and then dropped by the SDK without an error. The SDK's queue is raised
(`BRAINTRUST_QUEUE_SIZE`) to hold the whole run: with its default of 25,000 events the SDK's own
process drops the oldest events of a run this size even against a server that answers at once
(`bench/sdk_ceiling.py`), so only a raised queue makes "every span stored" the server's property.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import Server
from tests.e2e.sdk import api

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CASES = 3_000  # per experiment: 4 spans and 12 SDK events a case
SCRIPT = """
import json, sys, braintrust

n = int(sys.argv[1])
ids = {}
for name in ("baseline", "candidate"):
    exp = braintrust.init(project="volume", experiment=name)
    for i in range(n):
        score = ((i * 7919 + (name == "candidate") * 13) % 101) / 100
        with exp.start_span(name="eval", type="eval", input={"case": i, "text": "x" * 300}) as root:
            with root.start_span(name="task", type="task") as task:
                with task.start_span(name="llm", type="llm") as llm:
                    llm.log(output="y" * 500, metrics={"prompt_tokens": 100 + i % 50, "completion_tokens": 20})
                task.log(output="y" * 500)
            with root.start_span(name="scorers", type="score") as scorer:
                scorer.log(scores={"quality": score})
            root.log(output="y" * 500, expected="z" * 200)
    ids[name] = exp.id
braintrust.flush()
print("RESULT " + json.dumps(ids))
"""


def score(name: str, i: int) -> float:
    return ((i * 7919 + (name == "candidate") * 13) % 101) / 100


def test_a_large_run_logged_in_the_background_is_stored_whole(server: Server, tmp_path: Path) -> None:
    script = tmp_path / "volume.py"
    script.write_text(textwrap.dedent(SCRIPT))
    env = server.env(BRAINTRUST_QUEUE_SIZE=str(20 * CASES))
    env.pop("BRAINTRUST_SYNC_FLUSH")  # the SDK's default: send while the program logs
    proc = subprocess.run(
        [sys.executable, str(script), str(CASES)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "dropped" not in proc.stderr.lower(), proc.stderr
    ids = json.loads(proc.stdout.splitlines()[-1].removeprefix("RESULT "))
    for name, experiment_id in ids.items():
        found = api(
            server,
            "POST",
            "/btql",
            json={"query": f"select count(*) as n from experiment('{experiment_id}')"},
        )
        assert found["data"][0]["n"] == 4 * CASES, name
        summary = api(
            server, "GET", f"/v1/experiment/{experiment_id}/summarize", params={"summarize_scores": "true"}
        )
        assert summary["scores"]["quality"]["score"] == pytest.approx(
            sum(score(name, i) for i in range(CASES)) / CASES
        )
    compared = api(
        server,
        "GET",
        f"/v1/experiment/{ids['candidate']}/summarize",
        params={"comparison_experiment_id": ids["baseline"]},
    )["scores"]["quality"]
    deltas = [score("candidate", i) - score("baseline", i) for i in range(CASES)]
    assert (compared["improvements"], compared["regressions"]) == (
        sum(d > 0 for d in deltas),
        sum(d < 0 for d in deltas),
    )

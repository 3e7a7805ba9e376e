"""From failing rows to a re-run: a dataset made of "rows where ExactMatch = 0", and the generated
`Eval()` script run over it through the real SDK and autoevals, against a real server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Server
from tests.e2e.sdk import api, experiment, fetch_all, run_script

pytestmark = pytest.mark.e2e

EVAL = """
import braintrust
from autoevals import ExactMatch

data = [{"input": name, "expected": "Hi " + name} for name in ["Ann", "Bo", "Cy", "Di", "Ed", "Flo"]]

def task(input):
    return "Hi " + input if input in ("Ann", "Cy", "Ed") else "Bye " + input

braintrust.Eval("analysis-proj", data=data, task=task, scores=[ExactMatch], experiment_name="first")
"""

STUB = 'raise NotImplementedError("write the task under test")'


def test_failures_become_a_dataset_and_the_generated_eval_reruns_them(server: Server, tmp_path: Path) -> None:
    run_script(server, tmp_path, EVAL)
    first = experiment(server, "analysis-proj", "first")
    made = api(
        server,
        "POST",
        f"/v1/experiment/{first['id']}/analysis/dataset",
        json={"selection": {"filters": ["scores.ExactMatch = 0"]}, "dataset_name": "failures"},
    )
    assert made["rows"] == 3
    records = fetch_all(server, "dataset", made["dataset_id"])
    assert sorted(r["input"] for r in records) == ["Bo", "Di", "Flo"]
    assert all(r["origin"]["object_id"] == first["id"] for r in records)

    code = api(
        server, "POST", f"/v1/experiment/{first['id']}/analysis/code", json={"dataset_name": "failures"}
    )
    assert [s["source"] for s in code["scorers"]] == ["autoevals"]
    script = code["python"]
    assert STUB in script
    # The user writes the task under test: here, the fixed one.
    run_script(server, tmp_path, script.replace(STUB, 'return "Hi " + input'))
    rerun = experiment(server, "analysis-proj", "first (re-run)")
    rows = [r for r in fetch_all(server, "experiment", rerun["id"]) if r.get("is_root")]
    assert sorted(r["input"] for r in rows) == ["Bo", "Di", "Flo"]
    assert all(r["output"] == "Hi " + r["input"] for r in rows)
    summary = api(server, "GET", f"/v1/experiment/{rerun['id']}/summarize")
    assert summary["scores"]["ExactMatch"]["score"] == 1.0

"""`Eval()` and `braintrust eval FILE` through the real SDK and autoevals, against a real server."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import Server
from tests.e2e.sdk import api, experiment, fetch_all, run_script

pytestmark = pytest.mark.e2e

EVAL = """
import json, braintrust
from autoevals import ExactMatch, Levenshtein

data = [
    {"input": "Foo", "expected": "Hi Foo", "metadata": {"category": "greet"}},
    {"input": "Bar", "expected": "Hello Bar", "metadata": {"category": "greet"}},
    {"input": "Baz", "expected": "Hi Baz", "metadata": {"category": "other"}},
]

def task_a(input):
    with braintrust.start_span(name="llm", type="llm") as span:
        span.log(input=input, output="Hi " + input, metadata={"model": "gpt-4o-mini"},
                 metrics={"prompt_tokens": 10, "completion_tokens": 3, "tokens": 13})
    return "Hi " + input

def task_b(input):
    return {"Foo": "Hi Foo", "Bar": "Hello Bar", "Baz": "Hey Baz"}[input]

a = braintrust.Eval("eval-proj", data=data, task=task_a, scores=[Levenshtein, ExactMatch], experiment_name="run-a")
b = braintrust.Eval("eval-proj", data=data, task=task_b, scores=[Levenshtein, ExactMatch], experiment_name="run-b")
print("RESULT " + json.dumps({
    "a": {k: v.score for k, v in a.summary.scores.items()},
    "b": {k: {"score": v.score, "improvements": v.improvements, "regressions": v.regressions, "diff": v.diff}
          for k, v in b.summary.scores.items()},
    "b_comparison": b.summary.comparison_experiment_name,
    "a_metrics": sorted(a.summary.metrics),
}))
"""


def test_eval_twice_records_and_compares(server: Server, tmp_path: Path) -> None:
    result, output = run_script(server, tmp_path, EVAL)
    # run-a: outputs "Hi X" vs expected; Bar differs -> ExactMatch 2/3.
    assert result["a"]["ExactMatch"] == pytest.approx(2 / 3)
    # run-b fixes Bar and breaks Baz: one improvement and one regression on ExactMatch.
    assert result["b_comparison"] == "run-a"
    assert result["b"]["ExactMatch"] == {
        "score": pytest.approx(2 / 3),
        "improvements": 1,
        "regressions": 1,
        "diff": pytest.approx(0.0),
    }
    assert "run-b compared to run-a" in output  # what the SDK prints after the second Eval
    assert {"duration", "prompt_tokens", "completion_tokens", "total_tokens", "estimated_cost"} <= set(
        result["a_metrics"]
    )

    exp = experiment(server, "eval-proj", "run-a")
    events = fetch_all(server, "experiment", exp["id"])
    roots = [e for e in events if e["is_root"]]
    assert sorted(r["input"] for r in roots) == ["Bar", "Baz", "Foo"]
    assert {r["metadata"]["category"] for r in roots} == {"greet", "other"}
    scorer_spans = [e for e in events if (e.get("span_attributes") or {}).get("type") == "score"]
    assert len(scorer_spans) == 6  # two scorers per test case
    llm = [e for e in events if (e.get("span_attributes") or {}).get("type") == "llm"]
    assert len(llm) == 3 and all(s["metrics"]["tokens"] == 13 for s in llm)
    # every span belongs to one of the three traces
    assert {e["root_span_id"] for e in events} == {r["root_span_id"] for r in roots}


def test_braintrust_eval_command(server: Server, tmp_path: Path) -> None:
    (tmp_path / "eval_greeting.py").write_text(
        textwrap.dedent(
            """
            from braintrust import Eval
            from autoevals import Levenshtein

            Eval(
                "cli-proj",
                data=lambda: [{"input": "Foo", "expected": "Hi Foo"}, {"input": "Bar", "expected": "Hi Bar"}],
                task=lambda input: "Hi " + input,
                scores=[Levenshtein],
                experiment_name="from-cli",
            )
            """
        )
    )
    cli = Path(sys.executable).with_name("braintrust")
    proc = subprocess.run(
        [str(cli), "eval", "eval_greeting.py"],
        env=server.env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    exp = experiment(server, "cli-proj", "from-cli")
    summary = api(server, "GET", f"/v1/experiment/{exp['id']}/summarize")
    assert summary["scores"]["Levenshtein"]["score"] == pytest.approx(1.0)
    roots = [e for e in fetch_all(server, "experiment", exp["id"]) if e["is_root"]]
    assert sorted((r["input"], r["output"]) for r in roots) == [("Bar", "Hi Bar"), ("Foo", "Hi Foo")]

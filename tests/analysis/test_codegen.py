"""Generated Eval() scripts: valid Python and TypeScript, the experiment's scorers, names escaped."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.query.helpers import log, make_experiment, make_project, trace_rows

ESBUILD = Path(__file__).resolve().parents[2] / "ui" / "node_modules" / ".bin" / "esbuild"


@pytest.fixture
def generated(api):
    pid = make_project(api, 'proj "quoted"\nname')
    eid = make_experiment(api, pid, "exp")
    log(
        api,
        trace_rows(
            eid, input="a", child_scores=[{"Levenshtein": 1, "ExactMatch": 0, "my score-2": 0.5, "2x": 1}]
        ),
    )
    res = api.post(f"/v1/experiment/{eid}/analysis/code", json={"dataset_name": "failures'); import os; ('"})
    assert res.status_code == 200, res.text
    return res.json()


def test_the_scorers_are_the_experiments(generated):
    plans = {s["name"]: (s["source"], s["function"]) for s in generated["scorers"]}
    assert plans == {
        "ExactMatch": ("autoevals", "ExactMatch"),
        "Levenshtein": ("autoevals", "Levenshtein"),
        "my score-2": ("stub", "my_score_2"),
        "2x": ("stub", "score_2x"),
    }
    assert "from autoevals import ExactMatch, Levenshtein" in generated["python"]
    assert 'import { ExactMatch, Levenshtein } from "autoevals";' in generated["typescript"]


def test_the_python_script_compiles_and_names_stay_strings(generated):
    code = generated["python"]
    tree = compile(code, "eval.py", "exec", flags=0x400)  # PyCF_ONLY_AST
    imports = [n for n in __import__("ast").walk(tree) if type(n).__name__ in ("Import", "ImportFrom")]
    assert {getattr(n, "module", None) for n in imports} == {"braintrust", "autoevals"}  # nothing injected
    assert "\"failures'); import os; ('\"" in code
    assert "scores=[score_2x, ExactMatch, Levenshtein, my_score_2]" in code


@pytest.mark.skipif(
    not ESBUILD.exists() or shutil.which("node") is None, reason="ui/node_modules not installed"
)
def test_the_typescript_script_transpiles(generated, tmp_path):
    src = tmp_path / "eval.ts"
    src.write_text(generated["typescript"])
    proc = subprocess.run([str(ESBUILD), str(src), "--log-level=error"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "scores: [score_2x, ExactMatch, Levenshtein, my_score_2]" in generated["typescript"]

"""The browser tests' project: real `Eval()` runs through the official SDK against a running Assay.

This was the first `assay demo`; the browser tests keep it because they check exact figures of a
small, stable project (60 rows, two experiments). `assay demo` itself now loads `assay.demo`.

Two experiments over the bundled dataset (60 cases, four categories, three difficulties), each
test case with a nested `llm` span carrying token metrics and a model name, scored by autoevals'
Levenshtein and ExactMatch and a numeric scorer that fails on prose answers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PROJECT = "demo"
DATASET = "questions"


def load_cases() -> list[dict[str, Any]]:
    text = (Path(__file__).parent / "cases.jsonl").read_text()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def make_task(version: str) -> Any:
    import braintrust
    from braintrust.span_types import SpanTypeAttribute

    from tests.browser.questions.model import MODELS, answer, token_counts

    def task(question: str) -> str:
        with braintrust.start_span(name="chat completion", type=SpanTypeAttribute.LLM) as span:
            span.log(input=[{"role": "user", "content": question}], metadata={"model": MODELS[version]})
            reply = answer(version, question)
            prompt, completion = token_counts(question, reply)
            span.log(
                output=reply,
                metrics={
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                    "tokens": prompt + completion,
                },
            )
        return reply

    return task


def numeric_diff(
    input: Any, output: Any, expected: Any, metadata: dict[str, Any] | None = None
) -> float | None:
    """Closeness of numeric answers; raises on answers that are not numbers (a scorer error)."""
    from autoevals import NumericDiff

    if (metadata or {}).get("category") != "arithmetic":
        return None
    return NumericDiff()(float(output), float(expected)).score


def run(api_url: str, api_key: str) -> list[str]:
    """Load the dataset and run both experiments; return one summary line per experiment."""
    import braintrust
    from autoevals import ExactMatch, Levenshtein

    braintrust.login(app_url=api_url, api_key=api_key, force_login=True)
    dataset = braintrust.init_dataset(project=PROJECT, name=DATASET)
    if not list(dataset.fetch()):
        for case in load_cases():
            dataset.insert(
                id=case["id"], input=case["input"], expected=case["expected"], metadata=case["metadata"]
            )
        dataset.flush()
    lines = []
    for version in ("v1", "v2"):
        result = braintrust.Eval(
            PROJECT,
            data=braintrust.init_dataset(project=PROJECT, name=DATASET),
            task=make_task(version),
            scores=[Levenshtein, ExactMatch, numeric_diff],
            experiment_name=f"model-{version}",
            metadata={"model": f"demo-{version}", "prompt": "answer briefly"},
            max_concurrency=8,
        )
        summary = result.summary
        scores = ", ".join(
            f"{name} {s.score:.1%}"
            + (f" ({s.improvements} up, {s.regressions} down)" if s.diff is not None else "")
            for name, s in summary.scores.items()
        )
        against = f" vs {summary.comparison_experiment_name}" if summary.comparison_experiment_name else ""
        lines.append(f"{summary.experiment_name}{against}: {scores}")
    return lines

"""The demo's scorers, besides autoevals' ExactMatch and Levenshtein.

`Correctness` imitates an LLM judge (as autoevals' classifiers do: the judge answers by calling a
`select_choice` tool with its reasoning) but decides by rules, so it needs no network and gives the
same grade every run; its score span carries the choice and the rationale. `numeric_closeness` and
`json_fields` are the scorers that fail on some outputs: an exception in a scorer is recorded by
the SDK as a scorer error on the trace, which is what the demo wants to show.
"""

from __future__ import annotations

import json
import re
from typing import Any

JUDGE_MODEL = "gpt-4o-mini"
CHOICES = {"A": 1.0, "B": 0.6, "C": 0.3, "D": 0.0}
JUDGE_PROMPT = (
    "You are grading an answer against a reference. Choose A if it states the reference exactly, "
    "B if it holds the reference with extra words, C if it is partly right, D if it is wrong."
)


def _norm(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value)).strip().lower().rstrip(".")


def grade(output: Any, expected: Any) -> tuple[str, str]:
    """The judge's choice and rationale for `output` against the reference `expected`."""
    got, want = _norm(output), _norm(expected)
    said, ref = f"“{str(output).strip()}”", f"“{str(expected).strip()}”"
    if got == want:
        return "A", f"The answer states the reference {ref} exactly."
    if want and want in got:
        return "B", f"The answer {said} contains the reference {ref} but adds words around it."
    shared = set(re.findall(r"\w+", got)) & set(re.findall(r"\w+", want))
    if len(shared) >= max(2, len(set(re.findall(r"\w+", want))) // 2):
        return (
            "C",
            f"The answer {said} shares {len(shared)} key terms with the reference {ref} but differs on others.",
        )
    return "D", f"The answer {said} does not match the reference {ref}."


def Correctness(input: Any, output: Any, expected: Any) -> Any:
    """A model-graded-style score: a judge call (an LLM span) and its rationale on the score span."""
    import braintrust
    from braintrust import Score
    from braintrust.span_types import SpanTypeAttribute

    choice, rationale = grade(output, expected)
    question = input["question"] if isinstance(input, dict) else input
    messages = [
        {"role": "system", "content": JUDGE_PROMPT},
        {"role": "user", "content": f"Question: {question}\nReference: {expected}\nAnswer: {output}"},
    ]
    call = {
        "id": "call_judge",
        "type": "function",
        "function": {
            "name": "select_choice",
            "arguments": json.dumps({"reasoning": rationale, "choice": choice}),
        },
    }
    reply = {"role": "assistant", "content": None, "tool_calls": [call]}
    prompt, completion = 60 + len(str(messages)) // 4, 12 + len(rationale) // 4
    with braintrust.start_span(name="judge", type=SpanTypeAttribute.LLM) as span:
        span.log(
            input=messages,
            output=[{"index": 0, "message": reply, "finish_reason": "tool_calls"}],
            metadata={"model": JUDGE_MODEL, "temperature": 0},
            metrics={"prompt_tokens": prompt, "completion_tokens": completion, "tokens": prompt + completion},
        )
    return Score(
        name="Correctness", score=CHOICES[choice], metadata={"choice": choice, "rationale": rationale}
    )


def numeric_closeness(output: Any, expected: Any, metadata: dict[str, Any] | None = None) -> float | None:
    """How close a numeric answer is; raises on an answer that is not a number (a scorer error)."""
    from autoevals import NumericDiff

    if (metadata or {}).get("category") not in ("arithmetic", "conversions"):
        return None
    got, want = (float(str(v).split(" ")[0]) for v in (output, expected))
    return NumericDiff()(got, want).score


def json_fields(output: Any, expected: Any, metadata: dict[str, Any] | None = None) -> float | None:
    """The share of fields extracted right; raises on an answer that is not JSON (a scorer error)."""
    if (metadata or {}).get("category") != "extraction":
        return None
    got, want = json.loads(output), json.loads(expected)
    return sum(got.get(k) == v for k, v in want.items()) / len(want)

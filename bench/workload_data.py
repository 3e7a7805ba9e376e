"""The workload of `workload.py`: two experiments of N test cases, generated from a seed, and the
answers every reader must give (the ground truth).

Each test case is an `Eval`-shaped trace of four spans: the root (`eval`: ~300-character input,
~200-character expected, ~500-character output, metadata category/difficulty/model), a `task`
span, an `llm` span (messages and token metrics) under the task, and a `score` span with three
scores in [0, 1]. The baseline and the candidate share inputs and expected values; the
candidate's outputs and scores differ by seeded noise (scores are rounded to two decimals, so
some cases tie). Case `i` depends only on (seed, i), so any process can regenerate any case.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

SCORES = ("correctness", "relevance", "fluency")
CATEGORIES = ("math", "code", "writing", "trivia", "reasoning", "safety")
DIFFICULTIES = ("easy", "medium", "hard")
MODELS = ("gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet")
EXPERIMENTS = ("baseline", "candidate")
T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z
_SYLLABLES = ("ka", "lo", "mi", "ne", "su", "ta", "ri", "vo", "xe", "zu", "pa", "de", "gi", "ho")
WORDS = tuple(a + b + c for a in _SYLLABLES for b in _SYLLABLES for c in ("", "n", "s"))


def _text(rng: random.Random, chars: int) -> str:
    words = rng.choices(WORDS, k=chars // 5 + 4)
    return " ".join(words)[:chars]


@dataclass(frozen=True)
class Run:
    """One experiment's side of a test case."""

    output: str
    scores: dict[str, float]
    prompt_tokens: int
    completion_tokens: int
    duration: float


@dataclass(frozen=True)
class Case:
    index: int
    question: str
    expected: str
    category: str
    difficulty: str
    model: str
    runs: dict[str, Run]  # experiment name -> its run


def case(seed: int, i: int) -> Case:
    rng = random.Random(seed * 1_000_003 + i)
    question = f"Case {i}. " + _text(rng, 290)
    expected = _text(rng, 200)
    category, difficulty, model = rng.choice(CATEGORIES), rng.choice(DIFFICULTIES), rng.choice(MODELS)
    base_scores = {s: round(rng.random(), 2) for s in SCORES}
    runs = {}
    for name in EXPERIMENTS:
        if name == "baseline":
            scores = base_scores
        else:
            scores = {s: round(min(1.0, max(0.0, v + rng.gauss(0, 0.15))), 2) for s, v in base_scores.items()}
        runs[name] = Run(
            output=_text(rng, 500),
            scores=scores,
            prompt_tokens=rng.randint(50, 800),
            completion_tokens=rng.randint(10, 300),
            duration=round(rng.uniform(0.5, 4.0), 3),
        )
    return Case(i, question, expected, category, difficulty, model, runs)


def cases(seed: int, n: int) -> Iterator[Case]:
    for i in range(n):
        yield case(seed, i)


def row_id(experiment: str, i: int, part: str) -> str:
    return f"{experiment[0]}{i:07d}{part}"


def created(i: int) -> str:
    return datetime.fromtimestamp(T0 + i, UTC).isoformat()


def spans(c: Case, experiment: str, experiment_id: str) -> list[dict[str, Any]]:
    """The four `/logs3` rows of one test case in one experiment."""
    run = c.runs[experiment]
    root, task, llm, score = (row_id(experiment, c.index, p) for p in "rtls")
    t0 = T0 + c.index * 10
    common = {"experiment_id": experiment_id, "root_span_id": root, "created": created(c.index)}
    messages = [
        {"role": "system", "content": "You are a careful assistant."},
        {"role": "user", "content": c.question},
    ]
    return [
        {
            **common,
            "id": root,
            "span_id": root,
            "span_parents": None,
            "input": {"question": c.question},
            "output": run.output,
            "expected": c.expected,
            "metadata": {"category": c.category, "difficulty": c.difficulty, "model": c.model},
            "metrics": {"start": t0, "end": t0 + run.duration},
            "span_attributes": {"name": "eval", "type": "eval"},
        },
        {
            **common,
            "id": task,
            "span_id": task,
            "span_parents": [root],
            "input": {"question": c.question},
            "output": run.output,
            "metrics": {"start": t0 + 0.001, "end": t0 + run.duration - 0.01},
            "span_attributes": {"name": "task", "type": "task"},
        },
        {
            **common,
            "id": llm,
            "span_id": llm,
            "span_parents": [task],
            "input": messages,
            "output": [{"role": "assistant", "content": run.output}],
            "metadata": {"model": c.model, "temperature": 0},
            "metrics": {
                "start": t0 + 0.002,
                "end": t0 + run.duration - 0.02,
                "prompt_tokens": run.prompt_tokens,
                "completion_tokens": run.completion_tokens,
                "tokens": run.prompt_tokens + run.completion_tokens,
            },
            "span_attributes": {"name": "chat completion", "type": "llm"},
        },
        {
            **common,
            "id": score,
            "span_id": score,
            "span_parents": [root],
            "output": dict(run.scores),
            "scores": dict(run.scores),
            "metrics": {"start": t0 + run.duration - 0.009, "end": t0 + run.duration - 0.001},
            "span_attributes": {"name": "scorers", "type": "score"},
        },
    ]


@dataclass
class Truth:
    """What every reader must answer, computed from the generated cases alone."""

    n: int
    means: dict[str, dict[str, float]] = field(default_factory=dict)  # experiment -> score -> mean
    improvements: dict[str, int] = field(default_factory=dict)  # candidate above baseline
    regressions: dict[str, int] = field(default_factory=dict)
    scores: dict[str, dict[str, float]] = field(default_factory=dict)  # candidate root id -> its scores
    deltas: dict[str, dict[str, float]] = field(default_factory=dict)  # candidate root id -> score -> delta
    filter_count: int = 0  # candidate traces with correctness < 0.5
    groups: dict[str, tuple[int, dict[str, float]]] = field(default_factory=dict)  # category -> (n, means)


FILTER = ("correctness", 0.5)


def truth(seed: int, n: int) -> Truth:
    t = Truth(n)
    sums = {e: dict.fromkeys(SCORES, 0.0) for e in EXPERIMENTS}
    t.improvements, t.regressions = dict.fromkeys(SCORES, 0), dict.fromkeys(SCORES, 0)
    group_sums: dict[str, list[Any]] = {}
    for c in cases(seed, n):
        base, cand = c.runs["baseline"].scores, c.runs["candidate"].scores
        for e in EXPERIMENTS:
            for s in SCORES:
                sums[e][s] += c.runs[e].scores[s]
        for s in SCORES:
            t.improvements[s] += cand[s] > base[s]
            t.regressions[s] += cand[s] < base[s]
        root = row_id("candidate", c.index, "r")
        t.scores[root] = cand
        t.deltas[root] = {s: cand[s] - base[s] for s in SCORES}
        t.filter_count += cand[FILTER[0]] < FILTER[1]
        g = group_sums.setdefault(c.category, [0, dict.fromkeys(SCORES, 0.0)])
        g[0] += 1
        for s in SCORES:
            g[1][s] += cand[s]
    t.means = {e: {s: v / n for s, v in sums[e].items()} for e in EXPERIMENTS}
    t.groups = {
        k: (cnt, {s: v / cnt for s, v in tot.items()}) for k, (cnt, tot) in sorted(group_sums.items())
    }
    return t

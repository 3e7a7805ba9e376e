"""The built-in scorers: `autoevals`' own, addressed as `{"type": "global", "name": …}`.

Heuristic scorers compare `output` with `expected` (or check `output` alone) and need nothing
but this process; model-graded ones are `autoevals`' LLM judges, with the library's prompts and
choice scores, run on the configured LLM (`assay.services.llm`). `args` are the optional
arguments a built-in takes (constructor arguments and extra template variables of the library).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import autoevals
from autoevals.partial import ScorerWithPartial


@dataclass(frozen=True)
class Builtin:
    name: str
    description: str
    make: Callable[..., ScorerWithPartial]
    needs_llm: bool = False
    args: dict[str, str] = field(default_factory=dict)  # name -> what it means
    render_args: frozenset[str] = frozenset()  # args passed to eval() rather than to the constructor
    compares: bool = True  # reads `expected` (ValidJSON reads only `output`)


def _heuristic(name: str, description: str, cls: type[ScorerWithPartial], **args: str) -> Builtin:
    return Builtin(name, description, cls, args=args)


def _judge(name: str, description: str, cls: type[ScorerWithPartial], **render: str) -> Builtin:
    return Builtin(name, description, cls, needs_llm=True, args=render, render_args=frozenset(render))


BUILTINS: dict[str, Builtin] = {
    b.name: b
    for b in (
        _heuristic(
            "Levenshtein",
            "Edit-distance similarity of output and expected, as text (0-1)",
            autoevals.Levenshtein,
        ),
        _heuristic(
            "ExactMatch",
            "1 when output equals expected (JSON values compared as JSON), else 0",
            autoevals.ExactMatch,
        ),
        _heuristic(
            "NumericDiff",
            "1 - |output - expected| / (|output| + |expected|) for numbers",
            autoevals.NumericDiff,
        ),
        _heuristic(
            "JSONDiff",
            "Similarity of two JSON values, key by key (strings by edit distance)",
            autoevals.JSONDiff,
        ),
        Builtin(
            "ValidJSON",
            "1 when output is valid JSON (or a JSON value), else 0",
            autoevals.ValidJSON,
            compares=False,
        ),
        _heuristic(
            "ListContains",
            "Overlap of the lists output and expected, items matched by edit distance",
            autoevals.ListContains,
            allow_extra_entities="true: extra items in output are not penalised",
        ),
        _judge(
            "Factuality",
            "Is output factually consistent with expected, for input? (LLM)",
            autoevals.Factuality,
        ),
        _judge(
            "ClosedQA",
            "Does output answer input correctly, by the given criteria? (LLM)",
            autoevals.ClosedQA,
            criteria="What a correct answer must satisfy",
        ),
        _judge(
            "Battle",
            "Is output better than expected at following the instructions? (LLM)",
            autoevals.Battle,
            instructions="The instructions both answers followed",
        ),
        _judge("Humor", "Is output funny? (LLM)", autoevals.Humor),
        _judge("Possible", "Is output a possible answer to input? (LLM)", autoevals.Possible),
        _judge("Security", "Is output free of security problems? (LLM)", autoevals.Security),
        _judge("Sql", "Is the SQL in output equivalent to expected, for input? (LLM)", autoevals.Sql),
        _judge("Summary", "Is output a better summary of input than expected? (LLM)", autoevals.Summary),
        _judge(
            "Translation",
            "Is output as good a translation of input as expected? (LLM)",
            autoevals.Translation,
            language="The language of the translation",
        ),
    )
}


def constructor_args(builtin: Builtin, args: dict[str, Any]) -> dict[str, Any]:
    """The arguments of `args` that configure the scorer itself (the rest go to `eval`)."""
    out: dict[str, Any] = {}
    for name, value in args.items():
        if name in builtin.render_args:
            continue
        if name == "allow_extra_entities":
            out[name] = bool(value)
    return out

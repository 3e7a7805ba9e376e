"""Runners that score in this process: `autoevals` built-ins and prompt functions (LLM judges,
LLM classifiers with a label set, LLM facets).

Heuristic built-ins run row by row. Everything that calls an LLM runs its rows on a thread pool
sized by `llm_concurrency`; the shared limiter in `assay.services.llm` keeps the calls within
the configured rate whatever else is running.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import chevron
import orjson
from autoevals.llm import COT_SUFFIX, NO_COT_SUFFIX, OpenAILLMClassifier, build_classification_tools
from autoevals.partial import ScorerWithPartial

from assay.model.functions import FunctionType
from assay.services.llm import LLM, LLMError
from assay.services.scorers.base import Result, Target, checked_score, label_item
from assay.services.scorers.builtin import Builtin, constructor_args

MAX_FACET_CHARS = 2000
NO_MATCH = frozenset({"none", "no_match", "n/a"})


def as_text(value: Any) -> str:
    """A field as a prompt sees it: strings as they are, anything else as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def template_vars(t: Target) -> dict[str, Any]:
    return {
        "input": as_text(t.input),
        "output": as_text(t.output),
        "expected": as_text(t.expected),
        "metadata": as_text(t.metadata),
        "trace": t.trace_text or "",
    }


def _error(exc: BaseException) -> str:
    if isinstance(exc, LLMError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"[:2000]


def _map(llm: LLM | None, fn: Callable[[Target], Result], targets: list[Target]) -> list[Result]:
    def safe(t: Target) -> Result:
        try:
            return fn(t)
        except Exception as exc:  # one row's failure is that row's scorer error
            return Result(error=_error(exc))

    if llm is None or len(targets) < 2:
        return [safe(t) for t in targets]
    with ThreadPoolExecutor(max_workers=llm.settings.llm_concurrency, thread_name_prefix="assay-llm") as pool:
        return list(pool.map(safe, targets))


def _from_score(score: Any) -> Result:
    result = checked_score(score.score)
    result.metadata = dict(score.metadata or {})
    return result


@dataclass
class BuiltinRunner:
    """An `autoevals` scorer (heuristic or model-graded) with its optional arguments."""

    builtin: Builtin
    args: dict[str, Any]
    version: str
    llm: LLM | None = None
    function_type: FunctionType = "scorer"
    needs_trace: bool = False
    key: str = ""
    name: str = ""
    needs_llm: bool = False
    _scorer: ScorerWithPartial | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.key = self.key or f"global:{self.builtin.name}"
        self.name = self.name or self.builtin.name
        self.needs_llm = self.builtin.needs_llm

    def _make(self) -> ScorerWithPartial:
        if self._scorer is None:
            kwargs = constructor_args(self.builtin, self.args)
            if self.builtin.needs_llm:
                assert self.llm is not None
                kwargs.update(client=self.llm.autoevals_client(), model=self.llm.settings.llm_model)
            self._scorer = self.builtin.make(**kwargs)
        return self._scorer

    def run(self, targets: list[Target]) -> list[Result]:
        scorer = self._make()
        extra = {k: v for k, v in self.args.items() if k in self.builtin.render_args}

        def one(t: Target) -> Result:
            kwargs: dict[str, Any] = {"input": t.input, **extra}
            if self.builtin.needs_llm:
                kwargs = {"input": as_text(t.input), **extra}
                return _from_score(scorer.eval(as_text(t.output), as_text(t.expected), **kwargs))
            if not self.builtin.compares:
                return _from_score(scorer.eval(t.output))
            return _from_score(scorer.eval(t.output, t.expected, **kwargs))

        return _map(self.llm if self.builtin.needs_llm else None, one, targets)


def _messages(prompt: dict[str, Any]) -> list[dict[str, Any]]:
    if prompt.get("type") == "completion":
        return [{"role": "user", "content": str(prompt.get("content") or "")}]
    return [dict(m) for m in prompt.get("messages") or []]


@dataclass
class PromptRunner:
    """A prompt function: an LLM judge (choice scores), classifier (labels) or facet (text)."""

    key: str
    name: str
    version: str
    function_type: FunctionType
    prompt_data: dict[str, Any]
    llm: LLM
    needs_llm: bool = True
    needs_trace: bool = False

    def __post_init__(self) -> None:
        self.needs_trace = self.function_type == "facet"

    def _options(self) -> tuple[str, dict[str, Any]]:
        options = self.prompt_data.get("options") or {}
        params = {
            k: v for k, v in (options.get("params") or {}).items() if k in ("temperature", "max_tokens")
        }
        return str(options.get("model") or self.llm.settings.llm_model), params

    def _classifier(self, choice_scores: dict[str, float]) -> OpenAILLMClassifier:
        parser = self.prompt_data.get("parser") or {}
        use_cot = bool(parser.get("use_cot", True))
        messages = _messages(self.prompt_data.get("prompt") or {})
        suffix = COT_SUFFIX if use_cot else NO_COT_SUFFIX
        messages[-1] = {**messages[-1], "content": str(messages[-1].get("content") or "") + "\n" + suffix}
        model, params = self._options()
        choices = list(choice_scores)
        return OpenAILLMClassifier(
            name=self.name,
            messages=messages,
            model=model,
            choice_scores=choice_scores,
            classification_tools=build_classification_tools(use_cot, choices),
            render_args={"__choices": choices},
            client=self.llm.autoevals_client(),
            **params,
        )

    def run(self, targets: list[Target]) -> list[Result]:
        if self.function_type == "facet":
            return _map(self.llm, self._facet, targets)
        parser = self.prompt_data.get("parser") or {}
        if self.function_type == "scorer":
            judge = self._classifier({str(k): float(v) for k, v in parser["choice_scores"].items()})
            return _map(self.llm, lambda t: _from_score(judge.eval(**template_vars(t))), targets)
        labels = labels_of(parser)
        judge = self._classifier({label: 0.0 for label in labels})

        def classify(t: Target) -> Result:
            score = judge.eval(**template_vars(t))
            meta = {k: v for k, v in score.metadata.items() if k == "rationale"}
            return Result(labels=[label_item(score.metadata["choice"], meta)], metadata=dict(score.metadata))

        return _map(self.llm, classify, targets)

    def _facet(self, t: Target) -> Result:
        values = template_vars(t)
        messages = [
            {**m, "content": chevron.render(str(m.get("content") or ""), values)}
            for m in _messages(self.prompt_data.get("prompt") or {})
        ]
        model, params = self._options()
        text = self.llm.complete_text(messages, model=model, **params).strip()
        if text.lower().strip(".") in NO_MATCH:
            return Result(text="no_match")
        return Result(text=text[:MAX_FACET_CHARS])


def labels_of(parser: dict[str, Any]) -> list[str]:
    """The label set of an LLM classifier: `parser.choices` (Assay), else the choice scores' keys."""
    choices = parser.get("choices")
    if choices:
        return [str(c["id"] if isinstance(c, dict) else c) for c in choices]
    return [str(k) for k in (parser.get("choice_scores") or {})]

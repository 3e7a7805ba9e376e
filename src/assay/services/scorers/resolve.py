"""From definitions to runners: checking what a function computes, its version, and running it.

`check_definition` is what `/v1/function` accepts (a precise 400 otherwise); `version_of` is the
hash that makes results idempotent per row, function and version; `runner` builds the runner of a
stored function or of a built-in (`{"type": "global", "name": …}`) for one object's rows.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from pydantic import ValidationError

from assay.model.errors import InvalidInput
from assay.model.functions import DATA_TYPES, FUNCTION_TYPES, MAX_TEXT, OTHER_FUNCTION_TYPES, Rule
from assay.query import QueryError
from assay.services.context import Services
from assay.services.llm import LLM
from assay.services.scorers.base import Runner
from assay.services.scorers.builtin import BUILTINS
from assay.services.scorers.facets import BUILTIN_FACETS
from assay.services.scorers.runners import BuiltinRunner, PromptRunner, labels_of
from assay.services.scorers.sql import SqlRunner, check_expression, check_rules

MAX_RULES = 100
MAX_LABELS = 100


def function_type_of(value: str | None) -> str:
    kind = value or "scorer"
    if kind in OTHER_FUNCTION_TYPES:
        raise InvalidInput(
            f"Assay keeps scorer, classifier and facet functions only, not {kind!r} functions "
            "(prompts, tasks and tools run in your own code)"
        )
    if kind not in FUNCTION_TYPES:
        raise InvalidInput(f"function_type must be one of {', '.join(FUNCTION_TYPES)}, got {kind!r}")
    return kind


def _sql_error(exc: QueryError) -> InvalidInput:
    where = f" (line {exc.line}, column {exc.column})" if exc.line else ""
    return InvalidInput(f"{exc.reason}{where}")


def check_definition(
    svc: Services, kind: str, data: dict[str, Any], prompt_data: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The function's `function_data` and `prompt_data` if Assay can run them, else InvalidInput."""
    dtype = data.get("type")
    if dtype == "code":
        raise InvalidInput(
            "code functions are not supported: Assay never runs user-supplied Python or JavaScript on the "
            "server. Use a built-in (type 'global'), an LLM prompt, a SQL expression or rules"
        )
    if dtype not in DATA_TYPES:
        raise InvalidInput(f"function_data.type must be one of {', '.join(DATA_TYPES)}, got {dtype!r}")
    if dtype == "global":
        return {"type": "global", **_check_global(kind, data)}, None
    if dtype == "sql":
        expression = data.get("expression")
        if kind == "facet" or not isinstance(expression, str) or not 0 < len(expression) <= MAX_TEXT:
            raise InvalidInput("a sql scorer or classifier needs function_data.expression, a SQL expression")
        try:
            check_expression(svc, expression, "function_data.expression")
        except QueryError as exc:
            raise _sql_error(exc) from None
        return {"type": "sql", "expression": expression}, None
    if dtype == "rules":
        if kind != "classifier":
            raise InvalidInput(
                "rules (function_data.type 'rules') make classifiers: set function_type 'classifier'"
            )
        raw = data.get("rules")
        if not isinstance(raw, list) or not 0 < len(raw) <= MAX_RULES:
            raise InvalidInput(f"function_data.rules must be a list of 1 to {MAX_RULES} rules")
        try:
            rules = [Rule.model_validate(r) for r in raw]
            check_rules(svc, rules)
        except ValidationError as exc:
            raise InvalidInput(
                f"function_data.rules: {exc.errors()[0]['msg']} at {exc.errors()[0]['loc']}"
            ) from None
        except QueryError as exc:
            raise _sql_error(exc) from None
        return {
            "type": "rules",
            "rules": [r.model_dump(exclude_none=True) for r in rules],
            "multiple": bool(data.get("multiple", False)),
        }, None
    return {"type": "prompt"}, _check_prompt(kind, prompt_data)


def _check_global(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    name = data.get("name")
    table: dict[str, Any] = BUILTIN_FACETS if kind == "facet" else BUILTINS if kind == "scorer" else {}
    if name not in table:
        known = ", ".join(sorted(table)) or "none"
        raise InvalidInput(f"unknown built-in {kind} {name!r}; built-in {kind}s: {known}")
    args = data.get("args") or {}
    allowed = getattr(table[name], "args", {})
    if not isinstance(args, dict) or set(args) - set(allowed):
        raise InvalidInput(f"{name} takes the arguments {sorted(allowed) or 'none'}, got {sorted(args)}")
    return {"name": name, **({"args": args} if args else {})}


def _check_prompt(kind: str, prompt_data: dict[str, Any] | None) -> dict[str, Any]:
    if not isinstance(prompt_data, dict) or not isinstance(prompt_data.get("prompt"), dict):
        raise InvalidInput("a prompt function needs prompt_data.prompt: {type: 'chat', messages: [...]}")
    prompt = prompt_data["prompt"]
    if prompt.get("type") == "completion":
        if not isinstance(prompt.get("content"), str) or not prompt["content"].strip():
            raise InvalidInput("prompt_data.prompt.content must be the prompt text")
    else:
        messages = prompt.get("messages")
        if (
            not isinstance(messages, list)
            or not messages
            or not all(
                isinstance(m, dict)
                and m.get("role") in ("system", "user", "assistant")
                and isinstance(m.get("content"), str)
                for m in messages
            )
        ):
            raise InvalidInput(
                "prompt_data.prompt.messages must be a list of {role, content} with text content"
            )
        if sum(len(m["content"]) for m in messages) > MAX_TEXT:
            raise InvalidInput(f"the prompt is longer than {MAX_TEXT} characters")
    parser = prompt_data.get("parser") or {}
    if kind == "scorer":
        scores = parser.get("choice_scores")
        if (
            not isinstance(scores, dict)
            or not scores
            or not all(
                isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1
                for v in scores.values()
            )
        ):
            raise InvalidInput(
                "an LLM judge needs prompt_data.parser.choice_scores: each choice's score between 0 and 1, "
                'e.g. {"type": "llm_classifier", "use_cot": true, "choice_scores": {"Y": 1, "N": 0}}'
            )
    if kind == "classifier":
        labels = labels_of(parser)
        if not labels or len(labels) > MAX_LABELS or len(set(labels)) != len(labels):
            raise InvalidInput(
                f"an LLM classifier needs its label set: prompt_data.parser.choices, 1 to {MAX_LABELS} distinct "
                'labels, e.g. ["positive", "negative"]'
            )
    return prompt_data


def version_of(doc: dict[str, Any]) -> str:
    """A hash of what the function computes (its type, name and definition)."""
    what = {k: doc.get(k) for k in ("function_type", "name", "function_data", "prompt_data")}
    return hashlib.sha256(orjson.dumps(what, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


def runner(svc: Services, llm: LLM, doc: dict[str, Any], object_type: str, object_id: str) -> Runner:
    """The runner of a stored function (`doc`), or of a built-in (`doc` = `{"type": "global",
    "name", "args"?, "function_type"?}`), over rows of one object."""
    if doc.get("type") == "global":
        kind = function_type_of(doc.get("function_type"))
        data = {"type": "global", **_check_global(kind, doc)}
        version = version_of({"function_type": kind, "name": data["name"], "function_data": data})
        if kind == "facet":
            facet = BUILTIN_FACETS[data["name"]]
            return PromptRunner(f"global:{facet.name}", facet.name, version, "facet", facet.prompt_data, llm)
        return BuiltinRunner(BUILTINS[data["name"]], data.get("args") or {}, version, llm)
    data = doc["function_data"]
    kind = doc["function_type"]
    version = doc.get("version") or version_of(doc)
    if data["type"] == "global":
        if kind == "facet":
            facet = BUILTIN_FACETS[data["name"]]
            return PromptRunner(doc["id"], doc["name"], version, "facet", facet.prompt_data, llm)
        return BuiltinRunner(
            BUILTINS[data["name"]], data.get("args") or {}, version, llm, key=doc["id"], name=doc["name"]
        )
    if data["type"] == "sql":
        return SqlRunner(
            svc, object_type, object_id, doc["id"], doc["name"], version, kind, expression=data["expression"]
        )
    if data["type"] == "rules":
        rules = [Rule.model_validate(r) for r in data["rules"]]
        return SqlRunner(
            svc,
            object_type,
            object_id,
            doc["id"],
            doc["name"],
            version,
            kind,
            rules=rules,
            multiple=data["multiple"],
        )
    return PromptRunner(doc["id"], doc["name"], version, kind, doc["prompt_data"], llm)

"""A deterministic stand-in for a chat model, so the demo runs offline with the same results each time.

`plan` says which tool the model calls first (none when it answers from memory, which is also how
most of its mistakes happen); `answer` is its final reply, right or wrong as the variant's miss
table decides; each variant also has a signature mistake (prose around numbers, text around JSON).
The tools are real: they compute, look up the case's facts and return them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from assay.demo.cases import CAPITALS, UNITS, wrong_capital
from assay.demo.variants import Variant


class UpstreamError(RuntimeError):
    """What a hosted model API raises on a rate limit or an overload."""


@dataclass(frozen=True)
class Turn:
    """Where the model is: the case, the variant, the trial."""

    variant: Variant
    case_id: str
    question: str
    expected: Any
    metadata: dict[str, Any]
    trial: int

    @property
    def category(self) -> str:
        return str(self.metadata.get("category", ""))

    @property
    def misses(self) -> bool:
        return self.variant.misses(
            self.case_id, self.category, str(self.metadata.get("difficulty", "")), self.trial
        )

    def upstream_error(self) -> UpstreamError | None:
        if not self.variant.fails(self.case_id, self.trial):
            return None
        if self.variant.provider == "anthropic":
            return UpstreamError("529 overloaded_error: Overloaded")
        return UpstreamError(f"429 Rate limit reached for {self.variant.model} in organization org-demo")


def plan(turn: Turn) -> tuple[str, dict[str, Any]] | None:
    """The first tool call (name, arguments), or None to answer straight away."""
    if turn.category in ("extraction", "charts") or (turn.misses and turn.category != "support"):
        return None
    q = turn.question
    if turn.category == "capitals":
        country = re.fullmatch(r"What is the capital of (.+)\?", q).group(1)  # type: ignore[union-attr]
        return "search", {"query": f"capital of {country}"}
    if turn.category == "arithmetic":
        return "calculator", {"expression": q}
    if turn.category == "conversions":
        m = re.fullmatch(r"Convert ([\d.]+) (\w+) to (\w+)\.", q)
        assert m is not None
        return "convert", {"amount": float(m.group(1)), "from": m.group(2), "to": m.group(3)}
    if turn.category == "support":
        return "lookup_order", {"order_id": turn.metadata["order"]["id"]}
    return "search_papers", {"query": "cites:'Attention Is All You Need'", "page": 1}


def run_tool(name: str, args: dict[str, Any], turn: Turn) -> Any:
    """What the tool returns (support's nested calls are traced by `agent`, which calls this)."""
    if name == "search":
        country = args["query"].removeprefix("capital of ")
        capital = next(c for n, c, _, _ in CAPITALS if n == country)
        return {
            "title": country,
            "snippet": f"{capital} is the capital of {country}; its largest city is {wrong_capital(country)}.",
        }
    if name == "calculator":
        a, op, b = args["expression"].split(" ")
        x, y = int(a), int(b)
        return {"result": x + y if op == "+" else x - y if op == "-" else x * y}
    if name == "convert":
        _, _, factor, offset = next(u for u in UNITS if u[0] == args["from"] and u[1] == args["to"])
        return {"value": round(args["amount"] * factor + offset, 2), "unit": args["to"]}
    if name == "search_papers":
        page = args.get("page", 1)
        return {"page": page, "results": [f"paper-{page}-{i}" for i in range(3)], "next_page": page + 1}
    raise KeyError(f"unknown tool {name!r}")


def answer(turn: Turn) -> str:
    """The model's final reply."""
    expected, cat, wrong = turn.expected, turn.category, turn.misses
    if cat == "capitals":
        country = turn.question.removeprefix("What is the capital of ").removesuffix("?")
        return wrong_capital(country) if wrong else str(expected)
    if cat == "arithmetic":
        value = int(expected)
        if wrong and turn.variant.prose_numbers:
            return f"The answer is {value}."
        return str(value + (10 if abs(value) > 100 else 1)) if wrong else str(value)
    if cat == "conversions":
        number, unit = str(expected).split(" ", 1)
        return f"{float(number) * 1.1:.2f} {unit}" if wrong else str(expected)
    if cat == "extraction":
        record = json.loads(expected)
        if not wrong:
            return json.dumps(record, ensure_ascii=False)
        if turn.variant.chatty_json:
            return "Sure! Here is the JSON you asked for:\n" + json.dumps(record, ensure_ascii=False)
        return json.dumps({**record, "age": str(record["age"])}, ensure_ascii=False)
    if cat == "support":
        order = turn.metadata["order"]
        return f"Your order #{order['id']} is on its way and should arrive soon!" if wrong else str(expected)
    if cat == "charts":
        legend = turn.metadata.get("labels") or []
        others = [label for label in legend if label != expected]
        return others[0] if wrong and others else str(expected)
    return "BERT, GPT-3 and ViT are the most cited; each builds on the Transformer."


def token_count(value: Any) -> int:
    """A rough tokenizer: about four characters a token."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return max(1, len(text) // 4)

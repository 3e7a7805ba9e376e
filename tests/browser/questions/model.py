"""A deterministic stand-in for an LLM, so the demo runs offline and gives the same results every time.

Two versions answer the bundled questions with different mistakes: `v2` fixes some of `v1`'s
errors and introduces others, which is what makes a comparison worth reading. A few inputs make
the model raise, as real APIs sometimes do.
"""

from __future__ import annotations

import json
import re

MODELS = {"v1": "gpt-4o-mini", "v2": "gpt-4o"}

WRONG_CAPITALS = {
    "v1": {"Australia": "Sydney", "Brazil": "Rio de Janeiro", "Turkey": "Istanbul", "Canada": "Toronto"},
    "v2": {"Morocco": "Casablanca", "India": "Delhi", "Vietnam": "Ho Chi Minh City"},
}
CAPITALS = {
    "France": "Paris",
    "Japan": "Tokyo",
    "Kenya": "Nairobi",
    "Peru": "Lima",
    "Canada": "Ottawa",
    "Egypt": "Cairo",
    "Norway": "Oslo",
    "Chile": "Santiago",
    "India": "New Delhi",
    "Australia": "Canberra",
    "Brazil": "Brasilia",
    "Turkey": "Ankara",
    "Vietnam": "Hanoi",
    "Morocco": "Rabat",
    "Poland": "Warsaw",
}
# Inputs on which each version's API call fails.
FAILS = {"v1": ("76 * 9", "Reverse the word: attention"), "v2": ("Extract as JSON: Ken",)}


class UpstreamError(RuntimeError):
    """What a hosted model API raises on a timeout or overload."""


def answer(version: str, question: str) -> str:
    if any(question.startswith(prefix) for prefix in FAILS[version]):
        raise UpstreamError(f"simulated upstream timeout from {MODELS[version]}")
    if m := re.fullmatch(r"What is the capital of (.+)\?", question):
        country = m.group(1)
        return WRONG_CAPITALS[version].get(country, CAPITALS.get(country, "I don't know"))
    if m := re.fullmatch(r"(\d+) ([-+*]) (\d+)", question):
        a, op, b = int(m.group(1)), m.group(2), int(m.group(3))
        value = a + b if op == "+" else a - b if op == "-" else a * b
        if version == "v1" and op == "*" and a > 40:
            value += 10  # v1 slips on large products
        if version == "v2" and op == "-" and a < b:
            return f"The answer is {value}"  # v2 sometimes answers in prose
        return str(value)
    if m := re.fullmatch(r"Reverse the word: (\w+)", question):
        word = m.group(1)
        if version == "v1" and len(word) > 9:
            return word[::-1][:-1]  # drops a letter on long words
        if version == "v2" and word.startswith("s"):
            return word  # forgets to reverse
        return word[::-1]
    if m := re.fullmatch(r"Extract as JSON: (\w+) is (\d+) years old and lives in (.+)\.", question):
        name, age, city = m.group(1), int(m.group(2)), m.group(3)
        if version == "v1":
            return json.dumps({"name": name, "age": str(age), "city": city.split(" ")[0]})
        return json.dumps({"name": name, "age": age, "city": city})
    return "I don't know"


def token_counts(question: str, reply: str) -> tuple[int, int]:
    """A rough tokenizer: about four characters a token, plus the prompt template."""
    return 24 + len(question) // 4, max(1, len(reply) // 4)

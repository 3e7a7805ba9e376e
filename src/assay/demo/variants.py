"""The demo's four experiments: a baseline and three variants, each better at some things and worse
at others, so that a comparison has both improvements and regressions to show.

A variant's behaviour is a table of miss rates per category (scaled by difficulty) and a rate of
upstream failures. Whether a given case goes wrong is decided by a hash of the variant, the case
and the trial, never by a random generator: every run gives the same results, and variants miss
independently of one another (which is what makes the changes mixed).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

Provider = Literal["openai", "anthropic"]
DIFFICULTY = {"easy": 0.5, "medium": 1.0, "hard": 1.8}


@dataclass(frozen=True)
class Variant:
    name: str  # the experiment's name
    model: str  # a model of the price table, so spans get an estimated cost
    provider: Provider  # the chat-message format of its LLM spans
    prompt: str  # the system prompt
    miss: dict[str, float]  # chance of a wrong answer per category, at medium difficulty
    failures: float = 0.02  # chance that the model API call fails (a task error)
    trials: int = 1
    # The variant's signature mistakes: answers arithmetic in prose, wraps JSON in text.
    prose_numbers: bool = False
    chatty_json: bool = False

    def chance(self, *parts: object) -> float:
        """A number in [0, 1) fixed by the variant and `parts` (case id, trial, what is decided)."""
        digest = hashlib.sha256("|".join(map(str, (self.name, *parts))).encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    def misses(self, case_id: str, category: str, difficulty: str, trial: int) -> bool:
        rate = self.miss.get(category, 0.2) * DIFFICULTY.get(difficulty, 1.0)
        return self.chance(case_id, trial, "miss") < rate

    def fails(self, case_id: str, trial: int) -> bool:
        return self.chance(case_id, trial, "fail") < self.failures


SYSTEM_V1 = "You are a helpful assistant. Use the tools when they help. Answer briefly."
SYSTEM_V2 = (
    "You are a precise assistant. Think about which tool answers the question, call it, then reply "
    "with the answer only: no preamble, JSON when asked for JSON, numbers without units unless asked."
)

BASELINE = Variant(
    name="baseline",
    model="gpt-4o-mini",
    provider="openai",
    prompt=SYSTEM_V1,
    miss={
        "capitals": 0.22,
        "arithmetic": 0.25,
        "conversions": 0.3,
        "extraction": 0.3,
        "support": 0.3,
        "charts": 0.35,
    },
)
VARIANTS = [
    BASELINE,
    Variant(
        name="gpt-4o",
        model="gpt-4o",
        provider="openai",
        prompt=SYSTEM_V1,
        miss={
            "capitals": 0.08,
            "arithmetic": 0.1,
            "conversions": 0.12,
            "extraction": 0.5,
            "support": 0.25,
            "charts": 0.15,
        },
        chatty_json=True,  # better answers, but it explains its JSON: extraction regresses
    ),
    Variant(
        name="claude-sonnet",
        model="claude-3-5-sonnet-latest",
        provider="anthropic",
        prompt=SYSTEM_V1,
        miss={
            "capitals": 0.1,
            "arithmetic": 0.45,
            "conversions": 0.25,
            "extraction": 0.08,
            "support": 0.1,
            "charts": 0.25,
        },
        failures=0.04,  # "overloaded" more often
        prose_numbers=True,  # "The answer is 42.": arithmetic regresses, and a numeric scorer fails
    ),
    Variant(
        name="prompt-v2",
        model="gpt-4o-mini",
        provider="openai",
        prompt=SYSTEM_V2,
        miss={
            "capitals": 0.2,
            "arithmetic": 0.2,
            "conversions": 0.15,
            "extraction": 0.1,
            "support": 0.55,
            "charts": 0.35,
        },
        trials=3,  # sampled at temperature 0.7: three trials per case show how much answers vary
    ),
]

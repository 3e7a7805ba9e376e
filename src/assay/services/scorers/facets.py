"""The built-in facets: an LLM summarises each trace through one lens (the reference's Task,
Sentiment and Issues), in a few words, so that topics can cluster the summaries.

A facet's prompt sees the trace's `input`, `output`, `expected`, `metadata` and `trace` (every
span, as text). An answer of "none" is stored as `no_match`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_RULES = (
    "Answer with one short phrase (at most 12 words), no preamble and no quotes. "
    "If the trace gives nothing to say, answer exactly: none"
)
_TRACE = "The trace, span by span:\n{{trace}}"


@dataclass(frozen=True)
class Facet:
    name: str
    description: str
    lens: str

    @property
    def prompt_data(self) -> dict[str, Any]:
        return {
            "prompt": {
                "type": "chat",
                "messages": [
                    {
                        "role": "system",
                        "content": f"You read traces of an AI application. {self.lens} {_RULES}",
                    },
                    {"role": "user", "content": _TRACE},
                ],
            }
        }

    @property
    def args(self) -> dict[str, str]:
        return {}


BUILTIN_FACETS: dict[str, Facet] = {
    f.name: f
    for f in (
        Facet("Task", "What the user wants", "Say what the user wants the application to do."),
        Facet(
            "Sentiment",
            "The user's tone",
            "Say the user's tone in one word: POSITIVE, NEGATIVE, NEUTRAL or MIXED.",
        ),
        Facet(
            "Issues",
            "How the application behaved",
            "Say what went wrong in the application's answer, if anything.",
        ),
    )
}

"""What every scorer, classifier and facet is, once resolved: a `Runner` over `Target` rows.

A runner takes a batch of rows (the spans being scored, usually trace roots) and returns one
`Result` per row, in order. A row's failure is its own `Result.error`, never an exception that
stops the batch: the job records it as a scorer error on that row and goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from assay.model.functions import FunctionType


@dataclass(frozen=True)
class Target:
    """One row to score: the span's identity and the fields scorers read."""

    id: str
    span_id: str
    root_span_id: str
    input: Any = None
    output: Any = None
    expected: Any = None
    metadata: Any = None
    trace_text: str | None = None  # the whole trace as text (facets read it)


@dataclass
class Result:
    """What a runner found for one row: a score (scorer), labels (classifier) or a summary
    (facet), with the judge's metadata (`rationale`, `choice`), or the error that stopped it."""

    score: float | None = None
    labels: list[dict[str, Any]] = field(default_factory=list)
    text: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


class Runner(Protocol):
    """A scorer ready to run. `key` and `version` identify what it computes (a function's id and
    content hash, or a built-in's name and arguments): results are idempotent per row, key and
    version."""

    key: str
    name: str
    version: str
    function_type: FunctionType
    needs_llm: bool
    needs_trace: bool

    def run(self, targets: list[Target]) -> list[Result]: ...


def checked_score(value: Any) -> Result:
    """A runner's raw number as a result: None is a skipped row, anything outside [0, 1] an error."""
    if value is None:
        return Result()
    if isinstance(value, bool):
        value = float(value)
    if not isinstance(value, int | float) or value != value:
        return Result(error=f"the scorer returned {value!r}, not a number between 0 and 1")
    if not 0 <= value <= 1:
        return Result(error=f"the scorer returned {value!r}, outside [0, 1]")
    return Result(score=float(value))


def label_item(label: Any, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    """A classification item `{id, label, metadata}` (the reference's shape; id defaults to the label)."""
    if isinstance(label, dict):
        ident = str(label.get("id") or label.get("label"))
        item: dict[str, Any] = {"id": ident, "label": str(label.get("label") or ident)}
    else:
        item = {"id": str(label), "label": str(label)}
    if metadata:
        item["metadata"] = metadata
    return item

"""Generated experiments with known, planted effects, written through the public API.

Scores are drawn from a seeded generator around a base mean; `effects` lowers (or raises) the
score of traces whose metadata matches, so a test knows exactly which slices are real and how
many traces each holds.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from tests.query.helpers import log, trace_rows

FIELDS: dict[str, tuple[str, ...]] = {
    "model": ("alpha", "beta", "gamma"),
    "lang": ("en", "fr", "de", "es"),
    "topic": ("math", "code", "writing", "trivia", "law"),
    "difficulty": ("easy", "medium", "hard"),
    "region": ("eu", "us", "apac", "latam"),
}


def metadata_of(i: int, rng: random.Random) -> dict[str, Any]:
    return {k: rng.choice(values) for k, values in FIELDS.items()}


def planted_rows(
    experiment_id: str,
    n: int,
    *,
    effect: Callable[[dict[str, Any]], float],
    seed: int = 7,
    mean: float = 0.7,
    sd: float = 0.15,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`n` traces with score `acc` ~ clip(N(mean + effect(metadata), sd), 0, 1); the rows and the
    metadata of each trace (in order)."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    metas = []
    for i in range(n):
        meta = metadata_of(i, rng)
        value = min(1.0, max(0.0, rng.gauss(mean + effect(meta), sd)))
        rows += trace_rows(
            experiment_id, input=f"case {i}", output=f"out {i}", metadata=meta, child_scores=[{"acc": value}]
        )
        metas.append(meta)
    return rows, metas


def log_in_batches(api: Any, rows: list[dict[str, Any]], size: int = 2000) -> None:
    for start in range(0, len(rows), size):
        log(api, rows[start : start + size])

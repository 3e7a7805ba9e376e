"""Estimated cost of an LLM span, priced from the maintained `genai-prices` table.

A span is priced when it names its model (`metadata.model`, as the SDK's wrappers log it, or
`span_attributes.model`) and reports token counts; otherwise its cost is unknown (None), never 0.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from genai_prices import Usage, calc_price


@lru_cache(maxsize=4096)
def _price(model: str, prompt: int, completion: int, cached: int) -> float | None:
    try:
        calc = calc_price(
            Usage(input_tokens=prompt, output_tokens=completion, cache_read_tokens=cached or None),
            model_ref=model,
        )
    except (LookupError, ValueError):
        return None
    return float(calc.total_price)


def model_of(row: dict[str, Any]) -> str | None:
    for holder in (row.get("metadata"), row.get("span_attributes")):
        if isinstance(holder, dict) and isinstance(holder.get("model"), str):
            return holder["model"]
    return None


def estimate_cost(row: dict[str, Any]) -> float | None:
    metrics = row.get("metrics")
    model = model_of(row)
    if not model or not isinstance(metrics, dict):
        return None
    prompt = metrics.get("prompt_tokens")
    completion = metrics.get("completion_tokens")
    if prompt is None and completion is None:
        return None
    cached = metrics.get("prompt_cached_tokens") or 0
    return _price(model, int(prompt or 0), int(completion or 0), int(cached))

"""Estimated cost of an LLM span, priced from the maintained `genai-prices` table.

A span is priced when it names its model (`metadata.model`, as the SDK's wrappers log it, or
`span_attributes.model`) and reports token counts; otherwise its cost is unknown (None), never 0.

Every written row is priced, and one `calc_price` call costs ~100-150 µs (it resolves the model
and decomposes the usage on each call): at ingest rates that was a third of the writer's time,
and token counts vary too much for a cache of whole calls to help. Most models' prices are
affine in the token counts (a price per input and per output token, maybe a fixed price per
request), so for those the three coefficients are computed once per model, from `calc_price`
itself, and each span costs two multiplications. Models with tiered prices (a rate that depends
on the request's size) and spans with cached tokens keep the exact call.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from genai_prices import Usage, calc_price, data_snapshot
from genai_prices.types import TieredPrices

MILLION = 10**6
PROBE = (123_457, 54_321)  # a point off the axes: the affine form must reproduce it exactly
UNKNOWN = "unknown"  # the table has no such model: every span of it costs None


def _exact(model: str, prompt: int, completion: int, cached: int) -> Decimal | None:
    try:
        calc = calc_price(
            Usage(input_tokens=prompt, output_tokens=completion, cache_read_tokens=cached or None),
            model_ref=model,
        )
    except (LookupError, ValueError):
        return None
    return Decimal(calc.total_price)


@lru_cache(maxsize=4096)
def _price(model: str, prompt: int, completion: int, cached: int) -> float | None:
    price = _exact(model, prompt, completion, cached)
    return None if price is None else float(price)


@lru_cache(maxsize=1024)
def _affine(model: str) -> tuple[Decimal, Decimal, Decimal] | str | None:
    """(fixed, per million prompt tokens, per million completion tokens) when `model`'s price
    without cached tokens is affine in the token counts; UNKNOWN when `calc_price` cannot find
    the model (it resolves it exactly like this); None when the price is not affine."""
    try:
        _, info = data_snapshot.get_snapshot().find_provider_model(model, None, None, None)
    except (LookupError, ValueError):
        return UNKNOWN
    prices = info.get_prices(datetime.now(tz=UTC))
    if any(isinstance(value, TieredPrices) for value in vars(prices).values()):
        return None
    fixed, prompt, completion = (_exact(model, p, c, 0) for p, c in ((0, 0), (MILLION, 0), (0, MILLION)))
    if fixed is None or prompt is None or completion is None:
        return None
    form = (fixed, prompt - fixed, completion - fixed)
    if _apply(form, *PROBE) != _price(model, *PROBE, 0):
        return None
    return form


def _apply(form: tuple[Decimal, Decimal, Decimal], prompt: int, completion: int) -> float:
    fixed, per_prompt, per_completion = form
    return float(fixed + (per_prompt * prompt + per_completion * completion) / MILLION)


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
    cached = int(metrics.get("prompt_cached_tokens") or 0)
    prompt, completion = int(prompt or 0), int(completion or 0)
    form = _affine(model)
    if form == UNKNOWN:
        return None
    if isinstance(form, tuple) and not cached:
        return _apply(form, prompt, completion)
    return _price(model, prompt, completion, cached)

"""The cost of an LLM span: the per-model affine shortcut agrees with `genai_prices.calc_price`."""

from __future__ import annotations

import random

import pytest
from genai_prices import Usage, calc_price

from assay.model.costs import estimate_cost

MODELS = ["gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "claude-sonnet-4", "gemini-2.5-pro", "o3-mini"]


def exact(model: str, prompt: int, completion: int, cached: int = 0) -> float | None:
    try:
        calc = calc_price(
            Usage(input_tokens=prompt, output_tokens=completion, cache_read_tokens=cached or None),
            model_ref=model,
        )
    except LookupError:
        return None
    return float(calc.total_price)


@pytest.mark.parametrize("model", MODELS)
def test_estimated_cost_equals_the_price_table(model: str) -> None:
    rng = random.Random(model)
    # small and large requests: gemini-2.5-pro's rate changes above 200,000 input tokens
    for prompt, completion in [(0, 0), (41, 12), (1, 0), (0, 1), (250_000, 900)] + [
        (rng.randint(0, 400_000), rng.randint(0, 20_000)) for _ in range(30)
    ]:
        row = {
            "metadata": {"model": model},
            "metrics": {"prompt_tokens": prompt, "completion_tokens": completion},
        }
        assert estimate_cost(row) == exact(model, prompt, completion), (prompt, completion)


def test_cached_tokens_and_unpriced_spans() -> None:
    metrics = {"prompt_tokens": 1000, "completion_tokens": 10, "prompt_cached_tokens": 400}
    row = {"span_attributes": {"model": "gpt-4o"}, "metrics": metrics}
    assert estimate_cost(row) == exact("gpt-4o", 1000, 10, 400)
    assert estimate_cost({"metadata": {"model": "no-such-model-xyz"}, "metrics": metrics}) is None
    assert estimate_cost({"metadata": {"model": "gpt-4o"}, "metrics": {"start": 1.0}}) is None
    assert estimate_cost({"metrics": {"prompt_tokens": 5}}) is None

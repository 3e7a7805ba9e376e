"""What a span says, as Assay fields: input, output, expected, model and parameters, token usage,
scores and tags, read from the span's attributes (GenAI conventions, OpenInference, OpenLLMetry and
the reference product's own `braintrust.*` attributes).

Each field takes the first source present, in the order of the tables below (docs/otel.md repeats
them); a source that cannot be read (e.g. a JSON attribute that does not parse) is skipped and
stays in `metadata`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assay.services.otel import messages
from assay.services.otel.attributes import Attributes, indexed, json_object, json_or_text, parse_json


@dataclass
class Events:
    """What a span's events contribute: deprecated per-message GenAI events, and the exception."""

    inputs: list[dict[str, Any]] = field(default_factory=list)
    outputs: list[dict[str, Any]] = field(default_factory=list)
    exception: dict[str, Any] | None = None


def _messages(value: Any) -> list[dict[str, Any]] | None:
    return messages.normalise(parse_json(value))


def _genai_input(a: Attributes) -> Any:
    found = a.take_if("gen_ai.input.messages", _messages)
    if found is None:
        return None
    system = a.take_if("gen_ai.system_instructions", lambda v: messages.system_message(json_or_text(v)))
    return [system, *found] if system else found


def _flattened(a: Attributes, prefix: str, convert: Any) -> Any:
    records = indexed(a.values, prefix)
    if not records:
        return None
    a.prefixed(prefix)
    return convert(records)


def _mime_value(a: Attributes, kind: str) -> Any:
    value = a.take(f"{kind}.value")
    if value is None:
        return None
    mime = a.take(f"{kind}.mime_type")
    return json_or_text(value) if mime == "application/json" else value


def input_of(a: Attributes, events: Events) -> Any:
    for source in (
        lambda: a.take_json("braintrust.input_json"),
        lambda: a.take_if("braintrust.input", json_or_text),
        lambda: _genai_input(a),
        lambda: _flattened(a, "llm.input_messages", messages.from_openinference),
        lambda: _flattened(a, "gen_ai.prompt", messages.from_openllmetry),
        lambda: a.take_if("gen_ai.prompt", lambda v: _messages(v) or parse_json(v)),
        lambda: events.inputs or None,
        lambda: _mime_value(a, "input"),
        lambda: a.take_if("gen_ai.tool.call.arguments", json_or_text),
    ):
        value = source()
        if value is not None:
            return value
    return None


def output_of(a: Attributes, events: Events) -> Any:
    for source in (
        lambda: a.take_json("braintrust.output_json"),
        lambda: a.take_if("braintrust.output", json_or_text),
        lambda: a.take_if("gen_ai.output.messages", _messages),
        lambda: _flattened(a, "llm.output_messages", messages.from_openinference),
        lambda: _flattened(a, "gen_ai.completion", messages.from_openllmetry),
        lambda: a.take_if("gen_ai.completion", lambda v: _messages(v) or parse_json(v)),
        lambda: events.outputs or None,
        lambda: _mime_value(a, "output"),
        lambda: a.take_if("gen_ai.tool.call.result", json_or_text),
    ):
        value = source()
        if value is not None:
            return value
    return None


def expected_of(a: Attributes) -> Any:
    found = a.take_json("braintrust.expected_json")
    return found if found is not None else a.take_if("braintrust.expected", json_or_text)


# Assay metric <- attributes naming it (synonyms: all are consumed).
TOKEN_METRICS: dict[str, tuple[str, ...]] = {
    "prompt_tokens": ("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt"),
    "completion_tokens": (
        "gen_ai.usage.output_tokens",
        "gen_ai.usage.completion_tokens",
        "llm.token_count.completion",
    ),
    "tokens": ("llm.token_count.total", "gen_ai.usage.total_tokens", "llm.usage.total_tokens"),
    "prompt_cached_tokens": (
        "gen_ai.usage.cache_read.input_tokens",
        "gen_ai.usage.cache_read_input_tokens",
        "llm.token_count.prompt_details.cache_read",
    ),
    "prompt_cache_creation_tokens": (
        "gen_ai.usage.cache_creation.input_tokens",
        "gen_ai.usage.cache_creation_input_tokens",
        "llm.token_count.prompt_details.cache_write",
    ),
    "completion_reasoning_tokens": (
        "gen_ai.usage.reasoning.output_tokens",
        "llm.token_count.completion_details.reasoning",
    ),
    "time_to_first_token": ("gen_ai.response.time_to_first_chunk",),
}


def metrics_of(a: Attributes) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, keys in TOKEN_METRICS.items():
        value = a.take_number(*keys)
        if value is not None:
            out[name] = value
    if "tokens" not in out and ("prompt_tokens" in out or "completion_tokens" in out):
        out["tokens"] = out.get("prompt_tokens", 0) + out.get("completion_tokens", 0)
    out.update(a.take_if("braintrust.metrics", json_object) or {})
    return out


REQUEST_PARAMETERS = (
    "temperature",
    "max_tokens",
    "top_p",
    "top_k",
    "frequency_penalty",
    "presence_penalty",
    "seed",
    "stop_sequences",
)


def model_of(a: Attributes) -> Any:
    for key in ("gen_ai.request.model", "gen_ai.response.model", "llm.model_name"):
        value = a.take(key)
        if isinstance(value, str) and value:
            return value
    return None


def _tools(a: Attributes) -> Any:
    found = a.take_json("gen_ai.tool.definitions")
    if found is not None:
        return found
    return _flattened(a, "llm.tools", lambda rs: [json_or_text(r.get("tool.json_schema")) for r in rs])


def metadata_of(a: Attributes, resource: dict[str, Any]) -> dict[str, Any]:
    """Model, provider and request parameters under the names the SDK's wrappers use; then the
    attributes no mapping used, under their own names."""
    out: dict[str, Any] = {}
    model = model_of(a)
    if model:
        out["model"] = model
    provider = a.take("gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system")
    if provider is not None:
        out["provider"] = provider
    for name in REQUEST_PARAMETERS:
        value = a.take(f"gen_ai.request.{name}")
        if value is not None:
            out[name] = value
    tools = _tools(a)
    if tools is not None:
        out["tools"] = tools
    for key in ("llm.invocation_parameters", "metadata"):
        extra = a.take_if(key, json_object)
        for k, v in (extra or {}).items():
            out.setdefault(k, v)
    explicit = a.take_if("braintrust.metadata", json_object)
    out.update(explicit or {})
    if resource.get("service.name") is not None:
        out.setdefault("service.name", resource["service.name"])
    for key, value in a.rest().items():
        out.setdefault(key, value)
    return out


def scores_of(a: Attributes) -> Any:
    return a.take_json("braintrust.scores")


def tags_of(a: Attributes) -> list[Any] | None:
    tags: list[Any] = []
    for key in ("braintrust.tags", "tag.tags"):
        value = a.take_if(key, lambda v: v if isinstance(v := parse_json(v), list) else None)
        tags.extend(t for t in value or [] if t not in tags)
    return tags or None

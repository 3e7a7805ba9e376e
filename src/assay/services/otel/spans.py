"""One OTLP span as one Assay row: ids, parent, timing, span type, error, and its content.

Ids keep their OpenTelemetry form (lowercase hex), the form the reference SDK itself writes by
default: the trace id is the row's `root_span_id`, the span id its `id` and `span_id`, the parent
span id its only `span_parents` entry. A re-export of the same span is a replay and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

from assay.model.errors import InvalidInput
from assay.services.otel import content, messages
from assay.services.otel.attributes import Attributes, json_object, key_values

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PARENT_ATTRIBUTE = "braintrust.parent"

# openinference.span.kind -> Assay span type
OPENINFERENCE_KINDS = {
    "LLM": "llm",
    "EMBEDDING": "llm",
    "TOOL": "tool",
    "AGENT": "task",
    "EVALUATOR": "score",
    "CHAIN": "function",
    "RETRIEVER": "function",
    "RERANKER": "function",
    "GUARDRAIL": "function",
    "PROMPT": "function",
}
# gen_ai.operation.name -> Assay span type (other operations are functions)
GENAI_OPERATIONS = {
    "chat": "llm",
    "text_completion": "llm",
    "generate_content": "llm",
    "embeddings": "llm",
    "execute_tool": "tool",
    "invoke_agent": "task",
    "create_agent": "task",
    "invoke_workflow": "task",
}
# Events whose attributes stand for span attributes of the same names.
ATTRIBUTE_EVENTS = (
    "gen_ai.client.inference.operation.details",
    "gen_ai.content.prompt",
    "gen_ai.content.completion",
)


@dataclass
class MappedSpan:
    """A row in the shape `/logs3` takes (without its destination) and where the span asks to go."""

    row: dict[str, Any]
    parent: str | None  # a `braintrust.parent` value set on the span or its resource
    where: str  # the span's place in the request, for error messages


def _hex(raw: bytes, size: int, name: str, where: str, *, optional: bool = False) -> str | None:
    if optional and not raw:
        return None
    if len(raw) != size or not any(raw):
        raise InvalidInput(f"{where}: {name} must be {size} bytes ({2 * size} hex digits), not all zero")
    return raw.hex()


def _seconds(nanos: int) -> float:
    return nanos / 1e9


def _created(nanos: int) -> str:
    return (EPOCH + timedelta(microseconds=nanos // 1000)).isoformat()


def _events(span: Span, values: dict[str, Any]) -> content.Events:
    """Fold the GenAI events into the span's attributes or messages; keep the first exception."""
    found = content.Events()
    for event in span.events:
        attrs = key_values(event.attributes)
        if event.name in ATTRIBUTE_EVENTS:
            for key, value in attrs.items():
                values.setdefault(key, value)
        elif event.name == "exception" and found.exception is None:
            found.exception = attrs
        else:
            msg = messages.from_event(event.name, attrs)
            if msg is not None:
                (found.outputs if event.name == "gen_ai.choice" else found.inputs).append(msg)
    return found


def _span_type(a: Attributes, is_root: bool) -> str:
    try:
        explicit = json_object(a.peek("braintrust.span_attributes"))
    except ValueError:
        explicit = None
    if explicit and isinstance(explicit.get("type"), str):
        return explicit["type"]
    kind = a.take("openinference.span.kind")
    if isinstance(kind, str) and kind.upper() in OPENINFERENCE_KINDS:
        return OPENINFERENCE_KINDS[kind.upper()]
    operation = a.take("gen_ai.operation.name")
    if isinstance(operation, str) and operation:
        return GENAI_OPERATIONS.get(operation, "function")
    if a.peek("gen_ai.request.model", "gen_ai.response.model", "llm.model_name"):
        return "llm"
    if a.peek("gen_ai.tool.name", "tool.name"):
        return "tool"
    return "task" if is_root else "function"


def _error(span: Span, events: content.Events) -> str | None:
    if span.status.code != Status.STATUS_CODE_ERROR:
        return None
    exc = events.exception or {}
    described = ": ".join(str(exc[k]) for k in ("exception.type", "exception.message") if exc.get(k))
    message = span.status.message or described or "error"
    trace = exc.get("exception.stacktrace")
    return f"{message}\n{trace}" if trace else message


def map_span(span: Span, resource: dict[str, Any], where: str) -> MappedSpan:
    """Raises InvalidInput naming `where` when the span's ids or times are malformed."""
    trace_id = _hex(span.trace_id, 16, "traceId", where)
    span_id = _hex(span.span_id, 8, "spanId", where)
    parent_id = _hex(span.parent_span_id, 8, "parentSpanId", where, optional=True)
    if span.start_time_unix_nano == 0 or span.end_time_unix_nano < span.start_time_unix_nano:
        raise InvalidInput(
            f"{where}: startTimeUnixNano must be set and endTimeUnixNano must not be before it "
            f"(got {span.start_time_unix_nano} and {span.end_time_unix_nano})"
        )
    values = key_values(span.attributes)
    events = _events(span, values)
    a = Attributes(values)
    parent = a.take(PARENT_ATTRIBUTE) or resource.get(PARENT_ATTRIBUTE)
    span_type = _span_type(a, parent_id is None)
    explicit_attrs = a.take_if("braintrust.span_attributes", json_object)
    row: dict[str, Any] = {
        "id": span_id,
        "span_id": span_id,
        "root_span_id": trace_id,
        "created": _created(span.start_time_unix_nano),
        "span_attributes": {"name": span.name or "span", **(explicit_attrs or {}), "type": span_type},
    }
    if parent_id is not None:
        row["span_parents"] = [parent_id]
    fields = {
        "input": content.input_of(a, events),
        "output": content.output_of(a, events),
        "expected": content.expected_of(a),
        "error": _error(span, events),
        "scores": content.scores_of(a),
        "tags": content.tags_of(a),
    }
    metrics = {
        "start": _seconds(span.start_time_unix_nano),
        "end": _seconds(span.end_time_unix_nano),
        **content.metrics_of(a),
    }
    fields["metrics"] = metrics
    fields["metadata"] = content.metadata_of(a, resource) or None  # last: it keeps what is left
    row.update({k: v for k, v in fields.items() if v is not None})
    return MappedSpan(row, parent if isinstance(parent, str) else None, where)

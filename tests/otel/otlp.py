"""Building OTLP export requests for tests with the OpenTelemetry project's protobuf messages."""

from __future__ import annotations

import os
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, ArrayValue, KeyValue, KeyValueList
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span, Status

START = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z in nanoseconds


def value(v: Any) -> AnyValue:
    if isinstance(v, bool):
        return AnyValue(bool_value=v)
    if isinstance(v, int):
        return AnyValue(int_value=v)
    if isinstance(v, float):
        return AnyValue(double_value=v)
    if isinstance(v, str):
        return AnyValue(string_value=v)
    if isinstance(v, bytes):
        return AnyValue(bytes_value=v)
    if isinstance(v, list):
        return AnyValue(array_value=ArrayValue(values=[value(x) for x in v]))
    if isinstance(v, dict):
        return AnyValue(kvlist_value=KeyValueList(values=attributes(v)))
    raise TypeError(v)


def attributes(attrs: dict[str, Any]) -> list[KeyValue]:
    return [KeyValue(key=k, value=value(v)) for k, v in attrs.items()]


def trace_id() -> bytes:
    return os.urandom(16)


def span(
    name: str,
    trace: bytes,
    span_id: bytes | None = None,
    parent: bytes = b"",
    attrs: dict[str, Any] | None = None,
    *,
    start: int = START,
    duration_ms: int = 10,
    error: str | None = None,
    events: list[tuple[str, dict[str, Any]]] | None = None,
) -> Span:
    out = Span(
        trace_id=trace,
        span_id=span_id or os.urandom(8),
        parent_span_id=parent,
        name=name,
        start_time_unix_nano=start,
        end_time_unix_nano=start + duration_ms * 1_000_000,
        attributes=attributes(attrs or {}),
    )
    for event_name, event_attrs in events or []:
        out.events.add(name=event_name, time_unix_nano=start, attributes=attributes(event_attrs))
    if error is not None:
        out.status.CopyFrom(Status(code=Status.STATUS_CODE_ERROR, message=error))
    return out


def export(*spans: Span, resource: dict[str, Any] | None = None) -> ExportTraceServiceRequest:
    attrs = {"service.name": "tests", **(resource or {})}
    return ExportTraceServiceRequest(
        resource_spans=[
            ResourceSpans(
                resource=Resource(attributes=attributes(attrs)),
                scope_spans=[ScopeSpans(spans=list(spans))],
            )
        ]
    )


PROTOBUF = {"Content-Type": "application/x-protobuf"}

"""An OTLP/HTTP trace export body as protobuf messages: binary protobuf or OTLP/JSON, plain or gzip.

Both encodings end as the same `ExportTraceServiceRequest`, decoded by the protobuf runtime (the
OpenTelemetry project's generated messages), so the span mapping sees one form. OTLP/JSON differs
from protobuf's own JSON mapping in one way: trace and span ids are hex, not base64; they are
converted before parsing. A decompressed body is held to the same size limit as a plain one.
"""

from __future__ import annotations

import base64
import zlib
from typing import Any, Literal

import orjson
from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from assay.model.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType

Encoding = Literal["protobuf", "json"]
MEDIA_TYPES: dict[str, Encoding] = {
    "application/x-protobuf": "protobuf",
    "application/protobuf": "protobuf",
    "application/json": "json",
}
ID_FIELDS = (("traceId", "trace_id"), ("spanId", "span_id"), ("parentSpanId", "parent_span_id"))


def _media(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def reply_encoding(content_type: str | None) -> Encoding:
    """How to answer a request, even one refused before its Content-Type was checked."""
    return MEDIA_TYPES.get(_media(content_type), "json")


def encoding_of(content_type: str | None) -> Encoding:
    media = _media(content_type)
    if media not in MEDIA_TYPES:
        raise UnsupportedMediaType(
            f"unsupported Content-Type {content_type or '(none)'!r}: send application/x-protobuf or application/json"
        )
    return MEDIA_TYPES[media]


def inflate(body: bytes, content_encoding: str | None, limit: int) -> bytes:
    """The body without its Content-Encoding (identity or gzip), refused past `limit` bytes."""
    coding = (content_encoding or "identity").strip().lower()
    if coding == "identity":
        return body
    if coding != "gzip":
        raise UnsupportedMediaType(f"unsupported Content-Encoding {content_encoding!r}: send gzip or none")
    out, rest = bytearray(), body
    while rest:  # a gzip stream may hold several members
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            out += inflater.decompress(rest, limit + 1 - len(out))
        except zlib.error as exc:
            raise InvalidInput(f"malformed gzip body: {exc}") from None
        if len(out) > limit:
            raise PayloadTooLarge(f"decompressed body larger than the limit of {limit} bytes")
        if not inflater.eof:
            raise InvalidInput("malformed gzip body: it ends before the compressed stream does")
        rest = inflater.unused_data
    return bytes(out)


def _ids_to_base64(item: Any, where: str) -> None:
    """OTLP/JSON ids are hex; protobuf's JSON parser reads bytes fields as base64."""
    if not isinstance(item, dict):
        return
    for names in ID_FIELDS:
        for name in names:
            value = item.get(name)
            if value is None or value == "":
                continue
            if not isinstance(value, str):
                raise InvalidInput(f"{where}.{names[0]}: must be a hex string, got {value!r}")
            try:
                item[name] = base64.b64encode(bytes.fromhex(value)).decode()
            except ValueError:
                raise InvalidInput(f"{where}.{names[0]}: not a hex string: {value[:64]!r}") from None


def _list(holder: Any, *names: str) -> list[Any]:
    if not isinstance(holder, dict):
        return []
    for name in names:
        if isinstance(holder.get(name), list):
            return list(holder[name])
    return []


def _convert_json_ids(doc: dict[str, Any]) -> None:
    for i, resource in enumerate(_list(doc, "resourceSpans", "resource_spans")):
        for j, scope in enumerate(_list(resource, "scopeSpans", "scope_spans")):
            for k, span in enumerate(_list(scope, "spans")):
                where = f"resourceSpans[{i}].scopeSpans[{j}].spans[{k}]"
                _ids_to_base64(span, where)
                for n, link in enumerate(_list(span, "links")):
                    _ids_to_base64(link, f"{where}.links[{n}]")


def _check_objects(value: Any, message: Descriptor, where: str) -> None:
    """Every message in the document is a JSON object. protobuf's parser, told to ignore unknown
    fields, reads a string where a message belongs as an object of unknown one-letter fields, so
    `{"resourceSpans": ["AAA"]}` would be accepted as one empty resource; refuse it instead."""
    if not isinstance(value, dict):
        raise InvalidInput(
            f"{where}: must be an object ({message.name}), got {orjson.dumps(value).decode()[:64]}"
        )
    for key, item in value.items():
        field = message.fields_by_camelcase_name.get(key) or message.fields_by_name.get(key)
        if field is None or field.message_type is None or item is None:
            continue  # unknown fields are ignored; scalars are checked by protobuf's parser
        name = f"{where}.{field.json_name}"
        if not field.is_repeated:
            _check_objects(item, field.message_type, name)
        elif isinstance(item, list):  # a repeated field that is not a list is protobuf's error
            for i, element in enumerate(item):
                _check_objects(element, field.message_type, f"{name}[{i}]")


def decode_export(body: bytes, encoding: Encoding) -> ExportTraceServiceRequest:
    request = ExportTraceServiceRequest()
    if encoding == "protobuf":
        try:
            request.ParseFromString(body)
        except DecodeError as exc:
            raise InvalidInput(f"malformed OTLP protobuf body: {exc}") from None
        return request
    try:
        doc = orjson.loads(body) if body.strip() else {}
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"malformed JSON body: {exc}") from None
    if not isinstance(doc, dict):
        raise InvalidInput("the OTLP/JSON body must be an object with 'resourceSpans'")
    _check_objects(doc, request.DESCRIPTOR, "body")
    _convert_json_ids(doc)
    try:
        json_format.ParseDict(doc, request, ignore_unknown_fields=True)
    except json_format.ParseError as exc:
        raise InvalidInput(f"malformed OTLP/JSON body: {exc}") from None
    return request

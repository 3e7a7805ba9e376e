"""Malformed OTLP gets a precise 4xx in the OTLP error shape (`google.rpc.Status`, in the request's
encoding) and writes nothing: one export is one all-or-nothing write."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from google.rpc.status_pb2 import Status

from assay.services.auth import create_api_key
from tests.conftest import Api
from tests.otel.otlp import PROTOBUF, export, span, trace_id
from tests.otel.test_otlp_mapping import rows

URL = "/otel/v1/traces"


@pytest.fixture
def project(api: Api) -> dict[str, Any]:
    project = api.post("/v1/project", json={"name": "otel-bad"}).json()
    good = export(span("seed", trace_id()))
    assert post(api, good.SerializeToString(), parent=f"project_id:{project['id']}").status_code == 200
    return project


def post(api: Api, body: bytes, *, parent: str | None = None, **headers: str) -> Any:
    sent = {**PROTOBUF, **({"x-bt-parent": parent} if parent else {}), **headers}
    return api.post(URL, content=body, headers=sent)


def assert_status(response: Any, status: int, grpc_code: int, *words: str) -> str:
    assert response.status_code == status, response.content
    if response.headers["content-type"] == "application/x-protobuf":
        error = Status.FromString(response.content)
        code, message = error.code, error.message
    else:
        code, message = response.json()["code"], response.json()["message"]
    assert code == grpc_code
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    return message


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    length, size = b"", len(payload)
    while True:
        byte, size = size & 0x7F, size >> 7
        length += bytes([byte | (0x80 if size else 0)])
        if not size:
            break
    return bytes([number << 3 | 2]) + length + payload


def unchanged(api: Api, project: dict[str, Any]) -> None:
    assert set(rows(api, project["id"])) == {"seed"}


def test_malformed_protobuf(api: Api, project: dict[str, Any]) -> None:
    parent = f"project_id:{project['id']}"
    assert_status(post(api, b"\x0a\xff\xff\xff", parent=parent), 400, 3, "malformed OTLP protobuf")
    truncated = export(span("x", trace_id())).SerializeToString()[:-3]
    assert_status(post(api, truncated, parent=parent), 400, 3, "malformed OTLP protobuf")
    unchanged(api, project)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"resourceSpans": [', ("malformed JSON",)),
        (b"[1, 2]", ("object with 'resourceSpans'",)),
        (b'{"resourceSpans": {"a": 1}}', ("malformed OTLP/JSON", "resourceSpans")),
        (
            b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "zz", "spanId": "eee19b7ec3c1b174"}]}]}]}',
            ("resourceSpans[0].scopeSpans[0].spans[0].traceId", "hex"),
        ),
        (
            b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": 12}]}]}]}',
            ("spans[0].traceId", "hex string"),
        ),
        (
            b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"name": "x", "startTimeUnixNano": "soon"}]}]}]}',
            ("malformed OTLP/JSON", "startTimeUnixNano"),
        ),
        # protobuf's parser alone would read these strings as empty messages (a silent accept)
        (b'{"resourceSpans": ["AAA"]}', ("resourceSpans[0]", "must be an object")),
        (
            b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"name": "x", "attributes": [{"key": "k", "value": "v"}]}]}]}]}',
            ("resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value", "must be an object"),
        ),
    ],
)
def test_malformed_json(api: Api, project: dict[str, Any], body: bytes, words: tuple[str, ...]) -> None:
    response = post(api, body, parent=f"project_id:{project['id']}", **{"Content-Type": "application/json"})
    assert response.headers["content-type"] == "application/json"
    assert_status(response, 400, 3, *words)
    unchanged(api, project)


def test_deeply_nested_attribute_values_are_refused(api: Api, project: dict[str, Any]) -> None:
    parent = f"project_id:{project['id']}"
    text = '{"stringValue": "leaf"}'
    for _ in range(300):
        text = '{"arrayValue": {"values": [' + text + "]}}"
    doc = '{"resourceSpans": [{"scopeSpans": [{"spans": [{"name": "x", "attributes": [{"key": "deep", "value": %s}]}]}]}]}'
    response = post(api, (doc % text).encode(), parent=parent, **{"Content-Type": "application/json"})
    assert_status(response, 400, 3, "malformed OTLP/JSON")
    # The protobuf runtime will not even build such a message, so write its wire form by hand.
    value = _field(1, b"leaf")  # AnyValue.string_value
    for _ in range(300):
        value = _field(5, _field(1, value))  # AnyValue.array_value -> ArrayValue.values
    span_bytes = span("x", trace_id()).SerializeToString() + _field(9, _field(1, b"deep") + _field(2, value))
    body = _field(1, _field(2, _field(2, span_bytes)))  # request.resource_spans.scope_spans.spans
    assert_status(post(api, body, parent=parent), 400, 3, "malformed OTLP protobuf")
    unchanged(api, project)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"trace_id": b"\x00" * 16}, ("spans[1]", "traceId must be 16 bytes", "not all zero")),
        ({"trace_id": b"\x01" * 8}, ("spans[1]", "traceId must be 16 bytes")),
        ({"span_id": b"\x01" * 3}, ("spans[1]", "spanId must be 8 bytes")),
        ({"parent_span_id": b"\x01" * 4}, ("spans[1]", "parentSpanId must be 8 bytes")),
        ({"start_time_unix_nano": 0}, ("spans[1]", "startTimeUnixNano must be set")),
        ({"end_time_unix_nano": 1}, ("spans[1]", "endTimeUnixNano must not be before it")),
    ],
)
def test_malformed_spans_name_their_place(
    api: Api, project: dict[str, Any], change: dict[str, Any], words: tuple[str, ...]
) -> None:
    good, bad = span("good", trace_id()), span("bad", trace_id())
    for field, value in change.items():
        setattr(bad, field, value)
    body = export(good, bad).SerializeToString()
    assert_status(post(api, body, parent=f"project_id:{project['id']}"), 400, 3, *words)
    unchanged(api, project)  # the good span is not written either


def test_invalid_field_values_name_the_span(api: Api, project: dict[str, Any]) -> None:
    bad = span("scorer", trace_id(), attrs={"braintrust.scores": json.dumps({"accuracy": 7})})
    body = export(span("good", trace_id()), bad).SerializeToString()
    assert_status(
        post(api, body, parent=f"project_id:{project['id']}"), 400, 3, "spans[1] ('scorer')", "accuracy"
    )
    unchanged(api, project)


def test_destinations(api: Api, project: dict[str, Any]) -> None:
    body = export(span("x", trace_id())).SerializeToString()
    assert_status(post(api, body), 400, 3, "no destination", "x-bt-parent", "braintrust.parent")
    assert_status(post(api, body, parent="project:abc"), 400, 3, "x-bt-parent header", "project_id:<id>")
    assert_status(post(api, body, parent="project_id:"), 400, 3, "names no destination")
    missing = "00000000-0000-0000-0000-000000000000"
    assert_status(post(api, body, parent=f"project_id:{missing}"), 404, 5, missing)
    assert_status(post(api, body, parent=f"experiment_id:{missing}"), 404, 5, missing)
    attr = export(span("x", trace_id(), attrs={"braintrust.parent": "dataset_id:1"})).SerializeToString()
    assert_status(
        post(api, attr, parent=f"project_id:{project['id']}"), 400, 3, "spans[0]: braintrust.parent"
    )
    unchanged(api, project)


def test_refused_request_creates_no_project(api: Api, project: dict[str, Any]) -> None:
    """A span for a new project and a span for an unknown experiment: nothing at all is written."""
    missing = "00000000-0000-0000-0000-000000000000"
    new = span("new", trace_id(), attrs={"braintrust.parent": "project_name:should-not-exist"})
    lost = span("lost", trace_id(), attrs={"braintrust.parent": f"experiment_id:{missing}"})
    assert_status(post(api, export(new, lost).SerializeToString()), 404, 5, missing)
    names = [p["name"] for p in api.get("/v1/project").json()["objects"]]
    assert "should-not-exist" not in names


def test_authentication_and_access(api: Api, project: dict[str, Any]) -> None:
    body = export(span("x", trace_id())).SerializeToString()
    parent = f"project_id:{project['id']}"
    no_key = api.client.post(URL, content=body, headers={**PROTOBUF, "x-bt-parent": parent})
    assert_status(no_key, 401, 16, "missing API key")
    wrong = {**PROTOBUF, "x-bt-parent": parent, "Authorization": "Bearer sk-wrong"}
    assert_status(api.client.post(URL, content=body, headers=wrong), 401, 16, "invalid API key")
    # Another organization's key gets what the API answers for that project, and writes nothing.
    other_key = create_api_key(api.app.state.services.store, "other-org")
    other = {"Authorization": f"Bearer {other_key}"}
    api_answer = api.client.post(
        f"/v1/project_logs/{project['id']}/insert", json={"events": [{}]}, headers=other
    )
    otlp_answer = api.client.post(URL, content=body, headers={**PROTOBUF, "x-bt-parent": parent, **other})
    assert otlp_answer.status_code == api_answer.status_code == 404  # others' objects look unknown
    assert Status.FromString(otlp_answer.content).message == api_answer.json()["error"]["message"]
    unchanged(api, project)


def test_media_types_and_encodings(api: Api, project: dict[str, Any]) -> None:
    body = export(span("x", trace_id())).SerializeToString()
    parent = f"project_id:{project['id']}"
    assert_status(
        post(api, body, parent=parent, **{"Content-Type": "text/plain"}), 415, 3, "Content-Type", "text/plain"
    )
    assert_status(
        post(api, body, parent=parent, **{"Content-Encoding": "br"}), 415, 3, "Content-Encoding", "br"
    )
    assert_status(
        post(api, b"not gzip", parent=parent, **{"Content-Encoding": "gzip"}), 400, 3, "malformed gzip"
    )
    cut = gzip.compress(body)[:-10]
    assert_status(post(api, cut, parent=parent, **{"Content-Encoding": "gzip"}), 400, 3, "malformed gzip")
    unchanged(api, project)


def test_decompressed_size_is_limited(api: Api, project: dict[str, Any]) -> None:
    """A small gzip body that inflates past the body limit (1 MiB in these tests) is refused."""
    request = export(span("big", trace_id(), attrs={"blob": "a" * (2 * 1024 * 1024)}))
    bomb = gzip.compress(request.SerializeToString())
    assert len(bomb) < 64 * 1024
    response = post(api, bomb, parent=f"project_id:{project['id']}", **{"Content-Encoding": "gzip"})
    assert_status(response, 413, 8, "decompressed body larger than the limit")
    unchanged(api, project)

"""OTLP attribute values as Python values, and a view of a span's attributes that remembers which
ones the mapping used, so only the rest go to `metadata` (each value is stored once).

Instrumentations flatten lists into keys (`llm.input_messages.0.message.role`); `indexed` turns
such keys back into a list of records.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

import orjson
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue


def any_value(value: AnyValue) -> Any:
    """An OTLP `AnyValue` as JSON-like Python: lists, dicts, str, int, float, bool or None."""
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [any_value(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return key_values(value.kvlist_value.values)
    if kind == "bytes_value":
        return base64.b64encode(value.bytes_value).decode()
    if kind == "double_value" and not math.isfinite(value.double_value):
        return str(value.double_value)  # JSON has no NaN or infinity
    return getattr(value, kind)


def key_values(pairs: Iterable[KeyValue]) -> dict[str, Any]:
    return {kv.key: any_value(kv.value) for kv in pairs}


def parse_json(value: Any) -> Any:
    """A JSON-encoded attribute (most SDKs encode structures as strings); other values as they are.
    Raises ValueError when a string is not JSON."""
    if not isinstance(value, str):
        return value
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise ValueError(str(exc)) from None


def json_object(value: Any) -> dict[str, Any] | None:
    """A JSON-encoded (or structured) object attribute; None for any other JSON value."""
    parsed = parse_json(value)
    return parsed if isinstance(parsed, dict) else None


def json_or_text(value: Any) -> Any:
    """A string that holds JSON as the decoded value, any other string as it is."""
    if isinstance(value, str) and value[:1] in ("{", "[", '"'):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


_INDEX = re.compile(r"^(\d+)\.(.+)$")


def indexed(flat: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    """Records of `prefix.N.<rest>` keys, in index order, each a dict of `<rest>` -> value."""
    found: dict[int, dict[str, Any]] = {}
    start = prefix + "." if prefix else ""
    for key, value in flat.items():
        if key.startswith(start):
            match = _INDEX.match(key[len(start) :])
            if match:
                found.setdefault(int(match.group(1)), {})[match.group(2)] = value
    return [found[i] for i in sorted(found)]


class Attributes:
    """A span's attributes; `take` marks a key as used, `rest` is what no mapping used."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values
        self.used: set[str] = set()

    def __contains__(self, key: str) -> bool:
        return key in self.values

    def peek(self, *keys: str) -> Any:
        """The value of the first of `keys` that is present (not marked as used)."""
        for key in keys:
            if self.values.get(key) is not None:
                return self.values[key]
        return None

    def take(self, *keys: str) -> Any:
        """The value of the first of `keys` present; every one of `keys` is marked as used."""
        value = self.peek(*keys)
        self.used.update(k for k in keys if k in self.values)
        return value

    def take_if(self, key: str, convert: Callable[[Any], Any]) -> Any:
        """`convert(value)` of `key`, marking it used only when that gives a value; a value it
        cannot convert (None or ValueError) is left for metadata."""
        if self.values.get(key) is None:
            return None
        try:
            value = convert(self.values[key])
        except ValueError:
            return None
        if value is not None:
            self.used.add(key)
        return value

    def take_json(self, key: str) -> Any:
        return self.take_if(key, parse_json)

    def take_number(self, *keys: str) -> int | float | None:
        value = self.peek(*keys)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        self.used.update(k for k in keys if k in self.values)
        return value

    def prefixed(self, prefix: str) -> dict[str, Any]:
        """Every `prefix.…` key (marked as used) with the prefix and its dot removed."""
        start = prefix + "."
        out = {k[len(start) :]: v for k, v in self.values.items() if k.startswith(start)}
        self.used.update(start + k for k in out)
        return out

    def has_prefix(self, prefix: str) -> bool:
        start = prefix + "."
        return any(k.startswith(start) for k in self.values)

    def rest(self) -> dict[str, Any]:
        return {k: v for k, v in self.values.items() if k not in self.used and v is not None}

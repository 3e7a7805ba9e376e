"""Encoding any value Assay can store or compute as JSON, with orjson (several times faster than
the standard library) and without its limits.

New values are held to `MAX_JSON_DEPTH` (`json_limits.py`), well inside what orjson encodes
(`ORJSON_MAX_DEPTH`), so the fast path always succeeds for them. Two kinds of value can still
exceed orjson: rows stored deeper by earlier versions of Assay (up to 253 levels), and values a
query builds (nested lists, HUGEINT results). For those the encoder falls back to
`_encode_piecewise`, which yields the same bytes orjson would write if it had no limits, so such
an experiment stays readable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from assay.model.json_limits import INT_MAX, INT_MIN

OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


def encode_json(value: Any, *, default: Callable[[Any], Any] | None = None) -> bytes:
    """`value` as JSON bytes, whatever its depth and integer sizes."""
    try:
        return orjson.dumps(value, default=default, option=OPTIONS)
    except orjson.JSONEncodeError:
        return _encode_piecewise(value, default)


class _Literal:
    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


def _encode_piecewise(value: Any, default: Callable[[Any], Any] | None) -> bytes:
    """What orjson would write for `value` if it had no limits: each subtree orjson can encode
    is encoded by it; only the containers above a too-deep subtree, and integers outside 64
    bits, are written here. Iterative, so no depth meets Python's recursion limit.

    (orjson's `Fragment` would be simpler, but orjson 3.13 corrupts memory writing a large
    fragment inside a couple of hundred levels of lists.)"""
    out = bytearray()
    todo: list[Any] = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, _Literal):
            out += item.data
            continue
        try:
            out += orjson.dumps(item, default=default, option=OPTIONS)
            continue
        except orjson.JSONEncodeError:
            if isinstance(item, int) and not isinstance(item, bool) and not INT_MIN <= item <= INT_MAX:
                out += str(item).encode()
                continue
            if not isinstance(item, dict | list | tuple):
                raise
        parts: list[Any] = []
        if isinstance(item, dict):
            for i, (key, child) in enumerate(item.items()):
                name = orjson.dumps({key: None}, default=default, option=OPTIONS)[1:-6]  # '"key"'
                parts += [_Literal(b"," + name + b":" if i else b"{" + name + b":"), child]
            parts.append(_Literal(b"}" if parts else b"{}"))
        else:
            for i, child in enumerate(item):
                parts += [_Literal(b"," if i else b"["), child]
            parts.append(_Literal(b"]" if parts else b"[]"))
        todo.extend(reversed(parts))
    return bytes(out)

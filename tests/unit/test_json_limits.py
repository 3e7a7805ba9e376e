"""The byte-level JSON checks agree with a real parser, and the encoder writes what orjson would."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.model.errors import InvalidInput
from assay.model.json_encode import encode_json
from assay.model.json_limits import (
    INT_MAX,
    INT_MIN,
    MAX_JSON_DEPTH,
    ORJSON_MAX_DEPTH,
    check_body,
    depth_exceeds,
    has_inexact_integer,
    locate,
)

# Strings full of what a byte scanner could mistake for structure.
tricky = st.text(alphabet='[]{}"\\,:/bnu0é\n', max_size=12)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | tricky,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(tricky, kids, max_size=4),
    max_leaves=40,
)


def depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    return 0


@settings(max_examples=400, deadline=None)
@given(json_values, st.integers(0, 8))
def test_depth_check_agrees_with_the_parsed_depth(value: Any, limit: int) -> None:
    raw = orjson.dumps(value)
    assert depth_exceeds(raw, limit) == (depth(value) > limit)
    spaced = json.dumps(value, indent=1).encode()  # the same document, other whitespace and escapes
    assert depth_exceeds(spaced, limit) == (depth(value) > limit)


@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH - 1, MAX_JSON_DEPTH, MAX_JSON_DEPTH + 1, 5000])
def test_depth_limit_is_exact(levels: int) -> None:
    raw = b'{"a":' * levels + b"1" + b"}" * levels
    assert depth_exceeds(raw) == (levels > MAX_JSON_DEPTH)
    if levels > MAX_JSON_DEPTH:
        with pytest.raises(InvalidInput, match=rf"deeper than {MAX_JSON_DEPTH} levels"):
            check_body(raw)
    else:
        check_body(raw)


def test_malformed_text_is_left_to_the_parser() -> None:
    for raw in (b"[1, 2", b"[" * 5000, b'{"a": "unterminated', b"]]]]"):
        check_body(raw)  # no verdict: the route's parser refuses it with its own message


@pytest.mark.parametrize(
    ("raw", "inexact"),
    [
        (b"[18446744073709551615, -9223372036854775808]", False),
        (b"[18446744073709551616]", True),
        (b"[-9223372036854775809]", True),
        (b'["184467440737095516160000"]', False),
        (b"[1.8446744073709551616e30, 123456789012345678901234.5]", False),
        (b'{"a": {"b": [0, 1, 123456789012345678901234567890]}}', True),
    ],
)
def test_integers_outside_64_bits_are_found(raw: bytes, inexact: bool) -> None:
    assert has_inexact_integer(raw) == inexact


def parsed_inexact(raw: bytes) -> bool:
    """The exact answer: parse the whole text, refusing any integer outside 64 bits."""

    def checked(text: str) -> int:
        value = int(text)
        if not INT_MIN <= value <= INT_MAX:
            raise OverflowError(text)
        return value

    try:
        json.loads(raw, parse_int=checked)
    except OverflowError:
        return True
    return False


# Long digit runs everywhere a byte scanner could take for an integer: in strings, ids,
# fractions, exponents and float mantissas, next to integers of every size.
long_digits = st.from_regex(r"\A-?[0-9]{19,30}\Z").map(lambda d: d.lstrip("-0") or "0")
digit_strings = st.builds(
    lambda pre, d, post: pre + d + post,
    st.sampled_from(["", "c", " ", "-", "x1"]),
    long_digits,
    st.sampled_from(["", "a", " ", "."]),
)
numbers = (
    st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.builds(
        lambda d, tail: float(d + tail), long_digits, st.sampled_from([".5", "e-30", "e3", ".0001e-7"])
    )
)
digit_values = st.recursive(
    numbers | digit_strings | st.none(),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(digit_strings, kids, max_size=3),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(digit_values)
def test_inexact_integer_check_agrees_with_a_full_parse(value: Any) -> None:
    for raw in (json.dumps(value).encode(), json.dumps(value, indent=1).encode()):
        assert has_inexact_integer(raw) == parsed_inexact(raw)


def test_long_digit_runs_that_are_no_integer_pass_without_a_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hex ids, fractions and exponents with long digit runs are judged by their bytes alone."""

    def no_parse(*_: Any, **__: Any) -> Any:
        raise AssertionError("parsed")

    monkeypatch.setattr(json, "loads", no_parse)
    for raw in (
        b'{"root_span_id": "c30243398127453681905792a8ed730e"}',
        b'{"scores": {"a": 0.0012345678901234567}}',
        b'[1e-12345678901234567890, 12345678901234567890.5, "12345678901234567890"]',
    ):
        assert not has_inexact_integer(raw)


def test_messages_name_the_place() -> None:
    deep = b'{"rows": [{"id": "x"}, {"input": {"a b": [' + b"[" * 200 + b"]" * 200 + b"]}}]}"
    assert (locate(deep) or "").startswith('rows[1].input["a b"][0][0]…')
    big = b'{"rows": [{"metadata": {"k": [true, null, "x", 99999999999999999999]}}]}'
    assert "rows[0].metadata.k[3]" in (locate(big) or "")


def nested(levels: int) -> Any:
    value: Any = [1, {"big": 2**70, 7: datetime(2024, 1, 1, tzinfo=UTC)}, float("nan")]
    for i in range(levels):
        value = {"a": [value, i], "b": {}} if i % 2 else [value, []]
    return value


@pytest.mark.parametrize("levels", [3, ORJSON_MAX_DEPTH, 700, 5000])
def test_encoder_writes_what_orjson_would_at_any_depth(levels: int) -> None:
    value = {"events": [{"input": nested(levels)}]}
    out = encode_json(value)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(100_000)
    try:
        expected = json.dumps(value, separators=(",", ":"), default=lambda d: d.isoformat())
    finally:
        sys.setrecursionlimit(limit)
    assert out == expected.replace("NaN", "null").encode()


def test_orjson_encodes_exactly_the_depth_assumed() -> None:
    value: Any = 1
    for _ in range(ORJSON_MAX_DEPTH):
        value = [value]
    orjson.dumps(value)
    with pytest.raises(orjson.JSONEncodeError):
        orjson.dumps([value])

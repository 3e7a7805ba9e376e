"""The limits every JSON document in Assay obeys: one nesting depth, and integers kept exactly.

The request parser, the store and the response encoder all agree on them:

- **Nesting**: no request body and no stored value nests more than `MAX_JSON_DEPTH` containers
  (objects or arrays) deep. orjson, which encodes every response, refuses more than
  `ORJSON_MAX_DEPTH` levels, and a response wraps stored values in a few levels of its own
  (`{"events": [{"input": …}]}`); the margin between the two keeps every stored value readable.
  The parser (orjson) alone would accept 1,024 levels.
- **Integers**: JSON integers from -2^63 to 2^64-1 are kept exactly (orjson parses and encodes
  them as integers, DuckDB's JSON columns keep their text). Outside that range orjson would turn
  them into floats silently, so a body holding one is refused. Numbers stored in DOUBLE columns
  (metrics) have their own, narrower rule: see `exact_in_double`.

Checking runs on the raw bytes of every request body, before any parser sees them, at C speed
(byte translation and replacement, no Python loop per value); only a refused body is walked in
Python, to name where the problem is.
"""

from __future__ import annotations

import json
import re

from assay.model.errors import InvalidInput

MAX_JSON_DEPTH = 128
ORJSON_MAX_DEPTH = 254  # orjson 3.x: "Recursion limit reached" beyond this many levels
INT_MIN = -(2**63)
INT_MAX = 2**64 - 1
DOUBLE_EXACT = 2**53  # every integer of at most this magnitude is exactly a double

# Kept: structure, quotes, and backslashes with whatever can follow one in an escape (as "u").
# Both kinds of bracket nest alike, so objects become arrays.
_REDUCE = bytes.maketrans(b"{}/bfnrt", b"[]uuuuuu")
_NOT_KEPT = bytes(c for c in range(256) if c not in b'[]{}"\\/bfnrtu')
_DIGITS = bytes(48 if chr(c).isdigit() and c < 128 else 32 for c in range(256))
_LONG_DIGITS = b"0" * 19  # an integer of up to 18 digits is always in range
_MINUS = ord("-")
_TOKEN_BEFORE = frozenset(b" \t\n\r[,:")  # what may come just before a number token (or its "-")
_TOKEN_AFTER = frozenset(b" \t\n\r,]}")  # what may come just after an integer token
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[\[\]{},:]')
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def depth_exceeds(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text `raw` nests more than `limit` containers deep.

    Everything but brackets, quotes and escapes is deleted (an escape keeps its backslash and
    the character after it, so `\\"` still reads as an escaped quote); then escapes and strings
    are dropped, and each pass deletes every empty `[]` pair, i.e. exactly the innermost level:
    a document is at most `limit` deep if `limit` passes leave nothing. Malformed text
    (unbalanced brackets) answers False and is left to the parser to refuse.
    """
    s = raw.translate(_REDUCE, _NOT_KEPT)
    if b"\\" in s:
        s = s.replace(b"\\\\", b"").replace(b'\\"', b"")
    s = s.translate(None, b"u\\")
    if b'"' in s:
        s = s.replace(b'""', b"")
        if b'"' in s:  # strings holding brackets
            s = b"".join(s.split(b'"')[::2])
    for _ in range(limit):
        if not s:
            return False
        shorter = s.replace(b"[]", b"")
        if len(shorter) == len(s):
            return False  # unbalanced: not a depth problem
        s = shorter
    return b"[]" in s


def _checked_int(text: str) -> int:
    value = int(text)
    if not INT_MIN <= value <= INT_MAX:
        raise OverflowError(text)
    return value


def has_inexact_integer(raw: bytes) -> bool:
    """Whether the JSON text `raw` holds an integer outside -2^63 … 2^64-1 (outside strings)."""
    if not _may_hold_long_integer(raw):
        return False
    try:
        json.loads(raw, parse_int=_checked_int)
    except OverflowError:
        return True
    except (ValueError, RecursionError):  # malformed: the route's parser refuses it
        return False
    return False


def _may_hold_long_integer(raw: bytes) -> bool:
    """Whether some run of 19 or more digits in `raw` could be an integer token, judged by the
    bytes around it: a token starts after whitespace, `[`, `,`, `:` or the start of the text
    (perhaps after a `-`), and ends before whitespace, `,`, `]`, `}` or the end. Any other run
    is part of a fraction, an exponent, a float's mantissa or a string (such as an undashed hex
    id), which the exact check would pass anyway; skipping them keeps the standard library's
    parser (about 2x orjson's time, on the event loop) off nearly every body with such a run."""
    digits = raw.translate(_DIGITS)
    start = digits.find(_LONG_DIGITS)
    while start != -1:
        end = digits.find(b" ", start)
        end = len(raw) if end == -1 else end
        before = start - 1 if start and raw[start - 1] == _MINUS else start
        if (before == 0 or raw[before - 1] in _TOKEN_BEFORE) and (
            end == len(raw) or raw[end] in _TOKEN_AFTER
        ):
            return True
        start = digits.find(_LONG_DIGITS, end)
    return False


def check_body(raw: bytes) -> None:
    """Refuse a request body that breaks a JSON limit, naming where; malformed JSON passes
    through (the route's parser refuses it with its own message)."""
    if depth_exceeds(raw) or has_inexact_integer(raw):
        problem = locate(raw)
        if problem is not None:
            raise InvalidInput(problem)


def format_path(path: list[str | int], limit: int = 6) -> str:
    """`rows[0].input.a`: how a message names a place in a body."""
    out = ""
    for i, part in enumerate(path):
        if i == limit:
            return out + "…"
        if isinstance(part, int):
            out += f"[{part}]"
        elif _NAME.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part)}]"
    return out or "the body"


def locate(raw: bytes) -> str | None:
    """A message naming the first place in `raw` that breaks a limit, or None if none does.

    A Python walk over the tokens, used only for a body already known to be refused."""
    stack: list[_Open] = []
    for match in _TOKEN.finditer(raw):
        tok = match.group()
        first = tok[:1]
        if first in b"[{":
            stack.append(_Open(first == b"{"))
            if len(stack) > MAX_JSON_DEPTH:
                where = format_path([frame.at for frame in stack[:-1]])
                return (
                    f"{where} nests deeper than {MAX_JSON_DEPTH} levels of objects and arrays, "
                    "the limit for JSON sent to Assay"
                )
        elif not stack:
            continue
        elif first in b"]}":
            stack.pop()
        elif first == b",":
            stack[-1].next_item()
        elif first == b":":
            stack[-1].expect_key = False
        elif first == b'"':
            if stack[-1].expect_key:
                stack[-1].at = json.loads(tok)
        elif b"." not in tok and b"e" not in tok.lower() and not INT_MIN <= int(tok) <= INT_MAX:
            where = format_path([frame.at for frame in stack])
            return (
                f"the integer {tok.decode()} at {where} is outside the range Assay keeps exactly "
                "(-2^63 to 2^64-1); send it as a string"
            )
    return None


class _Open:
    """An open object or array while walking tokens: where the walk is inside it."""

    __slots__ = ("at", "expect_key", "is_object")

    def __init__(self, is_object: bool) -> None:
        self.is_object = is_object
        self.at: str | int = "" if is_object else 0
        self.expect_key = is_object

    def next_item(self) -> None:
        if self.is_object:
            self.expect_key = True
        else:
            assert isinstance(self.at, int)
            self.at += 1


def exact_in_double(value: int | float) -> bool:
    """Whether a number is stored without rounding in a DOUBLE column (e.g. a metric): floats
    always are; integers up to 2^53 in magnitude are."""
    return not isinstance(value, int) or -DOUBLE_EXACT <= value <= DOUBLE_EXACT

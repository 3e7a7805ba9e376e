"""Categorise errors: error messages and scorer failures, normalised and grouped with counts.

Two errors are the same kind when they differ only in the particulars a message embeds: numbers,
ids (UUIDs, long hex strings, tokens mixing letters and digits), quoted strings, paths and URLs.
Each is replaced by a placeholder (`<n>`, `<id>`, `<hex>`, `<str>`, `<path>`, `<url>`) and the
resulting pattern is the category. A multi-line error (a traceback) is represented by its last
line of the form `SomeError: message` when it has one, else by its first line, because that is
where the exception names itself.

Errors are read from spans (`error IS NOT NULL`); a span of type `score` is a scorer failure,
named by its scorer, so "the judge timed out" and "the task raised" stay apart.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from sqlglot import exp

from assay.services.analysis.models import ErrorCategory, ErrorExample, ErrorQuery, ErrorReport
from assay.services.analysis.scope import Scope, path

# Order matters: the most specific patterns first, so a UUID is not eaten as numbers.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bhttps?://\S+"), "<url>"),
    (re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"), "<id>"),
    (re.compile(r"\b0x[0-9a-fA-F]+\b"), "<hex>"),
    (re.compile(r"\b(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{12,}\b"), "<hex>"),
    (re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|`[^`]*`"), "<str>"),
    (re.compile(r"(?:(?<=\s)|^)(?:[A-Za-z]:)?(?:[\\/][\w.\-]+){2,}[\\/]?"), "<path>"),
    # Numbers, keeping a short unit (`2s`, `30.5ms`, `95%`) and the sign.
    (re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?:[eE][-+]?\d+)?(?=[a-zA-Z%]{0,3}\b)"), "<n>"),
    # Tokens mixing letters and digits (request ids such as `req_8f2k1`, `x01`) are ids.
    (re.compile(r"\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[A-Za-z0-9]+(?:[_-][A-Za-z0-9]+)*\b"), "<id>"),
)
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning|Timeout)\b.*")
_SPACE = re.compile(r"\s+")
MAX_PATTERN = 300


def message_of(error: Any) -> str:
    """An error value as text: strings as they are, objects by their `message` or as JSON."""
    if isinstance(error, str):
        return error
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return str(error["message"])
    return orjson.dumps(error, option=orjson.OPT_SORT_KEYS).decode()


def headline(message: str) -> str:
    """The line that names the error: a traceback's `XError: …` line, else the first line."""
    lines = [ln.strip() for ln in message.strip().splitlines() if ln.strip()]
    if not lines:
        return ""
    for line in reversed(lines):
        if _EXCEPTION_LINE.match(line):
            return line
    return lines[0]


def normalise(message: str) -> str:
    """The category of an error message: its headline with particulars replaced by placeholders."""
    text = headline(message)
    for pattern, placeholder in _PATTERNS:
        text = pattern.sub(placeholder, text)
    text = _SPACE.sub(" ", text).strip()
    return text[:MAX_PATTERN]


def analyze(scope: Scope, q: ErrorQuery) -> ErrorReport:
    kind = path("span_attributes", "type")
    select = exp.select(
        exp.column("id"),
        exp.column("root_span_id"),
        exp.alias_(path("span_attributes", "name"), "name"),
        exp.alias_(kind, "kind"),
        exp.column("error"),
    ).where(exp.Not(this=exp.Is(this=exp.column("error"), expression=exp.Null())))
    select = select.order_by(exp.Ordered(this=exp.column("id"))).limit(q.max_errors)
    rows = scope.run(select, shape="spans")
    groups: dict[tuple[str, str, str | None], ErrorCategory] = {}
    roots: dict[tuple[str, str, str | None], set[str]] = {}
    for r in rows:
        scorer = r.get("kind") == "score"
        source = "scorer" if scorer else "task"
        name = r.get("name") if scorer else None
        pattern = normalise(message_of(r["error"]))
        key = (source, pattern, name)
        cat = groups.get(key)
        if cat is None:
            cat = groups[key] = ErrorCategory(source=source, scorer=name, pattern=pattern, count=0, traces=0)
            roots[key] = set()
        cat.count += 1
        if len(cat.examples) < q.examples:
            cat.examples.append(
                ErrorExample(
                    id=r["id"], root_span_id=r["root_span_id"], message=message_of(r["error"])[:2000]
                )
            )
        roots[key].add(r["root_span_id"])
    for key, cat in groups.items():
        cat.traces = len(roots[key])
    categories = sorted(groups.values(), key=lambda c: (-c.count, c.source, c.pattern))
    return ErrorReport(
        errors=len(rows),
        truncated=len(rows) >= q.max_errors,
        task_errors=sum(c.count for c in categories if c.source == "task"),
        scorer_errors=sum(c.count for c in categories if c.source == "scorer"),
        categories=categories[: q.limit],
    )

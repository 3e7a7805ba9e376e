"""The documented scalar and aggregate functions, each compiled through the backend's builders."""

from __future__ import annotations

import re

from sqlglot import exp

from assay.query.errors import error_at
from assay.query.exprs import AGGREGATES, CASTS, SCALARS, ExprCompiler
from assay.query.fields import Typed, coerce
from assay.query.limits import string_parts
from assay.query.syntax import INCLUDES, MATCH

DATE_UNITS = frozenset(["second", "minute", "hour", "day", "week", "month", "quarter", "year"])
REGEX = "regexp_matches"
MAX_PATTERN = 1000
KNOWN = sorted(
    {*SCALARS, *AGGREGATES, *CASTS, "now", "current_timestamp", "current_date", "any_span", MATCH, INCLUDES}
    | {REGEX}
)
ANY_SPAN_ROWS = "any_span_rows"


def _arity(node: exp.Func, name: str, args: list[exp.Expr], low: int, high: int) -> None:
    if not low <= len(args) <= high:
        want = str(low) if low == high else f"{low} to {high}"
        raise error_at(node, f"{name}() takes {want} argument(s), got {len(args)}")


def compile_function(c: ExprCompiler, node: exp.Func, name: str) -> Typed:
    args = c.args_of(node)
    if name in AGGREGATES:
        return _aggregate(c, node, name, args)
    if name == "any_span":
        _arity(node, name, args, 1, 1)
        spans = ExprCompiler("spans", c.d, limits=c.limits)
        cond = spans.value(args[0], "bool")
        if spans.aggregates or spans.any_span:
            raise error_at(node, "any_span() takes one condition on a single span")
        c.any_span = True
        matching = exp.select("root_span_id").from_(ANY_SPAN_ROWS).where(cond)
        return Typed(exp.column("root_span_id").isin(query=matching), "bool")
    if name in ("now", "current_timestamp"):
        _arity(node, name, args, 0, 0)
        return Typed(c.d.now(), "timestamp")
    if name == "current_date":
        _arity(node, name, args, 0, 0)
        return Typed(c.d.call("current_date"), "timestamp")
    if name in CASTS:
        _arity(node, name, args, 1, 1)
        target = CASTS[name]
        want = "text" if target in ("VARCHAR", "DATE", "TIMESTAMPTZ", "INTERVAL") else "number"
        if target == "BOOLEAN":
            want = "bool"
        kind = {"VARCHAR": "text", "DOUBLE": "number", "BIGINT": "int", "BOOLEAN": "bool"}.get(
            target, "timestamp"
        )
        return Typed(c.d.cast(c.value(args[0], want), target), kind)
    if name == MATCH:
        _arity(node, "MATCH", args, 2, 2)
        words = args[1]
        if not (isinstance(words, exp.Literal) and words.is_string):
            raise error_at(node, "MATCH needs a quoted string of words on its right")
        return Typed(c.d.match_words(c.value(args[0], "text"), words.this), "bool")
    if name == INCLUDES:
        _arity(node, "INCLUDES", args, 2, 2)
        return _includes(c, args)
    if name == REGEX:
        _arity(node, name, args, 2, 2)
        pattern = args[1]
        if not (isinstance(pattern, exp.Literal) and pattern.is_string and len(pattern.this) <= MAX_PATTERN):
            raise error_at(node, f"regexp_matches needs a quoted pattern of at most {MAX_PATTERN} characters")
        _check_pattern(pattern)
        return Typed(c.d.regex_match(c.value(args[0], "text"), exp.Literal.string(pattern.this)), "bool")
    if name == "json_extract":
        _arity(node, name, args, 2, 2)
        path = args[1]
        text = path.sql().strip("'") if isinstance(path, exp.JSONPath) else getattr(path, "this", None)
        if not isinstance(text, str) or not (isinstance(path, exp.JSONPath) or path.is_string):
            raise error_at(node, "json_extract needs a quoted path, e.g. json_extract(output, 'a.b[0]')")
        text = text if text.startswith("$") else "$." + text
        return Typed(
            c.d.call("json_extract_string", c.value(args[0], "text"), exp.Literal.string(text)), "text"
        )
    if name in SCALARS:
        low, high, kind, want = SCALARS[name]
        _arity(node, name, args, low, high)
        if name == "date_trunc":
            unit = args[0]
            if not (isinstance(unit, exp.Literal) and unit.is_string and unit.this.lower() in DATE_UNITS):
                raise error_at(node, f"date_trunc unit must be one of {', '.join(sorted(DATE_UNITS))}")
            return Typed(
                c.d.call("date_trunc", exp.Literal.string(unit.this.lower()), c.value(args[1])),
                "timestamp",
            )
        typed = [c.typed(a) for a in args]
        if name in ("len", "length"):
            inner = typed[0]
            fn = "len" if inner.kind == "list" else "length"
            arg = coerce(inner, "text" if inner.kind != "list" else "value", c.d)
            return Typed(c.d.call(fn, arg), "int")
        compiled = [coerce(t, want, c.d) for t in typed]
        if name == "concat":
            return Typed(_bounded_concat(c, node, compiled), "text")
        if kind == "any":
            kinds = {t.kind for t in typed if t.kind not in ("any", "path")}
            kind = kinds.pop() if len(kinds) == 1 else "any"
        if name == "round" and len(compiled) == 2 and not isinstance(args[1], exp.Literal):
            raise error_at(node, "round() needs a whole number of digits")
        return Typed(c.d.call(name, *compiled), kind)
    raise error_at(node, f"unknown or disallowed function {name}(); allowed: {', '.join(KNOWN)}")


def _aggregate(c: ExprCompiler, node: exp.Func, name: str, args: list[exp.Expr]) -> Typed:
    if c.in_aggregate:
        raise error_at(node, "aggregate functions cannot be nested")
    low, high, kind, want = AGGREGATES[name]
    c.aggregates += 1
    c.in_aggregate = True
    try:
        if name == "count" and args and isinstance(args[0], exp.Distinct):
            inner = args[0].expressions
            _arity(node, "count(DISTINCT …)", inner, 1, 1)
            return Typed(c.d.count_distinct(c.value(inner[0])), "int")
        _arity(node, name, args, low, high)
        if name == "count":
            return Typed(exp.Count(this=c.value(args[0]) if args else exp.Star()), "int")
        if name == "count_distinct":
            return Typed(c.d.count_distinct(c.value(args[0])), "int")
        if name == "percentile":
            p = args[1]
            if not (isinstance(p, exp.Literal) and not p.is_string and 0 <= float(p.this) <= 1):
                raise error_at(node, "percentile(expr, p) needs a number p between 0 and 1")
            return Typed(c.d.percentile(c.value(args[0], "number"), exp.Literal.number(p.this)), "number")
        value = c.typed(args[0])
        out_kind = kind if kind != "any" else ("number" if value.kind == "path" else value.kind)
        arg = coerce(value, "number" if value.kind == "path" else want, c.d)
        cls = {"sum": exp.Sum, "avg": exp.Avg, "min": exp.Min, "max": exp.Max}[name]
        return Typed(cls(this=arg), out_kind)
    finally:
        c.in_aggregate = False


def _includes(c: ExprCompiler, args: list[exp.Expr]) -> Typed:
    haystack, needle = c.typed(args[0]), c.typed(args[1])
    if haystack.kind == "list":
        return Typed(c.d.list_contains(haystack.expr, coerce(needle, "text", c.d)), "bool")
    if haystack.kind in ("json", "path"):
        doc = coerce(haystack, "value", c.d)
        return Typed(c.d.json_contains(doc, coerce(needle, "value", c.d)), "bool")
    return Typed(c.d.text_contains(coerce(haystack, "text", c.d), coerce(needle, "text", c.d)), "bool")


def _bounded_concat(c: ExprCompiler, node: exp.Func, parts: list[exp.Expr]) -> exp.Expr:
    """`concat(parts)`, refused when it combines too many field values and stopped at run time
    before it builds a string longer than the limit (see `assay.query.limits`)."""
    limits = c.limits
    count = string_parts(node)
    if count > limits.max_string_parts:
        raise error_at(
            node,
            f"concat() here combines {count} field values; at most {limits.max_string_parts} "
            "may go into one string",
        )
    size: exp.Expr = exp.Literal.number(0)
    for part in parts:
        size = exp.Add(
            this=size, expression=c.d.call("coalesce", c.d.call("length", part.copy()), exp.Literal.number(0))
        )
    mib = limits.max_string_bytes / 2**20
    too_long = c.d.fail(f"concat() would build a string longer than {mib:g} MiB (the query string limit)")
    return exp.Case(
        ifs=[
            exp.If(
                this=exp.GT(this=size, expression=exp.Literal.number(limits.max_string_bytes)), true=too_long
            )
        ],
        default=c.d.call("concat", *parts),
    )


def _check_pattern(pattern: exp.Literal) -> None:
    """A pattern that is not a regular expression is refused before anything runs (a 400 that
    points at it), not left to fail on every row. Python's parser catches the syntax errors the
    backends' engines (RE2, PostgreSQL's) share: unbalanced groups and brackets, dangling
    quantifiers, bad escapes."""
    try:
        re.compile(pattern.this)
    except re.error as exc:
        raise error_at(
            pattern, f"regexp_matches: {pattern.this!r} is not a regular expression ({exc})"
        ) from None

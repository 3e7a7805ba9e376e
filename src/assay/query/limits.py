"""Bounds a compiled query respects, whatever the data: how large the strings it builds may get.

A row may hold a field of many megabytes, and `concat` of `concat`s multiplies it: eight levels
of 32 copies of a 600 KB input is a 5 GB string, which no engine should try to build (DuckDB
invalidates its database when a string passes 4 GB). Two bounds, both checked per statement:

- at compile time, a string expression may combine at most `max_string_parts` field values
  (counted through nested `concat`s), so the amplification is known before anything runs;
- at run time, each `concat` checks the length of what it would build and fails the query
  with a clear message instead of building a string over `max_string_bytes`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from assay.query.fields import flatten


@dataclass(frozen=True)
class QueryLimits:
    max_string_bytes: int = 1024 * 1024
    max_string_parts: int = 8


DEFAULT_LIMITS = QueryLimits()


def string_parts(node: exp.Expr) -> int:
    """How many field values the string `node` can be made of: `concat` adds its arguments'
    counts, any other expression is at most as long as its longest part."""
    if isinstance(node, exp.Column | exp.Dot | exp.Bracket) and flatten(node) is not None:
        return 1
    counts = [string_parts(child) for child in node.iter_expressions()]
    if isinstance(node, exp.Func) and _is_concat(node):
        return sum(counts)
    return max(counts, default=0)


def _is_concat(node: exp.Func) -> bool:
    from assay.query.exprs import function_name

    return function_name(node) == "concat"

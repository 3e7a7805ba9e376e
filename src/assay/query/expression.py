"""One expression on its own: the UI's SQL filter (a WHERE condition) and custom columns.

`parse_expression` parses the text once and keeps token positions relative to it; the tree can
then be placed into a statement (`assay.services.table_query`) or checked alone
(`compile_filter`, `compile_column`), and an error points into the text the user typed.
"""

from __future__ import annotations

from sqlglot import exp

from assay.query.dialect import Dialect
from assay.query.errors import QueryError, bounded, error_at
from assay.query.exprs import ExprCompiler
from assay.query.parse import parse_sql
from assay.query.sources import SHAPES

PREFIX = "SELECT "
Scalar = str | int | float | bool | None


def literal(value: Scalar | list[Scalar]) -> exp.Expr:
    """A value as a literal node of the tree: the one way values enter a statement (no quoting)."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, list):
        return exp.Array(expressions=[literal(v) for v in value])
    raise QueryError(f"unsupported literal {value!r}")


@bounded
def parse_expression(text: str) -> exp.Expr:
    """Parse one expression (an alias `x AS name` is dropped); positions are within `text`."""
    if not isinstance(text, str) or not text.strip():
        raise QueryError("the expression is empty")
    statements = [s for s in parse_sql(PREFIX + text, -len(PREFIX), text) if s is not None]
    if (
        len(statements) != 1
        or not isinstance(statements[0], exp.Select)
        or len(statements[0].expressions) != 1
    ):
        raise QueryError("expected exactly one expression")
    select = statements[0]
    extra = [k for k, v in select.args.items() if v and k != "expressions"]
    if extra:
        raise QueryError(f"expected one expression, found a {extra[0].upper()} clause")
    node = select.expressions[0]
    node = node.this if isinstance(node, exp.Alias) else node
    for sub in node.walk():
        if isinstance(sub, exp.Expr) and sub.comments:
            # Harmless in a tree, but a comment in one expression only serves to break out of a
            # statement built around it: refuse it plainly.
            raise error_at(sub, "comments (-- or /* */) are not allowed in a filter or column expression")
    node.pop()  # detach from the wrapping SELECT, so it can be placed into another statement
    return node


def _check_shape(shape: str) -> None:
    if shape not in SHAPES:
        raise QueryError(f"shape must be one of {', '.join(SHAPES)}")


@bounded
def compile_filter(node: exp.Expr, shape: str, dialect: Dialect) -> exp.Expr:
    """Check a filter condition (no aggregates); return it compiled for `dialect`."""
    _check_shape(shape)
    c = ExprCompiler(shape, dialect)
    compiled = c.value(node, "bool")
    if c.aggregates:
        raise error_at(node, "a filter cannot use aggregate functions")
    return compiled


@bounded
def compile_column(node: exp.Expr, shape: str, dialect: Dialect, *, aggregate: bool = False) -> exp.Expr:
    """Check a column expression (aggregates only when `aggregate`); return it compiled."""
    _check_shape(shape)
    c = ExprCompiler(shape, dialect)
    compiled = c.value(node)
    if c.aggregates and not aggregate:
        raise error_at(node, "this column cannot use aggregate functions")
    return compiled


MAX_KEY_PARTS = 16


@bounded
def compile_key(node: exp.Expr, dialect: Dialect) -> list[exp.Expr]:
    """Check a comparison key (the project setting `comparison_key`) and compile its parts.

    A key is one expression over a trace (the `summary` shape), e.g. `input.question`, or an array
    of them, `[input.query, metadata.category]`, which matches on all of its parts. The result is
    one compiled value per part (JSON paths stay JSON values, so `1` and `"1"` stay different);
    the dialect's `match_key` turns them into one comparable key. No aggregates.
    """
    parts = list(node.expressions) if isinstance(node, exp.Array) else [node]
    if not parts:
        raise error_at(node, "the comparison key's array is empty")
    if len(parts) > MAX_KEY_PARTS:
        raise error_at(node, f"a comparison key has at most {MAX_KEY_PARTS} parts")
    c = ExprCompiler("summary", dialect)
    compiled = [c.value(part) for part in parts]
    if c.aggregates:
        raise error_at(node, "a comparison key cannot use aggregate functions")
    return compiled

"""Checking one expression on its own: the UI's SQL filter (a WHERE condition) and custom columns."""

from __future__ import annotations

from sqlglot import exp

from assay.query.dialect import BACKEND
from assay.query.errors import QueryError, bounded
from assay.query.exprs import ExprCompiler
from assay.query.parse import parse_sql
from assay.query.sources import SHAPES

PREFIX = "SELECT "


def _parse_expression(text: str) -> exp.Expr:
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
    return select.expressions[0]


def _check_shape(shape: str) -> None:
    if shape not in SHAPES:
        raise QueryError(f"shape must be one of {', '.join(SHAPES)}")


@bounded
def compile_filter(text: str, shape: str = "spans") -> str:
    """Validate a filter condition (no aggregates) and return it compiled for the backend."""
    _check_shape(shape)
    node = _parse_expression(text)
    c = ExprCompiler(shape)
    compiled = c.value(node.this if isinstance(node, exp.Alias) else node, "bool")
    if c.aggregates:
        raise QueryError("a filter cannot use aggregate functions")
    return BACKEND.render(compiled)


@bounded
def compile_column(text: str, shape: str = "spans", *, aggregate: bool = False) -> str:
    """Validate a column expression; aggregates are allowed only when `aggregate` is true."""
    _check_shape(shape)
    node = _parse_expression(text)
    c = ExprCompiler(shape)
    compiled = c.value(node.this if isinstance(node, exp.Alias) else node)
    if c.aggregates and not aggregate:
        raise QueryError("this column cannot use aggregate functions")
    return BACKEND.render(compiled)

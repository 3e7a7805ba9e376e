"""Query errors that say what is wrong and where (line and column of the query text)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlglot import exp

from assay.model.errors import InvalidInput


class QueryError(InvalidInput):
    """A query the layer refuses; `line`/`column` are 1-based positions in the query text, if known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        where = f"line {line}, column {column}: " if line is not None and column is not None else ""
        super().__init__(f"{where}{message}")
        self.reason = message
        self.line = line
        self.column = column

    def labelled(self, label: str) -> QueryError:
        """The same error, its message naming the fragment it is in (e.g. "filter 'x > 1'")."""
        self.message = f"{label}: {self.message}"
        self.args = (self.message,)
        return self


class QueryTimeout(QueryError):
    """The query ran past its time limit and was interrupted."""

    status_code = 408


def position(node: exp.Expr | None) -> tuple[int | None, int | None]:
    """The line/column sqlglot recorded for `node` or its first descendant that has one."""
    if node is None:
        return None, None
    best: tuple[int, int, int] | None = None  # (start, line, column) of the earliest token
    for sub in node.walk():
        meta = sub.meta if isinstance(sub, exp.Expr) else {}
        if not meta or "line" not in meta:
            continue
        start, end = meta.get("start"), meta.get("end")
        col = meta["col"]
        if isinstance(start, int) and isinstance(end, int):
            col = max(1, col - (end - start))  # sqlglot records the column of the token's end
        key = (start if isinstance(start, int) else 1 << 60, meta["line"], col)
        if best is None or key < best:
            best = key
    return (best[1], best[2]) if best else (None, None)


LABEL = "assay_label"  # meta key: what a fragment of a statement is ("filter 'x > 1'", "column 'c'")


def label(node: exp.Expr, text: str) -> exp.Expr:
    """Mark `node` as the root of a fragment the user typed, so errors inside it name it."""
    node.meta[LABEL] = text
    return node


def parse_labelled(parse: Callable[[str], exp.Expr], text: str, what: str) -> exp.Expr:
    """`parse(text)` with the fragment labelled `what`, for syntax errors and later ones alike."""
    try:
        return label(parse(text), what)
    except QueryError as exc:
        raise exc.labelled(what) from None


def error_at(node: exp.Expr | None, message: str) -> QueryError:
    """An error at `node`'s position; inside a labelled fragment, the message names the fragment."""
    line, col = position(node)
    found = node
    while found is not None and LABEL not in found.meta:
        found = found.parent
    error = QueryError(message, line, col)
    return error.labelled(found.meta[LABEL]) if found is not None else error


P = ParamSpec("P")
R = TypeVar("R")


def bounded(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn Python's recursion limit, hit by absurdly nested queries, into a clear QueryError."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except RecursionError:
            raise QueryError("the query is nested too deeply; simplify it") from None

    return wrapper


class QueryTooLarge(QueryError):
    """The query would need more memory than a query may use; it was stopped, nothing else was."""

    status_code = 400

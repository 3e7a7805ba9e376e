"""Text or JSON in, one sqlglot `Select` out: the three syntaxes a query may arrive in.

- SQL: `SELECT … FROM experiment('id') WHERE … GROUP BY … HAVING … ORDER BY … LIMIT n [OFFSET 'cursor']`
- pipe (BTQL): `select: … | from: experiment('id') spans | filter: … | sort: … | limit: n | cursor: "c"`
- the JSON query tree some SDK calls post (`{"select": [{"op": "star"}], "from": {...}, ...}`)

Whatever the syntax, the result is a `ParsedQuery` whose `select` is an ordinary sqlglot tree in
the user's dialect; validation and compilation work on that tree only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from assay.query.errors import QueryError, bounded
from assay.query.syntax import DIALECT

MAX_QUERY_CHARS = 100_000


@dataclass
class ParsedQuery:
    select: exp.Select
    cursor: str | None = None
    syntax: str = "sql"  # "sql" | "pipe" | "json"


def parse_sql(text: str, offset: int = 0, source: str | None = None) -> list[exp.Expr | None]:
    """sqlglot parse with errors translated to positions in `source` (the whole query text).

    `offset` is where `text` starts inside `source`, for fragments of a pipe query.
    """
    source = text if source is None else source
    try:
        trees = sqlglot.parse(text, dialect=DIALECT)
        if offset or source is not text:
            for tree in trees:
                _relocate(tree, offset, source)
        return trees
    except ParseError as err:
        info = err.errors[0] if err.errors else {}
        line, col = _shift(source, offset, text, info.get("line"), info.get("col"))
        reason = info.get("description") or str(err).split("\n")[0]
        raise QueryError(f"syntax error: {reason}", line, col) from None
    except TokenError as err:
        raise QueryError(f"syntax error: {err}") from None


def _relocate(tree: exp.Expr | None, offset: int, source: str) -> None:
    """Point recorded token positions at `source` instead of the fragment that was parsed."""
    for node in tree.walk() if tree is not None else ():
        meta = node.meta if isinstance(node, exp.Expr) else {}
        if meta and isinstance(meta.get("start"), int):
            start = offset + meta["start"]
            meta["line"], meta["col"] = line_col(source, start)
            meta["start"] = meta["end"] = start


def _shift(
    source: str, offset: int, text: str, line: int | None, col: int | None
) -> tuple[int | None, int | None]:
    if line is None or col is None:
        return None, None
    lines = text.split("\n")
    index = sum(len(s) + 1 for s in lines[: line - 1]) + max(col - 1, 0)
    return line_col(source, offset + index)


def line_col(source: str, index: int) -> tuple[int, int]:
    """1-based line and column of character `index` of `source`."""
    index = max(0, min(index, len(source)))
    before = source[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


PIPE_START = re.compile(r"^\s*(select|from|filter|dimensions|measures|sort|limit|cursor)\s*:", re.I)


def detect(text: str) -> str:
    return "pipe" if PIPE_START.match(text) else "sql"


@bounded
def parse_query(query: Any) -> ParsedQuery:
    """Parse a query given as SQL text, pipe text or a JSON tree."""
    if isinstance(query, dict):
        from assay.query.jsontree import parse_tree

        return parse_tree(query)
    if not isinstance(query, str) or not query.strip():
        raise QueryError("query must be a non-empty string (SQL or pipe syntax) or a JSON query object")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"query longer than {MAX_QUERY_CHARS} characters")
    if detect(query) == "pipe":
        from assay.query.pipe import parse_pipe

        return parse_pipe(query)
    statements = [s for s in parse_sql(query) if s is not None]
    if len(statements) != 1:
        raise QueryError(f"send exactly one statement (found {len(statements)})")
    (statement,) = statements
    if not isinstance(statement, exp.Select):
        raise QueryError(f"only SELECT queries are allowed, not {statement.key.upper()}", *_where(statement))
    cursor = None
    offset = statement.args.get("offset")
    if offset is not None and isinstance(offset.expression, exp.Literal) and offset.expression.is_string:
        cursor = offset.expression.this
        statement.set("offset", None)
    return ParsedQuery(statement, cursor, "sql")


def _where(node: exp.Expr) -> tuple[int | None, int | None]:
    from assay.query.errors import position

    return position(node)

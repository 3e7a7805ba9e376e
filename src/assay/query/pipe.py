"""The pipe syntax (`select: … | from: … | filter: …`), which the reference CLI's sync sends.

Clauses are separated by `|` or new lines. Each clause body is parsed by sqlglot on its own, and
errors are reported at their position in the whole query text.
"""

from __future__ import annotations

import re

from sqlglot import exp

from assay.query.errors import QueryError
from assay.query.parse import ParsedQuery, line_col, parse_sql

CLAUSES = ("select", "from", "filter", "dimensions", "measures", "sort", "limit", "cursor")
IGNORED = ("preview_length", "sample", "comparison_key", "inference_depth")
CLAUSE_AT = re.compile(r"\s*([a-z_]+)\s*:", re.I)
SHAPE_SUFFIX = re.compile(r"\s+(spans|traces|summary)\s*$", re.I)


def split_clauses(text: str) -> list[tuple[str, int, str]]:
    """(name, offset of body, body) for every clause, splitting on `|` or newline outside quotes."""
    pieces: list[tuple[int, int]] = []
    start, quote, i = 0, "", 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"`":
            quote = ch
        elif (ch == "|" and text[i : i + 2] != "||" and (i == 0 or text[i - 1] != "|")) or (
            ch == "\n" and CLAUSE_AT.match(text, i + 1)
        ):
            pieces.append((start, i))
            start = i + 1
        i += 1
    pieces.append((start, len(text)))
    out = []
    for a, b in pieces:
        if not text[a:b].strip():
            continue
        m = CLAUSE_AT.match(text, a)
        if not m or m.end() > b:
            raise QueryError("expected a clause such as 'filter: …'", *line_col(text, a))
        out.append((m.group(1).lower(), m.end(), text[m.end() : b]))
    return out


def _fragment(text: str, offset: int, prefix: str, body: str) -> exp.Select:
    # Parse `prefix + body`; positions in errors are shifted back onto the body's place in `text`.
    statements = [s for s in parse_sql(prefix + body, offset - len(prefix), text) if s is not None]
    if len(statements) != 1 or not isinstance(statements[0], exp.Select):
        raise QueryError("this clause must be one expression list", *line_col(text, offset))
    return statements[0]


def parse_pipe(text: str) -> ParsedQuery:
    select = exp.Select()
    cursor = None
    seen: set[str] = set()
    dimensions: list[exp.Expr] = []
    for name, offset, body in split_clauses(text):
        if name in IGNORED:
            continue
        if name not in CLAUSES:
            raise QueryError(
                f"unknown clause {name!r}; use one of {', '.join(CLAUSES)}", *line_col(text, offset)
            )
        if name in seen:
            raise QueryError(f"clause {name!r} given twice", *line_col(text, offset))
        seen.add(name)
        if name in ("select", "measures", "dimensions"):
            items = _fragment(text, offset, "SELECT ", body).expressions
            select.set("expressions", [*select.expressions, *items])
            if name == "dimensions":
                dimensions.extend(items)
        elif name == "from":
            shape = SHAPE_SUFFIX.search(body)
            source_text = body[: shape.start()] if shape else body
            source = _fragment(text, offset, "SELECT * FROM ", source_text).args["from_"]
            table = source.this
            if shape and isinstance(table, exp.Table) and isinstance(table.this, exp.Func):
                table.this.append(
                    "expressions",
                    exp.Kwarg(this=exp.var("shape"), expression=exp.Literal.string(shape.group(1).lower())),
                )
            select.set("from_", source)
        elif name == "filter":
            select.set("where", _fragment(text, offset, "SELECT 1 WHERE ", body).args["where"])
        elif name == "sort":
            select.set("order", _fragment(text, offset, "SELECT 1 ORDER BY ", body).args["order"])
        elif name == "limit":
            if not body.strip().isdigit():
                raise QueryError("limit must be a whole number", *line_col(text, offset))
            select.set("limit", exp.Limit(expression=exp.Literal.number(int(body.strip()))))
        elif name == "cursor":
            cursor = body.strip().strip("'\"") or None
    if "from" not in seen:
        raise QueryError("the query needs a 'from:' clause, e.g. from: experiment('<id>')")
    if not select.expressions:
        select.set("expressions", [exp.Star()])
    if dimensions:
        select.set("group", exp.Group(expressions=[_strip_alias(d) for d in dimensions]))
    return ParsedQuery(select, cursor, "pipe")


def _strip_alias(node: exp.Expr) -> exp.Expr:
    return node.this.copy() if isinstance(node, exp.Alias) else node.copy()

"""The JSON query tree (`{"op": "ident", "name": [...]}` nodes) that the reference SDK posts.

Each node becomes the sqlglot node the SQL syntax would have produced, so one validator and one
compiler serve all three syntaxes. Unknown ops are refused, naming the op and where it was found.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from assay.query.errors import QueryError
from assay.query.expression import literal
from assay.query.parse import ParsedQuery
from assay.query.syntax import INCLUDES, MATCH

BINARY: dict[str, type[exp.Expr]] = {
    "eq": exp.EQ,
    "ne": exp.NEQ,
    "gt": exp.GT,
    "ge": exp.GTE,
    "lt": exp.LT,
    "le": exp.LTE,
    "add": exp.Add,
    "sub": exp.Sub,
    "mul": exp.Mul,
    "div": exp.Div,
    "mod": exp.Mod,
    "like": exp.Like,
    "ilike": exp.ILike,
}


def _literal(value: Any, where: str) -> exp.Expr:
    try:
        return literal(value)
    except QueryError:
        raise QueryError(f"{where}: unsupported literal {value!r}") from None


def _ident(names: Any, where: str) -> exp.Expr:
    if not isinstance(names, list) or not names or not all(isinstance(n, str | int) for n in names):
        raise QueryError(f"{where}: ident name must be a non-empty list of strings")
    node: exp.Expr = exp.column(exp.to_identifier(str(names[0]), quoted=True))
    for part in names[1:]:
        if isinstance(part, int):
            node = exp.Bracket(this=node, expressions=[exp.Literal.number(part)])
        else:
            node = exp.Dot(this=node, expression=exp.to_identifier(part, quoted=True))
    return node


def node(tree: Any, where: str = "query") -> exp.Expr:
    """One JSON node as a sqlglot expression."""
    if not isinstance(tree, dict) or not isinstance(tree.get("op"), str):
        raise QueryError(f"{where}: expected an object with an 'op'")
    op = tree["op"]
    if op == "literal":
        return _literal(tree.get("value"), where)
    if op == "ident":
        return _ident(tree.get("name"), where)
    if op == "star":
        return exp.Star()
    if op in BINARY:
        left, right = node(tree.get("left"), f"{where}.left"), node(tree.get("right"), f"{where}.right")
        if op in ("eq", "ne") and isinstance(right, exp.Null):
            null = exp.Is(this=left, expression=exp.Null())
            return null if op == "eq" else exp.Not(this=null)
        return BINARY[op](this=left, expression=right)
    if op in ("and", "or"):
        children = [node(c, f"{where}.children[{i}]") for i, c in enumerate(tree.get("children") or [])]
        if not children:
            return exp.Boolean(this=op == "and")
        result = children[0]
        for child in children[1:]:
            result = (exp.And if op == "and" else exp.Or)(this=result, expression=child)
        return exp.Paren(this=result)
    if op == "not":
        return exp.Not(this=node(tree.get("expr"), f"{where}.expr"))
    if op in ("isnull", "isnotnull"):
        null = exp.Is(this=node(tree.get("expr"), f"{where}.expr"), expression=exp.Null())
        return null if op == "isnull" else exp.Not(this=null)
    if op == "in":
        right = node(tree.get("right"), f"{where}.right")
        items = right.expressions if isinstance(right, exp.Array) else [right]
        return exp.In(this=node(tree.get("left"), f"{where}.left"), expressions=items)
    if op in ("match", "includes", "contains"):
        name = MATCH if op == "match" else INCLUDES
        args = [node(tree.get("left"), f"{where}.left"), node(tree.get("right"), f"{where}.right")]
        return exp.Anonymous(this=name, expressions=args)
    if op == "neg":
        return exp.Neg(this=node(tree.get("expr"), f"{where}.expr"))
    if op == "function":
        fname = tree.get("name") or {}
        names = fname.get("name") if isinstance(fname, dict) else None
        if not isinstance(names, list) or len(names) != 1 or not isinstance(names[0], str):
            raise QueryError(f"{where}.name: expected an ident with one name")
        args = [node(a, f"{where}.args[{i}]") for i, a in enumerate(tree.get("args") or [])]
        return exp.Anonymous(this=names[0], expressions=args)
    raise QueryError(f"{where}: unsupported op {op!r}")


def _aliased(item: Any, where: str) -> exp.Expr:
    if isinstance(item, dict) and "expr" in item and "op" not in item:
        expr = node(item["expr"], f"{where}.expr")
        alias = item.get("alias")
        return exp.alias_(expr, str(alias), quoted=True) if alias else expr
    return node(item, where)


def parse_tree(tree: dict[str, Any]) -> ParsedQuery:
    select = exp.Select()
    items = []
    for key in ("select", "dimensions", "measures"):
        for i, item in enumerate(tree.get(key) or []):
            items.append(_aliased(item, f"{key}[{i}]"))
    select.set("expressions", items or [exp.Star()])
    dims = [_aliased(d, f"dimensions[{i}]") for i, d in enumerate(tree.get("dimensions") or [])]
    if dims:
        select.set("group", exp.Group(expressions=[d.this if isinstance(d, exp.Alias) else d for d in dims]))
    source = tree.get("from")
    if source is None:
        raise QueryError("the query needs a 'from' source, e.g. experiment('<id>')")
    src = node(source, "from")
    shape = source.get("shape") if isinstance(source, dict) else None
    if isinstance(shape, str) and isinstance(src, exp.Func):
        src.append("expressions", exp.Kwarg(this=exp.var("shape"), expression=exp.Literal.string(shape)))
    select.set("from_", exp.From(this=exp.Table(this=src)))
    if tree.get("filter") is not None:
        select.set("where", exp.Where(this=node(tree["filter"], "filter")))
    sort = []
    for i, item in enumerate(tree.get("sort") or []):
        if not isinstance(item, dict) or "expr" not in item:
            raise QueryError(f"sort[{i}]: expected {{'expr': ..., 'dir': 'asc'|'desc'}}")
        desc = str(item.get("dir", "asc")).lower() == "desc"
        sort.append(exp.Ordered(this=node(item["expr"], f"sort[{i}].expr"), desc=desc))
    if sort:
        select.set("order", exp.Order(expressions=sort))
    limit = tree.get("limit")
    if limit is not None:
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
            raise QueryError("limit must be a non-negative whole number")
        select.set("limit", exp.Limit(expression=exp.Literal.number(limit)))
    cursor = tree.get("cursor")
    return ParsedQuery(select, cursor if isinstance(cursor, str) and cursor else None, "json")

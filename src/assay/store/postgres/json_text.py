"""JSON values in compiled PostgreSQL statements: compared, grouped and ordered as their text.

PostgreSQL's `json` has no equality and no order, so `GROUP BY metadata.model`, `ORDER BY input`,
`SELECT DISTINCT output` or `max(input)` would fail. DuckDB's JSON is text and compares as
text; so here every JSON-valued expression the statement compares, groups, orders or returns is
turned into its text (`CAST(… AS TEXT)`), which is the same text DuckDB compares (the stored
JSON is kept as written). The store decodes the returned text as JSON again: `json_columns`
says which output columns hold JSON text.
"""

from __future__ import annotations

from sqlglot import exp

from assay.store.columns import ROW_COLUMNS

# The rows' JSON columns and the trace summaries' (`assay.query.fields.LABEL_FIELDS`).
JSON_COLUMNS = frozenset(c.name for c in ROW_COLUMNS if c.kind == "json") | {"classifications", "facets"}
JSON_FUNCTIONS = frozenset({"json_extract_path"})
COMPARED = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)


def _is_json(node: exp.Expr, aliases: frozenset[str]) -> bool:
    if isinstance(node, exp.Alias | exp.Paren):
        return _is_json(node.this, aliases)
    if isinstance(node, exp.Column):
        return node.name in JSON_COLUMNS or (not node.table and node.name in aliases)
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower() in JSON_FUNCTIONS
    if isinstance(node, exp.Cast):
        return node.to.is_type(exp.DataType.Type.JSON)
    if isinstance(node, exp.Max | exp.Min):
        return _is_json(node.this, aliases)
    return False


def _text(node: exp.Expr) -> exp.Expr:
    return exp.Cast(this=node, to=exp.DataType.build("TEXT"))


def _json_aliases(select: exp.Select) -> frozenset[str]:
    return frozenset(
        item.alias
        for item in select.expressions
        if isinstance(item, exp.Alias) and _is_json(item.this, frozenset())
    )


def json_columns(statement: exp.Expr) -> list[bool]:
    """For each output column of `statement` (as compiled, before `as_text`), whether it is JSON."""
    if not isinstance(statement, exp.Select):
        return []
    aliases = _json_aliases(statement)
    return [_is_json(item, aliases) for item in statement.expressions]


def as_text(statement: exp.Expr) -> exp.Expr:
    """Rewrite `statement` (a copy) so no JSON value is compared, grouped, ordered or returned."""
    for cmp in list(statement.find_all(*COMPARED)):
        left, right = cmp.this, cmp.expression
        if _is_json(left, frozenset()) and _is_json(right, frozenset()):
            cmp.set("this", _text(left))
            cmp.set("expression", _text(right))
    for agg in list(statement.find_all(exp.Max, exp.Min, exp.Count)):
        inner = agg.this
        if isinstance(inner, exp.Distinct):
            inner.set("expressions", [_text(e) if _is_json(e, frozenset()) else e for e in inner.expressions])
        elif inner is not None and _is_json(inner, frozenset()):
            agg.set("this", _text(inner))
    if isinstance(statement, exp.Select):
        aliases = _json_aliases(statement)
        for clause in ("group", "order"):
            node = statement.args.get(clause)
            if node is None:
                continue
            for item in node.expressions:
                target = item.this if isinstance(item, exp.Ordered) else item
                if (_is_json(target, aliases) and not isinstance(target, exp.Column | exp.Literal)) or (
                    isinstance(target, exp.Column) and target.name in JSON_COLUMNS and not target.table
                ):
                    target.replace(_text(target.copy()))
        statement.set(
            "expressions",
            [
                exp.alias_(_text(item.this), item.alias, quoted=True)
                if isinstance(item, exp.Alias)
                and _is_json(item.this, frozenset())
                and not _is_text(item.this)
                else item
                for item in statement.expressions
            ],
        )
    return statement


def _is_text(node: exp.Expr) -> bool:
    return isinstance(node, exp.Cast) and node.to.is_type(exp.DataType.Type.TEXT)

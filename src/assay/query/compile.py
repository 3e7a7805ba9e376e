"""A parsed query plus its resolved source, compiled to one statement for a dialect.

The statement is `WITH src AS (<source subquery>) SELECT … FROM src …`: the source subquery comes
from the dialect for the resolved object ids and the shape, and the rest is rebuilt node by node
from the user's tree by `ExprCompiler`, so user SQL can reach nothing but `src`. Nothing here
knows who asks or runs anything: `assay.services.queries` resolves the source for a caller and a
store executes the result (`Store.execute`).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field

import orjson
from sqlglot import exp

from assay.model.objects import OBJECT_TYPES
from assay.query.dialect import COMPARED_PREFIX, Compared, Dialect, compared_column
from assay.query.errors import QueryError, bounded, error_at
from assay.query.expression import compile_key, parse_expression
from assay.query.exprs import ExprCompiler
from assay.query.fields import fields_for, flatten
from assay.query.functions import ANY_SPAN_ROWS
from assay.query.limits import DEFAULT_LIMITS, QueryLimits
from assay.query.parse import ParsedQuery
from assay.query.sources import Source

DEFAULT_LIMIT = 1000
MAX_LIMIT = 100_000
KEY_COLUMN = "__assay_key"
SELECT_ARGS = frozenset({"expressions", "from_", "where", "group", "having", "order", "limit", "distinct"})


@dataclass
class Compiled:
    """One statement ready to execute, and what its caller needs to read the answer.

    `statement` is the tree and `sql` its spelling for the dialect it was compiled for; `source`
    says which rows it reads (the store keeps what it reads fresh, e.g. trace summaries);
    `columns` are the output names in order; `star` marks `SELECT *` (rows decode as API events);
    `keyed` pages follow `_pagination_key` (the hidden `KEY_COLUMN`), others go by `offset`."""

    statement: exp.Expr
    sql: str
    source: Source
    columns: list[str]
    star: bool
    keyed: bool
    limit: int
    offset: int = 0
    warnings: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)  # `* EXCLUDE (…)` fields dropped from span events


def encode_cursor(state: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(state)).decode()


def decode_cursor(cursor: str) -> dict[str, object]:
    try:
        state = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise QueryError(f"invalid cursor {cursor[:40]!r}: pass back a cursor this server returned") from None
    if not isinstance(state, dict) or not ({"k", "o"} & state.keys()):
        raise QueryError(f"invalid cursor {cursor[:40]!r}")
    return state


def _check_clauses(select: exp.Select) -> None:
    for key, value in select.args.items():
        if value and key not in SELECT_ARGS:
            raise error_at(value if isinstance(value, exp.Expr) else select, f"{key.upper()} is not allowed")
    distinct = select.args.get("distinct")
    if distinct is not None and distinct.args.get("on") is not None:
        raise error_at(distinct, "DISTINCT ON is not allowed")


def _output_name(node: exp.Expr) -> str:
    if isinstance(node, exp.Alias):
        return node.alias
    parts = flatten(node) if isinstance(node, exp.Column | exp.Dot | exp.Bracket) else None
    if parts:
        return (
            str(parts[-1]) if isinstance(parts[-1], str) or len(parts) == 1 else f"{parts[-2]}[{parts[-1]}]"
        )
    return node.sql()


def _limit_of(select: exp.Select, override: int | None, warnings: list[str]) -> int:
    limit = override
    node = select.args.get("limit")
    if node is not None:
        value = node.expression
        if not (isinstance(value, exp.Literal) and value.is_int):
            raise error_at(node, "LIMIT must be a whole number")
        limit = int(value.this)
    if limit is None:
        return DEFAULT_LIMIT
    if limit > MAX_LIMIT:
        warnings.append(
            f"limit {limit} lowered to the maximum page size {MAX_LIMIT}; use the cursor for more"
        )
        return MAX_LIMIT
    return max(limit, 0)


@bounded
def compile_query(
    parsed: ParsedQuery,
    source: Source,
    dialect: Dialect,
    *,
    cursor: str | None = None,
    limit: int | None = None,
    limits: QueryLimits = DEFAULT_LIMITS,
) -> Compiled:
    """Compile `parsed` over `source` (its FROM clause, already resolved by the caller)."""
    select = parsed.select
    _check_clauses(select)
    shape = source.shape
    warnings: list[str] = []
    page = _limit_of(select, limit, warnings)

    items = list(select.expressions)
    star = len(items) == 1 and isinstance(items[0], exp.Star)
    names: list[str] = []
    out_items: list[exp.Expr] = []
    plain = ExprCompiler(shape, dialect, limits=limits)
    excluded: list[str] = []
    if star:
        excluded = _excluded(items[0], shape)
        # Span rows decode as whole API events (every column is needed); EXCLUDE then drops fields.
        for name in star_columns(shape) if shape != "summary" else _kept(shape, excluded):
            column = fields_for(shape)[name][0] if shape == "summary" else name
            out_items.append(exp.alias_(exp.column(column, quoted=True), name, quoted=True))
            names.append(name)
    else:
        for item in items:
            if isinstance(item, exp.Star):
                raise error_at(item, "* must be the only selected item")
            name = _output_name(item)
            while name in names:
                name += "_"
            expr = item.this if isinstance(item, exp.Alias) else item
            out_items.append(exp.alias_(plain.value(expr), name, quoted=True))
            names.append(name)
    aliased = ExprCompiler(shape, dialect, set(names), limits)
    aliased.aggregates = plain.aggregates
    out = exp.Select(expressions=out_items).from_("src")
    if select.args.get("distinct") is not None:
        out.set("distinct", exp.Distinct())

    where = select.args.get("where")
    conds: list[exp.Expr] = []
    any_span_in_where = False
    if where is not None:
        check = ExprCompiler(shape, dialect, limits=limits)
        cond = check.value(where.this, "bool")
        if check.aggregates:
            raise error_at(where, "aggregates are not allowed in WHERE/filter; use HAVING")
        any_span_in_where = check.any_span
        if shape == "traces":
            inner = exp.select("root_span_id").from_("src").where(cond)
            cond = exp.column("root_span_id").isin(query=inner)
        conds.append(cond)

    group = select.args.get("group")
    if group is not None:
        out.set(
            "group", exp.Group(expressions=[_group_item(aliased, g, len(names)) for g in group.expressions])
        )
    having = select.args.get("having")
    if having is not None:
        out.set("having", exp.Having(this=aliased.value(having.this, "bool")))

    order = select.args.get("order")
    aggregated = aliased.aggregates > 0 or group is not None or select.args.get("distinct") is not None
    keyed, desc = _keyed(order, aggregated)
    token = cursor or parsed.cursor
    state = decode_cursor(token) if token else {}
    offset = 0
    if keyed:
        key = exp.column(fields_for(shape)["_pagination_key"][0], quoted=True)
        out.append("expressions", exp.alias_(key.copy(), KEY_COLUMN, quoted=True))
        out.set(
            "order", exp.Order(expressions=[exp.Ordered(this=key.copy(), desc=desc, nulls_first=not desc)])
        )
        if "k" in state:
            after = exp.Literal.string(str(state["k"]))
            conds.append(
                exp.LT(this=key.copy(), expression=after)
                if desc
                else exp.GT(this=key.copy(), expression=after)
            )
    else:
        if order is not None:
            out.set(
                "order",
                exp.Order(expressions=[_order_item(aliased, o, len(names)) for o in order.expressions]),
            )
        raw = state.get("o", 0)
        offset = raw if isinstance(raw, int) and raw >= 0 else 0
    if keyed and shape in dialect.bounded_pages and page > 0 and not source.compare_ids:
        # Span and trace rows are wide (input, output, …). Find the page's last key on the narrow
        # key column first, so the scan fetches the wide columns only for the page's rows: about
        # 2x faster at 100,000 traces than a top-N sort over whole rows; a page of 17,000 of
        # 400,000 spans took 0.07-0.98 s (the top-N read the wide columns of every older span),
        # 0.10-0.22 s so. Not with compare =>: the source is then a join, which DuckDB would
        # materialise whole to read it twice; nor where the dialect's planner makes reading the
        # source twice cost more (`Dialect.bounded_pages`).
        bound = exp.select(exp.alias_(key.copy(), "k")).from_("src")
        if conds:
            bound = bound.where(exp.and_(*[c.copy() for c in conds]))
        bound = bound.order_by(exp.Ordered(this=key.copy(), desc=desc)).limit(page)
        edge = exp.select((exp.Min if desc else exp.Max)(this=exp.column("k"))).from_(
            bound.subquery("page_keys")
        )
        conds.append((exp.GTE if desc else exp.LTE)(this=key.copy(), expression=edge.subquery()))
    if conds:
        out.set("where", exp.Where(this=exp.and_(*conds)))
    out.set("limit", exp.Limit(expression=exp.Literal.number(page)))
    if offset:
        out.set("offset", exp.Offset(expression=exp.Literal.number(offset)))

    ids = list(source.object_ids)
    if plain.any_span or aliased.any_span or any_span_in_where:
        out = out.with_(ANY_SPAN_ROWS, as_=dialect.spans_source(source.object_type, ids))
    if shape == "summary":
        used = _compared_use(out, len(source.compare_ids))
        match = None
        if source.comparison_key:
            match = compile_key(parse_expression(source.comparison_key), dialect)
        src = dialect.summaries_source(source.object_type, ids, source.compare_ids, match, used)
    else:
        src = dialect.spans_source(source.object_type, ids)
    out = out.with_("src", as_=src)
    compiled = Compiled(out, dialect.render(out), source, names, star, keyed, page, offset, warnings)
    compiled.exclude = excluded if shape != "summary" else []
    return compiled


_COMPARED = re.compile(rf"^{COMPARED_PREFIX}(\d+)_(scores|metrics|id|traces)$")


def _compared_use(tree: exp.Expr, count: int) -> dict[int, Compared]:
    """Which compared experiments (`comparisons[i]`, `comparison_scores`) the statement reads, and
    which of their scores and metrics. A named score or metric, `__cmp<i>_scores['x']`, is rewritten
    in place to a column of its own (`compared_column`), so the source aggregates only those names
    and builds no MAP (DuckDB spends about 20 µs a row building one)."""
    used: dict[int, Compared] = {}
    for col in list(tree.find_all(exp.Column)):
        found = _COMPARED.match(col.name)
        if not found:
            continue
        index, part = int(found.group(1)), found.group(2)
        if count and index >= count:
            raise QueryError(
                f"comparisons[{index}] needs compare => with at least {index + 1} experiments ({count} given)"
            )
        need = used.setdefault(index, Compared())
        if part not in ("scores", "metrics"):
            continue
        parent = col.parent
        name = None
        if isinstance(parent, exp.Bracket) and parent.this is col and len(parent.expressions) == 1:
            name = parent.expressions[0]
        if isinstance(parent, exp.Bracket) and isinstance(name, exp.Literal) and name.is_string:
            names = need.scores if part == "scores" else need.metrics
            if name.this not in names:
                names.append(name.this)
            column = compared_column(index, f"{part[0]}{names.index(name.this)}")
            parent.replace(exp.column(column, quoted=True))
        elif part == "scores":
            need.all_scores = True
        else:
            need.all_metrics = True
    return used


def _excluded(star: exp.Star, shape: str) -> list[str]:
    """The names of `* EXCLUDE (a, b)` (each must be a column of `*`); REPLACE/RENAME are refused."""
    for key in ("replace", "rename", "ilike"):
        if star.args.get(key):
            raise error_at(star, f"SELECT * {key.upper()} is not supported; select the columns by name")
    names = {*star_columns(shape), *(t.id_field for t in OBJECT_TYPES.values())}
    excluded: list[str] = []
    for node in star.args.get("except_") or []:
        parts = flatten(node)
        if not parts or len(parts) != 1 or not isinstance(parts[0], str):
            raise error_at(node, "EXCLUDE takes column names, e.g. SELECT * EXCLUDE (input, output)")
        if parts[0] not in names:
            raise error_at(node, f"EXCLUDE: {parts[0]!r} is not a column of SELECT *")
        excluded.append(parts[0])
    if not _kept(shape, excluded):
        raise error_at(star, "EXCLUDE leaves no column to select")
    return excluded


def _kept(shape: str, excluded: list[str]) -> list[str]:
    return [n for n in star_columns(shape) if n not in excluded]


def star_columns(shape: str) -> list[str]:
    """What `SELECT *` returns: the fetch API's fields for spans, the trace row for `summary`."""
    from assay.query.fields import SUMMARY_COLUMNS
    from assay.store.columns import ROW_COLUMNS

    if shape == "summary":
        return [*SUMMARY_COLUMNS, "_pagination_key", "span_count", "has_error", "match_key"]
    return [c.name for c in ROW_COLUMNS if c.name != "_key"]  # decoded by codec.api_event


def _keyed(order: exp.Order | None, aggregated: bool) -> tuple[bool, bool]:
    """Whether pages follow `_pagination_key` (cursor by key) and in which direction."""
    if aggregated:
        return False, False
    if order is None:
        return True, True
    items = order.expressions
    if len(items) == 1 and flatten(items[0].this) == ["_pagination_key"]:
        return True, bool(items[0].args.get("desc"))
    return False, False


def _positional(node: exp.Expr, count: int) -> exp.Expr | None:
    if isinstance(node, exp.Literal) and node.is_int:
        if not 1 <= int(node.this) <= count:
            raise error_at(node, f"position {node.this} is not a selected column (1 to {count})")
        return exp.Literal.number(int(node.this))
    return None


def _group_item(c: ExprCompiler, node: exp.Expr, count: int) -> exp.Expr:
    return _positional(node, count) or c.value(node)


def _order_item(c: ExprCompiler, node: exp.Ordered, count: int) -> exp.Expr:
    value = _positional(node.this, count) or c.value(node.this)
    desc = bool(node.args.get("desc"))
    # The parser fills `nulls_first` from an explicit NULLS FIRST/LAST, else NULLs sort first
    # ascending and last descending (as if smallest).
    nulls_first = node.args.get("nulls_first")
    return exp.Ordered(
        this=value, desc=desc, nulls_first=(not desc) if nulls_first is None else bool(nulls_first)
    )

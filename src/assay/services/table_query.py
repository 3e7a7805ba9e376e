"""What the experiment table asks for, built into query trees (never into query text).

The web app describes a table state: row type, filters, search, sort, grouping, custom columns, a
page. Point-and-click filters arrive as structured conditions (`{column, op, value}`) and become
tree nodes with their values as literal nodes; only what the user typed as SQL (the SQL filter,
custom column expressions) arrives as text, and each is parsed once, on its own, so an error
points into that text and nothing typed can change the statement around it. The statements are
then checked and compiled by `assay.query` exactly like a user's own query, so the table and the
SQL tab can never disagree.
"""

from __future__ import annotations

from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field
from sqlglot import exp

from assay.model.metrics import TABLE_METRICS
from assay.query import QueryError, parse_expression
from assay.query.errors import parse_labelled
from assay.query.expression import Scalar, literal
from assay.query.fields import LABEL_FIELDS, flatten
from assay.query.syntax import INCLUDES
from assay.services.aggregates import expand
from assay.store.columns import TABLE_FIELDS

Op = Literal["=", "!=", ">", ">=", "<", "<=", "contains", "includes", "in", "is null", "is not null"]
SEARCHED = ("input", "output", "expected", "metadata", "span_attributes.name")
ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,200}$"
AGGREGATE_PREFIX = "__aggregate:"  # the rows' columns holding aggregate scores (`with_aggregates`)


class Condition(BaseModel):
    """A condition built by pointing and clicking: a column, an operator and a value (no SQL)."""

    model_config = ConfigDict(extra="forbid")

    column: str = Field(
        min_length=1,
        max_length=1000,
        description='A column path (`scores.acc`, `metadata."odd name"`, `origin.id`) or a custom column name',
    )
    op: Op
    value: Scalar | list[Scalar] = Field(
        None,
        description="Compared with the column; `contains` ignores case; `in` takes a list; "
        "`is null` / `is not null` take none",
    )


class SortKey(BaseModel):
    column: str = Field(description="A column path (`scores.Levenshtein`) or a custom column name")
    desc: bool = False
    nulls_last: bool = Field(False, description="Put rows without a value last (default: NULLs are smallest)")


class CustomColumn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    expr: str = Field(min_length=1, max_length=4000, description="An expression of the query language")


class TableQuery(BaseModel):
    """One table state; the filters are ANDed together."""

    row_type: Literal["traces", "spans"] = "traces"
    filters: list[str | Condition] = Field(
        default_factory=list,
        description="Each a condition `{column, op, value}` or a filter typed in the query language",
    )
    search: str | None = Field(
        None,
        description="Text searched (ignoring case) in input, output, expected, metadata and the span name",
    )
    sort: list[SortKey] = Field(default_factory=list)
    custom_columns: list[CustomColumn] = Field(default_factory=list)


class PageQuery(TableQuery):
    compare_to: str | None = Field(
        None,
        pattern=ID_PATTERN,
        description="An experiment id: trace rows then offer `comparison_scores`, the scores of the same "
        "test case there (e.g. to sort by `scores.X - comparison_scores.X`)",
    )
    offset: int = Field(0, ge=0)
    limit: int = Field(100, ge=1, le=1000)
    with_total: bool = Field(True, description="Count the matching rows (a scrolling client needs it once)")


class GroupQuery(TableQuery):
    group_by: str = Field(description="A column path, e.g. metadata.category, or a custom column name")
    comparison_experiment_id: str | None = Field(None, pattern=ID_PATTERN)


class SummaryQuery(TableQuery):
    comparison_experiment_id: str | None = Field(
        None, pattern=ID_PATTERN, description="Compare with this experiment over the same filters"
    )


class CheckQuery(BaseModel):
    """One expression to check on its own, as the SQL filter or a custom column."""

    row_type: Literal["traces", "spans"] = "traces"
    kind: Literal["filter", "column"]
    text: str = Field(max_length=4000)
    custom_columns: list[CustomColumn] = Field(
        default_factory=list, description="Custom columns a filter may refer to by name"
    )


def shape_of(row_type: str) -> str:
    return "summary" if row_type == "traces" else "spans"


class Built:
    """The parsed parts of one table state, each parsed once and labelled for its errors."""

    def __init__(self, q: TableQuery, aggregates: dict[str, exp.Expr] | None = None) -> None:
        self.q = q
        self.aggregates = aggregates or {}  # the project's aggregate scores: name -> formula
        self.custom: dict[str, exp.Expr] = {}
        for c in q.custom_columns:
            self.custom[c.name] = parse_labelled(parse_expression, c.expr, f"column {c.name!r}")
        self.where = [self._filter(f) for f in q.filters if not isinstance(f, str) or f.strip()]
        if q.search:
            needle = literal(q.search.lower())
            self.where.append(
                exp.or_(
                    *[
                        _includes(_call("lower", _call("to_string", parse_expression(f))), needle)
                        for f in SEARCHED
                    ]
                )
            )

    # -- pieces ------------------------------------------------------------------------------
    def column(self, name: str) -> exp.Expr:
        """A custom column's expression, or the field path `name` (nothing else)."""
        if name in self.custom:
            return exp.Paren(this=self.custom[name].copy())
        node = parse_expression(name)
        if flatten(node) is None:
            raise QueryError(f"not a column: {name!r} (a field path such as scores.acc or a custom column)")
        return node

    def _filter(self, f: str | Condition) -> exp.Expr:
        if isinstance(f, str):
            return exp.Paren(this=parse_labelled(parse_expression, f, f"filter {f!r}"))
        return condition(self.column(f.column), f)

    def condition(self) -> exp.Expr | None:
        return exp.and_(*[w.copy() for w in self.where]) if self.where else None

    def order(self, with_default: bool) -> exp.Order | None:
        """The user's sort, then newest first. With no sort, the first page leaves the order to
        the query layer (newest first by `_pagination_key`, which lets it aggregate only that
        page's traces: the fast path for first rows); later pages name the same order explicitly
        so they can be reached by offset."""
        # NULLs sort as the smallest value unless the key asks for them last.
        keys = [
            exp.Ordered(this=self.column(s.column), desc=s.desc, nulls_first=not (s.nulls_last or s.desc))
            for s in self.q.sort
        ]
        if not keys and not with_default:
            return None
        keys += [
            exp.Ordered(this=exp.column("_pagination_key"), desc=True, nulls_first=False),
            exp.Ordered(this=exp.column("id"), desc=False, nulls_first=True),
        ]
        return exp.Order(expressions=keys)

    # -- statements --------------------------------------------------------------------------
    def select(self, items: list[exp.Expr]) -> exp.Select:
        select = exp.Select(expressions=items)
        cond = self.condition()
        if cond is not None:
            select.set("where", exp.Where(this=cond))
        return select

    def _finish(self, select: exp.Select) -> exp.Select:
        """Aggregate scores read as scores wherever the statement names them."""
        return cast(exp.Select, expand(select, self.aggregates))

    def rows(self, limit: int, offset: int) -> exp.Select:
        fields = TABLE_FIELDS[self.q.row_type]
        items: list[exp.Expr] = [exp.column(f) for f in (*fields, *LABEL_FIELDS)]
        items += [exp.alias_(expr.copy(), name, quoted=True) for name, expr in self.custom.items()]
        items += [
            exp.alias_(exp.Paren(this=f.copy()), AGGREGATE_PREFIX + name, quoted=True)
            for name, f in self.aggregates.items()
        ]
        select = self.select(items)
        order = self.order(with_default=offset > 0)
        if order is not None:
            select.set("order", order)
        select.set("limit", exp.Limit(expression=exp.Literal.number(limit)))
        return self._finish(select)

    def count(self) -> exp.Select:
        return self._finish(self.select([exp.alias_(exp.Count(this=exp.Star()), "n")]))

    def groups(self, key: str, scores: list[str]) -> exp.Select:
        """Per-group count, score averages and metric averages; groups sorted by their value."""
        measures: list[exp.Expr] = [exp.alias_(self.column(key), "group", quoted=True)]
        measures.append(exp.alias_(exp.Count(this=exp.Star()), "n"))
        for s in scores:
            measures.append(exp.alias_(exp.Avg(this=_path("scores", s)), f"scores.{s}", quoted=True))
        for m in TABLE_METRICS:
            measures.append(exp.alias_(exp.Avg(this=_path("metrics", m)), f"metrics.{m}", quoted=True))
        select = self.select(measures)
        one = exp.Literal.number(1)
        select.set("group", exp.Group(expressions=[one]))
        select.set("order", exp.Order(expressions=[exp.Ordered(this=one.copy(), nulls_first=True)]))
        return self._finish(select)


def with_aggregates(row: dict[str, Any]) -> dict[str, Any]:
    """A row of `Built.rows` with its aggregate scores moved into `scores` (where they have a value)."""
    found = {
        k[len(AGGREGATE_PREFIX) :]: row.pop(k) for k in [k for k in row if k.startswith(AGGREGATE_PREFIX)]
    }
    present = {k: v for k, v in found.items() if v is not None}
    if present:
        row["scores"] = {**(row.get("scores") or {}), **present}
    return row


def summary_select(built: Built, scores: list[str], metrics: tuple[str, ...], compare: bool) -> exp.Select:
    """Trace-level averages over the rows the filters keep (a spans filter keeps the traces with a
    matching span); with `compare`, per score how many matched test cases went up or down."""
    items: list[exp.Expr] = [exp.alias_(exp.Count(this=exp.Star()), "n")]
    for s in scores:
        items.append(exp.alias_(exp.Avg(this=_path("scores", s)), f"s:{s}", quoted=True))
        if compare:
            for name, cmp in (("up", exp.GT), ("down", exp.LT)):
                moved = cmp(this=_path("scores", s), expression=_path("comparison_scores", s))
                one = exp.Case(
                    ifs=[exp.If(this=moved, true=exp.Literal.number(1))], default=exp.Literal.number(0)
                )
                items.append(exp.alias_(exp.Sum(this=one), f"{name}:{s}", quoted=True))
    for m in metrics:
        items.append(exp.alias_(exp.Avg(this=_path("metrics", m)), f"m:{m}", quoted=True))
    select = exp.Select(expressions=items)
    cond = built.condition()
    if cond is not None:
        if built.q.row_type == "spans":
            cond = exp.Anonymous(this="any_span", expressions=[cond])
        select.set("where", exp.Where(this=cond))
    return select


def _call(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this=name, expressions=list(args))


def _includes(haystack: exp.Expr, needle: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this=INCLUDES, expressions=[haystack, needle])


def _path(root: str, name: str) -> exp.Expr:
    return exp.Dot(this=exp.column(root), expression=exp.to_identifier(name, quoted=True))


COMPARE: dict[str, type[exp.Expr]] = {
    "=": exp.EQ,
    "!=": exp.NEQ,
    ">": exp.GT,
    ">=": exp.GTE,
    "<": exp.LT,
    "<=": exp.LTE,
}


def condition(target: exp.Expr, c: Condition) -> exp.Expr:
    """The tree of one structured condition on `target` (a field path or a custom column)."""
    value = c.value
    if c.op in ("is null", "is not null"):
        null = exp.Is(this=target, expression=exp.Null())
        return null if c.op == "is null" else exp.Not(this=null)
    if c.op == "in":
        if not isinstance(value, list):
            raise QueryError(f"{c.column} in …: the value must be a list")
        return exp.In(this=target, expressions=[literal(v) for v in value])
    if isinstance(value, list) or value is None:
        raise QueryError(f"{c.column} {c.op} …: the value must be one string, number or boolean")
    if c.op == "contains":
        return _includes(_call("lower", _call("to_string", target)), literal(str(value).lower()))
    if c.op == "includes":
        return _includes(target, literal(value))
    return COMPARE[c.op](this=target, expression=literal(value))

"""How compiled queries are spelled for PostgreSQL: the DuckDB dialect with what PostgreSQL
spells differently overridden, never a second compiler.

Differences it covers, so a query means the same on both backends:
- JSON fields are `json` (text) and maps `jsonb`: paths read with `json_extract_path[_text]`,
  map entries with `->>`; lists are 1-based arrays.
- No TRY_CAST: conversions that must yield NULL instead of failing are a pattern test before
  the cast (numbers, booleans) or the `assay_try_cast_*` functions of the schema (dates, times).
- Division is in doubles and division by zero gives NULL (DuckDB gives ±inf, which the API
  answers as null as well); `round` rounds halves away from zero, as DuckDB does.
- `\\y` is PostgreSQL's word boundary; INCLUDES on JSON finds the value at any depth, as
  DuckDB's `json_contains` does.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

from assay.store.duckdb.compare import CompareTrees
from assay.store.duckdb.dialect import DuckDBDialect
from assay.store.postgres.compare import POSTGRES
from assay.store.postgres.json_text import as_text

# `json_labels`: each item's label (or id) of a JSON list, joined in list order. `__doc` stands
# for the list; anything that is not a list has no items.
_LABELS_OF = """SELECT (SELECT string_agg({}, ', ' ORDER BY __n)
    FROM json_array_elements(CASE WHEN json_typeof(__doc) = 'array' THEN __doc END)
      WITH ORDINALITY AS __items(__item, __n))"""
_LABELS: dict[str, exp.Expr] = {
    "label": sqlglot.parse_one(
        _LABELS_OF.format("coalesce(__item ->> 'label', __item ->> 'id')"), dialect="postgres"
    ).expressions[0],
    "id": sqlglot.parse_one(_LABELS_OF.format("__item ->> 'id'"), dialect="postgres").expressions[0],
}
NUMBER = r"^\s*[-+]?((\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|inf|infinity|nan)\s*$"
TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")
SAFE_CASTS = {"DATE": "assay_try_cast_date", "TIMESTAMPTZ": "assay_try_cast_timestamptz"}
SAFE_CASTS["INTERVAL"] = "assay_try_cast_interval"
DATE_PARTS = ("second", "minute", "hour", "day", "week", "month", "year")


def _call(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this=name, expressions=list(args))


def _cast(value: exp.Expr, to: str) -> exp.Expr:
    return exp.Cast(this=value, to=exp.DataType.build(to, dialect="postgres"))


def _text(value: exp.Expr) -> exp.Expr:
    return _cast(value, "TEXT")


def _path(path: list[str | int]) -> list[exp.Expr]:
    return [exp.Literal.string(str(part)) for part in path]


def _float_division(tree: exp.Expr) -> exp.Expr:
    """`a / b` in doubles, NULL when `b` is 0 (PostgreSQL would divide integers and fail on 0)."""
    for div in list(tree.find_all(exp.Div)):
        div.set("this", _cast(div.this, "DOUBLE PRECISION"))
        div.set(
            "expression",
            exp.Nullif(this=_cast(div.expression, "DOUBLE PRECISION"), expression=exp.Literal.number(0)),
        )
    return tree


def _having_aliases(tree: exp.Expr) -> exp.Expr:
    """Names of the select list used in HAVING, replaced by what they name: DuckDB resolves
    them (`HAVING current < baseline`), PostgreSQL only knows the FROM clause's columns there."""
    for select in list(tree.find_all(exp.Select)):
        having = select.args.get("having")
        if having is None:
            continue
        aliases = {e.alias: e.this for e in select.expressions if isinstance(e, exp.Alias)}
        for column in list(having.find_all(exp.Column)):
            if not column.table and column.name in aliases and column.find_ancestor(exp.Select) is select:
                column.replace(exp.Paren(this=aliases[column.name].copy()))
    return tree


class PostgresDialect(DuckDBDialect):
    """PostgreSQL over the `rows` and `trace_summaries` tables (see `assay.store.postgres.schema`)."""

    name = "postgres"
    compare_trees: CompareTrees = POSTGRES  # comparisons (`compare =>`, match keys) spelled for PostgreSQL
    # None: PostgreSQL materialises a CTE that is read twice, so each page copied every row of the
    # object first. An export of 30,000 one-span traces in pages of 1,000: the spans' page queries
    # 5.9-6.1 s without against 8.4-9.6 s with, the traces' 3.0 s against 5.6 s.
    bounded_pages: frozenset[str] = frozenset()

    def render(self, tree: exp.Expr) -> str:
        return _float_division(_having_aliases(as_text(tree.copy()))).sql(dialect=self.name, comments=False)

    # -- field access ---------------------------------------------------------------------
    def json_value(self, column: exp.Expr, path: list[str | int]) -> exp.Expr:
        if not path:
            return column
        return _call("json_extract_path", _cast(column, "JSON"), *_path(path))

    def json_text(self, column: exp.Expr, path: list[str | int]) -> exp.Expr:
        # `#>> '{}'` is the whole value as text, a string without its quotes.
        doc = _cast(column, "JSON")
        if not path:
            return exp.JSONBExtractScalar(this=doc, expression=exp.Literal.string("{}"))
        return _call("json_extract_path_text", doc, *_path(path))

    def json_labels(self, column: exp.Expr, path: list[str | int], key: str) -> exp.Expr:
        tree = _LABELS[key].copy()
        for doc in list(tree.find_all(exp.Column)):
            if doc.name == "__doc":
                doc.replace(self.json_value(column.copy(), path))
        return tree

    def map_get(self, column: exp.Expr, key: str) -> exp.Expr:
        return _cast(_call("jsonb_extract_path_text", column, exp.Literal.string(key)), "DOUBLE PRECISION")

    def list_get(self, column: exp.Expr, index: int) -> exp.Expr:
        position: exp.Expr = exp.Literal.number(index + 1)
        if index < 0:
            position = exp.Add(
                this=_call("cardinality", column.copy()), expression=exp.Literal.number(index + 1)
            )
        return exp.Bracket(this=column, expressions=[position], offset=1)

    # -- conversions ----------------------------------------------------------------------
    def to_number(self, value: exp.Expr) -> exp.Expr:
        text = _text(value)
        ok = exp.RegexpILike(this=text, expression=exp.Literal.string(NUMBER))
        return exp.Case(ifs=[exp.If(this=ok, true=_cast(text.copy(), "DOUBLE PRECISION"))])

    def to_bool(self, value: exp.Expr) -> exp.Expr:
        word = exp.Lower(this=exp.Trim(this=_text(value)))
        return exp.Case(
            ifs=[
                exp.If(this=word.isin(*map(exp.Literal.string, TRUE_WORDS)), true=exp.true()),
                exp.If(this=word.copy().isin(*map(exp.Literal.string, FALSE_WORDS)), true=exp.false()),
            ]
        )

    def to_text(self, value: exp.Expr) -> exp.Expr:
        return _text(value)

    def cast(self, value: exp.Expr, to: str) -> exp.Expr:
        if to == "DOUBLE":
            return self.to_number(value)
        if to == "BIGINT":
            number = self.to_number(value)
            return _cast(exp.Round(this=_cast(number, "NUMERIC")), "BIGINT")
        if to == "BOOLEAN":
            return self.to_bool(value)
        if to == "VARCHAR":
            return _text(value)
        return _call(SAFE_CASTS[to], _text(value))

    # -- operators and functions ------------------------------------------------------------
    def match_words(self, text: exp.Expr, words: str) -> exp.Expr:
        terms = re.findall(r"\w+", words)
        if not terms:
            return exp.false()
        return exp.and_(
            *[
                exp.RegexpILike(this=text.copy(), expression=exp.Literal.string(r"\y" + re.escape(t) + r"\y"))
                for t in terms
            ]
        )

    def regex_match(self, text: exp.Expr, pattern: exp.Expr) -> exp.Expr:
        # PostgreSQL's `~` (Spencer's engine: no RE2 here). Patterns are bounded in length by the
        # query layer, and every statement by the query time limit.
        return exp.RegexpLike(this=text, expression=pattern)

    def list_contains(self, items: exp.Expr, value: exp.Expr) -> exp.Expr:
        return exp.EQ(this=value, expression=exp.Any(this=exp.Paren(this=items)))

    def json_contains(self, doc: exp.Expr, value: exp.Expr) -> exp.Expr:
        # The needle anywhere in the document: the document or any value inside it contains it.
        typed = _cast(value, "TEXT") if isinstance(value, exp.Literal) and value.is_string else value
        needle = _call("to_jsonb", typed)  # a bare quoted literal has no type to_jsonb can take
        # A Table node carries the alias: sqlglot drops an alias set on the bare function call.
        values = _call("jsonb_path_query", _cast(doc, "JSONB"), exp.Literal.string("lax $.**"))
        inside = exp.select("1").from_(
            exp.Table(this=values, alias=exp.TableAlias(this=exp.to_identifier("v")))
        )
        inside = inside.where(exp.ArrayContainsAll(this=exp.column("v"), expression=needle))
        return exp.Exists(this=inside)

    def text_contains(self, text: exp.Expr, value: exp.Expr) -> exp.Expr:
        return exp.GT(this=_call("strpos", text, value), expression=exp.Literal.number(0))

    def percentile(self, value: exp.Expr, fraction: exp.Expr) -> exp.Expr:
        return exp.WithinGroup(
            this=exp.PercentileCont(this=fraction),
            expression=exp.Order(expressions=[exp.Ordered(this=value)]),
        )

    def call(self, name: str, *args: exp.Expr) -> exp.Expr:
        if name == "len":
            return _call("cardinality", *args)
        if name == "round":
            digits = list(args[1:])
            return _cast(
                exp.Round(this=_cast(args[0], "NUMERIC"), decimals=digits[0] if digits else None),
                "DOUBLE PRECISION",
            )
        if name in DATE_PARTS:
            part = exp.Extract(this=exp.var(name), expression=args[0])
            return _cast(exp.Floor(this=part), "BIGINT")
        if name == "json_extract_string":
            text, path = args
            return _call("json_extract_path_text", _cast(text, "JSON"), *_path(_json_path_parts(path.name)))
        return _call(name, *args)

    def fail(self, message: str) -> exp.Expr:
        return _call("assay_error", exp.Literal.string(message))


def _json_path_parts(path: str) -> list[str | int]:
    """'$.a."b c"[0]' -> ['a', 'b c', 0] (the paths `json_extract(field, 'path')` accepts)."""
    parts: list[str | int] = []
    for quoted, plain, index in re.findall(r'\."([^"]*)"|\.([^.\[\]"]+)|\[(-?\d+)\]', path.removeprefix("$")):
        if index:
            parts.append(int(index))
        else:
            parts.append(quoted or plain)
    return parts


DIALECT = PostgresDialect()

"""How compiled queries are spelled for DuckDB: the backend half of `assay.query.dialect.Dialect`.

The compiler builds sqlglot trees and asks this object for the few things SQL engines spell
differently: reading a JSON path, a map entry or a list element, full-word search, percentiles,
and the source subqueries over this backend's tables (`rows`, `trace_summaries`). A PostgreSQL
dialect subclasses `DuckDBDialect` and overrides what it spells differently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

import sqlglot
from sqlglot import exp

from assay.model.metrics import METRIC_NAMES
from assay.query.dialect import Compared, compared_column
from assay.store.duckdb import compare


def _call(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this=name, expressions=list(args))


def _picker(table: str | None) -> Callable[[str], exp.Expr]:
    """A column of the joined `table`, or NULL when there is no such experiment to join."""

    def pick(column: str) -> exp.Expr:
        return exp.column(column, table=table, quoted=True) if table else exp.Null()

    return pick


def _try_cast(value: exp.Expr, to: str) -> exp.Expr:
    return exp.TryCast(this=value, to=exp.DataType.build(to, dialect="duckdb"))


def _of_objects(object_type: str, object_ids: list[str]) -> exp.Expr:
    return exp.and_(
        exp.column("object_type").eq(exp.Literal.string(object_type)),
        exp.column("object_id").isin(*[exp.Literal.string(i) for i in object_ids]),
    )


class DuckDBDialect:
    """DuckDB over the `rows` and `trace_summaries` tables (see `assay.store.duckdb.schema`)."""

    name = "duckdb"
    compare_trees: compare.CompareTrees = compare.DUCKDB  # how comparisons are spelled
    bounded_pages = frozenset({"summary", "spans"})

    def render(self, tree: exp.Expr) -> str:
        return tree.sql(dialect=self.name, comments=False)

    # -- sources --------------------------------------------------------------------------
    def spans_source(self, object_type: str, object_ids: list[str]) -> exp.Query:
        return exp.select("*").from_("rows").where(_of_objects(object_type, object_ids))

    def summaries_source(
        self,
        object_type: str,
        object_ids: list[str],
        compare_ids: Sequence[str] = (),
        key: Sequence[exp.Expr] | None = None,
        used: Mapping[int, Compared] | None = None,
    ) -> exp.Query:
        # Stored one row per trace (`assay.store.duckdb.summaries`); the store refreshes the
        # traces written since before it runs a statement that reads them.
        trees = self.compare_trees
        rows = trees.summaries(object_type, object_ids, key)
        if not used:
            return trees.text_key(rows)
        out = exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("s"))).from_(rows.subquery("s"))
        for i, need in sorted(used.items()):
            side = f"c{i}" if i < len(compare_ids) else None
            if side is not None:
                cases = trees.cases(
                    object_type,
                    compare_ids[i],
                    key,
                    scores=need.scores,
                    metrics=need.metrics,
                    all_scores=need.all_scores,
                    all_metrics=METRIC_NAMES if need.all_metrics else (),
                )
                on = exp.column(compare.KEY, table=side, quoted=True).eq(
                    exp.column(compare.KEY, table="s", quoted=True)
                )
                out = out.join(cases.subquery(side), on=on, join_type="left", copy=False)
            pick = _picker(side)
            values: dict[str, exp.Expr] = {
                "id": pick("id"),
                "traces": _call("coalesce", pick("traces"), exp.Literal.number(0)),
            }
            values.update({f"s{j}": pick(f"s{j}") for j in range(len(need.scores))})
            values.update({f"m{k}": pick(f"m{k}") for k in range(len(need.metrics))})
            if need.all_scores:
                values["scores"] = pick("scores")
            if need.all_metrics:
                values["metrics"] = pick("metrics")
            # copy=False: each copying call would copy the whole statement built so far (with 7
            # experiments compared, 1.2 s of the page's CPU went to those copies).
            out = out.select(
                *[exp.alias_(value, compared_column(i, part), quoted=True) for part, value in values.items()],
                copy=False,
            )
        return trees.text_key(out)

    def match_key(self, parts: Sequence[exp.Expr]) -> exp.Expr:
        return self.compare_trees.match_key(parts)

    # -- field access ---------------------------------------------------------------------
    @staticmethod
    def json_path(path: list[str | int]) -> str:
        out = "$"
        for part in path:
            if isinstance(part, int):
                out += f"[{part}]" if part >= 0 else f"[#{part}]"
            else:
                out += '."' + part + '"'  # the compiler refuses names holding " or \
        return out

    def json_value(self, column: exp.Expr, path: list[str | int]) -> exp.Expr:
        return _call("json_extract", column, exp.Literal.string(self.json_path(path)))

    def json_text(self, column: exp.Expr, path: list[str | int]) -> exp.Expr:
        return _call("json_extract_string", column, exp.Literal.string(self.json_path(path)))

    def json_labels(self, column: exp.Expr, path: list[str | int], key: str) -> exp.Expr:
        item = exp.to_identifier("__item")
        keys = [key, "id"] if key == "label" else [key]
        pick = exp.Coalesce(
            this=_call("json_extract_string", exp.column(item.copy()), exp.Literal.string(f"$.{keys[0]}")),
            expressions=[
                _call("json_extract_string", exp.column(item.copy()), exp.Literal.string(f"$.{k}"))
                for k in keys[1:]
            ],
        )
        items = exp.TryCast(
            this=self.json_value(column, path), to=exp.DataType.build("JSON[]", dialect="duckdb")
        )
        each = _call("list_transform", items, exp.Lambda(this=pick, expressions=[item]))
        joined = _call("array_to_string", each, exp.Literal.string(", "))
        return exp.Nullif(this=joined, expression=exp.Literal.string(""))

    def map_get(self, column: exp.Expr, key: str) -> exp.Expr:
        return exp.Bracket(this=column, expressions=[exp.Literal.string(key)])

    def list_get(self, column: exp.Expr, index: int) -> exp.Expr:
        # Queries index lists from 0 (and -1 for the last); DuckDB lists start at 1.
        return _call("list_extract", column, exp.Literal.number(index + 1 if index >= 0 else index))

    # -- conversions ----------------------------------------------------------------------
    def to_number(self, value: exp.Expr) -> exp.Expr:
        return _try_cast(value, "DOUBLE")

    def to_bool(self, value: exp.Expr) -> exp.Expr:
        return _try_cast(value, "BOOLEAN")

    def to_text(self, value: exp.Expr) -> exp.Expr:
        return exp.Cast(this=value, to=exp.DataType.build("VARCHAR"))

    def cast(self, value: exp.Expr, to: str) -> exp.Expr:
        return _try_cast(value, to)

    # -- operators and functions ------------------------------------------------------------
    def match_words(self, text: exp.Expr, words: str) -> exp.Expr:
        terms = re.findall(r"\w+", words)
        if not terms:
            return exp.false()
        conds = [
            _call("regexp_matches", text, exp.Literal.string(r"(?i)\b" + re.escape(t) + r"\b")) for t in terms
        ]
        return exp.and_(*conds)

    def regex_match(self, text: exp.Expr, pattern: exp.Expr) -> exp.Expr:
        return _call("regexp_matches", text, pattern)  # RE2: linear in the text, no backtracking

    def list_contains(self, items: exp.Expr, value: exp.Expr) -> exp.Expr:
        return _call("list_contains", items, value)

    def json_contains(self, doc: exp.Expr, value: exp.Expr) -> exp.Expr:
        return _call("json_contains", doc, _call("to_json", value))

    def text_contains(self, text: exp.Expr, value: exp.Expr) -> exp.Expr:
        return _call("contains", text, value)

    def percentile(self, value: exp.Expr, fraction: exp.Expr) -> exp.Expr:
        return _call("quantile_cont", value, fraction)

    def count_distinct(self, value: exp.Expr) -> exp.Expr:
        return exp.Count(this=exp.Distinct(expressions=[value]))

    def now(self) -> exp.Expr:
        return _call("now")

    def call(self, name: str, *args: exp.Expr) -> exp.Expr:
        return _call(name, *args)

    def fail(self, message: str) -> exp.Expr:
        return _call("error", exp.Literal.string(message))


DIALECT = DuckDBDialect()


def parse(sql: str) -> exp.Expr:
    """A fixed statement or fragment of the store's own SQL (declared in `store/duckdb/`, never
    user input) as a tree, parsed once at import; statements are then put together as trees."""
    return sqlglot.parse_one(sql, dialect="duckdb")


def render(tree: exp.Expr) -> str:
    return DIALECT.render(tree)


def parse_select(sql: str) -> exp.Select:
    """`parse` for a fixed SELECT, typed as one (so it can be extended: where, order, limit)."""
    tree = parse(sql)
    assert isinstance(tree, exp.Select), sql
    return tree

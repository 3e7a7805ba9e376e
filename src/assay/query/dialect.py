"""How the compiled query is spelled for one backend: the only backend-specific part of `query/`.

The compiler builds sqlglot trees and asks this module for the few things SQL engines spell
differently: reading a JSON path, a map entry or a list element, full-word search, percentiles,
and the source subqueries. A PostgreSQL backend subclasses `Backend` and overrides these.
"""

from __future__ import annotations

import re

from sqlglot import exp

from assay.store.duckdb.summaries import summaries_sql


def _call(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this=name, expressions=list(args))


def _try_cast(value: exp.Expr, to: str) -> exp.Expr:
    return exp.TryCast(this=value, to=exp.DataType.build(to))


class Backend:
    """DuckDB over the `rows` table (see `assay.store.duckdb.schema`)."""

    name = "duckdb"

    # -- sources --------------------------------------------------------------------------
    def spans_sql(self, object_type: str, object_ids: list[str]) -> str:
        cond = exp.and_(
            exp.column("object_type").eq(exp.Literal.string(object_type)),
            exp.column("object_id").isin(*[exp.Literal.string(i) for i in object_ids]),
        )
        return exp.select("*").from_("rows").where(cond).sql(dialect=self.name)

    def summaries_sql(self, object_type: str, object_ids: list[str], compare_id: str | None = None) -> str:
        """One stored row per trace (see `assay.store.duckdb.summaries`), with `comparison_scores`:
        the scores of the test case (same `match_key`) in experiment `compare_id`, else NULL."""
        rows = summaries_sql(object_type, object_ids)
        if compare_id is None:
            return f"SELECT *, CAST(NULL AS MAP(VARCHAR, DOUBLE)) AS comparison_scores FROM ({rows})"
        base = summaries_sql(object_type, [compare_id])
        per_case = f"""SELECT match_key, map_from_entries(list({{'key': k, 'value': v}})) AS scores
            FROM (SELECT match_key, e.key AS k, avg(e.value) AS v
                  FROM (SELECT match_key, unnest(map_entries(scores)) AS e FROM ({base}))
                  GROUP BY match_key, e.key)
            GROUP BY match_key"""
        return f"""SELECT s.*, c.scores AS comparison_scores FROM ({rows}) s
            LEFT JOIN ({per_case}) c ON c.match_key = s.match_key"""

    def render(self, tree: exp.Expr) -> str:
        return tree.sql(dialect=self.name, comments=False)

    # -- field access ---------------------------------------------------------------------
    @staticmethod
    def json_path(path: list[str | int]) -> str:
        out = "$"
        for part in path:
            if isinstance(part, int):
                out += f"[{part}]" if part >= 0 else f"[#{part}]"
            else:
                out += '."' + part + '"'
        return out

    def json_value(self, column: exp.Expr, path: list[str | int]) -> exp.Expr:
        """The JSON value at `path` (JSON typed; missing -> NULL)."""
        return _call("json_extract", column, exp.Literal.string(self.json_path(path)))

    def json_text(self, column: exp.Expr, path: list[str | int]) -> exp.Expr:
        """The value at `path` as text: strings unquoted, JSON null and missing -> NULL."""
        return _call("json_extract_string", column, exp.Literal.string(self.json_path(path)))

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
        """Every word of `words` occurs in `text` as a whole word, ignoring case."""
        terms = re.findall(r"\w+", words)
        if not terms:
            return exp.false()
        conds = [
            _call("regexp_matches", text, exp.Literal.string(r"(?i)\b" + re.escape(t) + r"\b")) for t in terms
        ]
        return exp.and_(*conds)

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
        """A function both dialects spell the same (lower, round, date_trunc…)."""
        return _call(name, *args)


BACKEND = Backend()

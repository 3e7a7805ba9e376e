"""Comparing experiments in PostgreSQL: the DuckDB backend's statements (`assay.store.duckdb.compare`)
with what PostgreSQL spells differently overridden, so both backends match test cases and compute
the paired statistics the same way.

Differences: maps are `jsonb` objects (entries read with `jsonb_extract_path_text`, unnested with
`jsonb_each_text`, built with `jsonb_object_agg`/`jsonb_build_object`); the key is the MD5 of the
key's JSON text as text (PostgreSQL has no 128-bit integer), so it needs no conversion to be shown;
there is no `SELECT * REPLACE`, so a custom key is put in place of the stored one by naming the
summary's other columns.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlglot
from sqlglot import exp

from assay.store.duckdb.compare import KEY, SUMMARIES, CompareTrees
from assay.store.postgres.traces import SUMMARY_COLUMNS

# One row per entry of `scores` of each row of `__rows` (replaced by the rows' subquery).
_ENTRIES: exp.Select = sqlglot.parse_one(  # type: ignore[assignment]
    "SELECT e.key AS k, CAST(e.value AS DOUBLE PRECISION) AS v"
    " FROM __rows AS r CROSS JOIN LATERAL jsonb_each_text(r.scores) AS e",
    dialect="postgres",
)


def _call(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this=name, expressions=list(args))


def _col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table, quoted=True)


class PostgresTrees(CompareTrees):
    dialect = "postgres"
    stored_cases = False  # test cases are grouped from the trace summaries on each read

    def match_key(self, parts: Sequence[exp.Expr]) -> exp.Expr:
        """The MD5 (hex text) of the key's JSON text; NULL when every part is NULL."""
        jsons = [_call("to_jsonb", p.copy()) for p in parts]
        text = jsons[0] if len(jsons) == 1 else _call("jsonb_build_array", *jsons)
        digest = _call("md5", exp.Cast(this=text, to=exp.DataType.build("TEXT")))
        if len(parts) == 1:
            return digest
        all_null = exp.and_(*[exp.Is(this=p.copy(), expression=exp.Null()) for p in parts])
        return exp.Case(ifs=[exp.If(this=all_null, true=exp.Null())], default=digest)

    def text_key(self, query: exp.Select) -> exp.Select:
        return query  # already text

    def key_literal(self, text: str) -> exp.Expr | None:
        return exp.Literal.string(text)

    def summaries(
        self, object_type: str, object_ids: Sequence[str], key: Sequence[exp.Expr] | None
    ) -> exp.Select:
        if not key:
            return exp.select("*").from_(SUMMARIES).where(self.objects(object_type, object_ids))
        columns: list[exp.Expr] = [_col(c) for c in SUMMARY_COLUMNS if c != KEY]
        columns.append(exp.alias_(self.match_key(key), KEY, quoted=True))
        return exp.select(*columns).from_(SUMMARIES).where(self.objects(object_type, object_ids))

    def entry(self, column: str, name: str) -> exp.Expr:
        value = _call("jsonb_extract_path_text", _col(column), exp.Literal.string(name))
        return exp.Cast(this=value, to=exp.DataType.build("DOUBLE PRECISION", dialect="postgres"))

    def named_map(self, column: str, names: Sequence[str]) -> exp.Expr:
        pairs: list[exp.Expr] = []
        for n in names:
            pairs += [exp.Literal.string(n), exp.Avg(this=self.entry(column, n))]
        return _call("jsonb_build_object", *pairs)

    def score_entries(self, rows: exp.Select, columns: Sequence[str]) -> exp.Select:
        tree = _ENTRIES.copy()
        tree.find(exp.Table).replace(rows.subquery("r"))  # type: ignore[union-attr]
        tree.set("expressions", [*[_col(c, "r") for c in columns], *tree.expressions])
        return tree

    def map_agg(self, key: exp.Expr, value: exp.Expr) -> exp.Expr:
        return _call("jsonb_object_agg", key, value)


POSTGRES = PostgresTrees()

"""What the compiler asks of a backend: the few things SQL engines spell differently.

`query/` builds sqlglot trees and never names a backend. Each store supplies an object with
these methods (`Store.dialect`); the DuckDB one is `assay.store.duckdb.dialect.DuckDBDialect`, and
a PostgreSQL dialect overrides the same methods. Every method returns a tree, never SQL text,
except `render`, which spells a finished statement once.
"""

from __future__ import annotations

from typing import Protocol

from sqlglot import exp


class Dialect(Protocol):
    name: str

    def render(self, tree: exp.Expr) -> str:
        """The statement as this backend's SQL text (the only place a tree becomes text)."""

    # -- sources: the rows a query may read -------------------------------------------------
    def spans_source(self, object_type: str, object_ids: list[str]) -> exp.Query:
        """Every stored span of these objects, one row per span, with the row columns
        (`assay.store.columns.ROW_COLUMNS`)."""

    def summaries_source(self, object_type: str, object_ids: list[str], compare_id: str | None) -> exp.Query:
        """One row per trace of these objects (the trace summary columns, see
        `assay.query.fields.SUMMARY_FIELDS`), plus `comparison_scores`: the scores of the same
        test case (`match_key`) in experiment `compare_id`, or NULL without one."""

    # -- field access -------------------------------------------------------------------------
    def json_value(self, column: exp.Expr, path: list[str | int]) -> exp.Expr:
        """The JSON value at `path` (JSON typed; missing -> NULL)."""

    def json_text(self, column: exp.Expr, path: list[str | int]) -> exp.Expr:
        """The value at `path` as text: strings unquoted, JSON null and missing -> NULL."""

    def map_get(self, column: exp.Expr, key: str) -> exp.Expr:
        """The value of `key` in a map column (scores, metrics), NULL when absent."""

    def list_get(self, column: exp.Expr, index: int) -> exp.Expr:
        """Element `index` of a list, counted from 0; negative counts from the end (-1 = last)."""

    # -- conversions --------------------------------------------------------------------------
    def to_number(self, value: exp.Expr) -> exp.Expr:
        """`value` as a double, NULL when it does not convert."""

    def to_bool(self, value: exp.Expr) -> exp.Expr:
        """`value` as a boolean, NULL when it does not convert."""

    def to_text(self, value: exp.Expr) -> exp.Expr: ...

    def cast(self, value: exp.Expr, to: str) -> exp.Expr:
        """A cast that yields NULL instead of failing (`to`: DOUBLE, BIGINT, VARCHAR, BOOLEAN,
        DATE, TIMESTAMPTZ or INTERVAL)."""

    # -- operators and functions ----------------------------------------------------------------
    def match_words(self, text: exp.Expr, words: str) -> exp.Expr:
        """Every word of `words` occurs in `text` as a whole word, ignoring case."""

    def regex_match(self, text: exp.Expr, pattern: exp.Expr) -> exp.Expr:
        """`pattern`, a regular expression, matches somewhere in `text` (a boolean; NULL text gives
        NULL). Use a matcher that runs in linear time where the backend has one (DuckDB: RE2)."""

    def list_contains(self, items: exp.Expr, value: exp.Expr) -> exp.Expr: ...

    def json_contains(self, doc: exp.Expr, value: exp.Expr) -> exp.Expr: ...

    def text_contains(self, text: exp.Expr, value: exp.Expr) -> exp.Expr:
        """`value` occurs in `text` (case-sensitive, no pattern characters)."""

    def percentile(self, value: exp.Expr, fraction: exp.Expr) -> exp.Expr: ...

    def count_distinct(self, value: exp.Expr) -> exp.Expr: ...

    def now(self) -> exp.Expr: ...

    def call(self, name: str, *args: exp.Expr) -> exp.Expr:
        """A function every backend spells the same (lower, round, date_trunc…)."""

    def fail(self, message: str) -> exp.Expr:
        """An expression that stops the statement with `message` when it is evaluated."""

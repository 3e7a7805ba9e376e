"""What the compiler asks of a backend: the few things SQL engines spell differently.

`query/` builds sqlglot trees and never names a backend. Each store supplies an object with
these methods (`Store.dialect`); the DuckDB one is `assay.store.duckdb.dialect.DuckDBDialect`, and
a PostgreSQL dialect overrides the same methods. Every method returns a tree, never SQL text,
except `render`, which spells a finished statement once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlglot import exp

COMPARED_PREFIX = "__cmp"  # the source columns of `comparisons[i]`, see `compared_column`


def compared_column(index: int, part: str) -> str:
    """The source column holding `part` of compared experiment `index` (`compare => [...]`):
    `scores`, `metrics` (whole maps), `id`, `traces`, or `s<j>` / `m<k>` (the j-th named score,
    the k-th named metric of `Compared`)."""
    return f"{COMPARED_PREFIX}{index}_{part}"


@dataclass
class Compared:
    """What a statement reads of one compared experiment: named scores and metrics (in the order
    of their columns `s<j>`, `m<k>`), or whole maps."""

    scores: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)
    all_scores: bool = False
    all_metrics: bool = False


class Dialect(Protocol):
    name: str
    # The shapes whose keyed pages after the first find their own last key on the narrow key
    # column before reading whole rows (`compile.py`): the source is then read twice.
    bounded_pages: frozenset[str]

    def render(self, tree: exp.Expr) -> str:
        """The statement as this backend's SQL text (the only place a tree becomes text)."""

    # -- sources: the rows a query may read -------------------------------------------------
    def spans_source(self, object_type: str, object_ids: list[str]) -> exp.Query:
        """Every stored span of these objects, one row per span, with the row columns
        (`assay.store.columns.ROW_COLUMNS`)."""

    def summaries_source(
        self,
        object_type: str,
        object_ids: list[str],
        compare_ids: Sequence[str] = (),
        key: Sequence[exp.Expr] | None = None,
        used: Mapping[int, Compared] | None = None,
    ) -> exp.Query:
        """One row per trace of these objects (the trace summary columns, see
        `assay.query.fields.SUMMARY_FIELDS`), `match_key` being the comparison key: the compiled
        parts `key` (`assay.query.expression.compile_key`), or the whole input when None. Each
        compared experiment i of `compare_ids` that the statement reads (`used`) adds, for the
        row's test case there, the columns `compared_column(i, …)`: the means over its traces of
        the named scores and metrics (and whole maps when asked for), its first trace (`id`),
        and how many traces it has (`traces`; 0 when experiment i lacks the test case)."""

    def match_key(self, parts: Sequence[exp.Expr]) -> exp.Expr:
        """One comparable value (text) from the compiled parts of a comparison key; NULL, which
        matches nothing, when every part is NULL."""

    # -- field access -------------------------------------------------------------------------
    def json_value(self, column: exp.Expr, path: list[str | int]) -> exp.Expr:
        """The JSON value at `path` (JSON typed; missing -> NULL)."""

    def json_text(self, column: exp.Expr, path: list[str | int]) -> exp.Expr:
        """The value at `path` as text: strings unquoted, JSON null and missing -> NULL."""

    def json_labels(self, column: exp.Expr, path: list[str | int], key: str) -> exp.Expr:
        """The `key` of each object in the JSON list at `path` (`label` falls back to `id`, as the
        reference's classifications do), joined by ", " in list order; NULL when there is none."""

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

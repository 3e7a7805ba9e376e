"""What the experiment table asks for, and its translation into the query language.

The web app describes a table state (row type, filters, search, sort, grouping, custom columns, a
page); this module turns it into SQL of Assay's query dialect (`FROM experiment('<id>', shape => …)`).
Nothing here is backend SQL: the text is parsed, validated and compiled by `assay.query` exactly like
a user's own query, so the table and the SQL tab can never disagree.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from assay.model.errors import InvalidInput

# A column path: `created`, `scores.Levenshtein`, `metadata."odd name"`, `metrics.duration`.
_PATH = re.compile(r'^[A-Za-z_]\w*(\.(\w+|"[^"]+"))*$')
METRIC_COLUMNS = (
    "duration",
    "total_tokens",
    "prompt_tokens",
    "completion_tokens",
    "estimated_cost",
    "llm_calls",
    "errors",
)


class SortKey(BaseModel):
    column: str = Field(description="A column path (`scores.Levenshtein`) or a custom column name")
    desc: bool = False
    nulls_last: bool = Field(False, description="Put rows without a value last (default: NULLs are smallest)")


class CustomColumn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    expr: str = Field(min_length=1, max_length=4000, description="An expression of the query language")


class TableQuery(BaseModel):
    """One table state: the filters are query-language expressions, ANDed together."""

    row_type: Literal["traces", "spans"] = "traces"
    filters: list[str] = Field(default_factory=list)
    search: str | None = Field(None, description="Text searched in input, output, expected and metadata")
    sort: list[SortKey] = Field(default_factory=list)
    custom_columns: list[CustomColumn] = Field(default_factory=list)


class PageQuery(TableQuery):
    compare_to: str | None = Field(
        None,
        description="An experiment id: trace rows then offer `comparison_scores`, the scores of the same "
        "test case there (e.g. to sort by `scores.X - comparison_scores.X`)",
    )
    offset: int = Field(0, ge=0)
    limit: int = Field(100, ge=1, le=1000)
    with_total: bool = Field(True, description="Count the matching rows (a scrolling client needs it once)")


class GroupQuery(TableQuery):
    group_by: str = Field(description="A column path, e.g. metadata.category")
    comparison_experiment_id: str | None = None


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_str(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def column_expr(column: str, custom: list[CustomColumn]) -> str:
    """The expression for a column id: a custom column's own expression, or a checked path."""
    for c in custom:
        if c.name == column:
            return f"({c.expr})"
    if not _PATH.match(column):
        raise InvalidInput(f"not a column: {column!r}")
    return column


def source(experiment_id: str, row_type: str, compare_to: str | None = None) -> str:
    shape = "summary" if row_type == "traces" else "spans"
    compare = f", compare => {quote_str(compare_to)}" if compare_to and shape == "summary" else ""
    return f"experiment({quote_str(experiment_id)}, shape => {quote_str(shape)}{compare})"


def where(q: TableQuery) -> str:
    parts = [f"({f})" for f in q.filters if f.strip()]
    if q.search:
        pattern = quote_str("%" + q.search.replace("%", "\\%").replace("_", "\\_") + "%")
        fields = ("input", "output", "expected", "metadata")
        parts.append("(" + " OR ".join(f"to_string({f}) ILIKE {pattern}" for f in fields) + ")")
    return (" WHERE " + " AND ".join(parts)) if parts else ""


# What a table row carries (the query layer allows `*` only alone, and a page needs no more).
SPAN_FIELDS = (
    "id",
    "span_id",
    "root_span_id",
    "span_parents",
    "created",
    "input",
    "output",
    "expected",
    "error",
    "scores",
    "metrics",
    "metadata",
    "tags",
    "origin",
    "span_attributes",
)
ROW_FIELDS = {"spans": SPAN_FIELDS, "traces": tuple(f for f in SPAN_FIELDS if f != "span_parents")}


def select_list(q: TableQuery) -> str:
    extra = [f"({c.expr}) AS {quote_ident(c.name)}" for c in q.custom_columns]
    return ", ".join([*ROW_FIELDS[q.row_type], *extra])


def order_by(q: TableQuery, offset: int = 0) -> str:
    """The user's sort, then newest first. With no sort, the first page leaves the order to the
    query layer (newest first by `_pagination_key`, which lets it aggregate only that page's
    traces: the fast path for first rows); later pages name the same order explicitly so they
    can be reached by offset."""
    keys = [
        f"{column_expr(s.column, q.custom_columns)} {'DESC' if s.desc else 'ASC'}"
        + (" NULLS LAST" if s.nulls_last else "")
        for s in q.sort
    ]
    if not keys and offset == 0:
        return ""
    keys += ["_pagination_key DESC", "id ASC"]
    return " ORDER BY " + ", ".join(keys)


def rows_sql(experiment_id: str, q: PageQuery) -> str:
    return (
        f"SELECT {select_list(q)} FROM {source(experiment_id, q.row_type, q.compare_to)}{where(q)}"
        f"{order_by(q, q.offset)}"
        f" LIMIT {q.limit}"
    )


def count_sql(experiment_id: str, q: TableQuery) -> str:
    return f"SELECT count(*) AS n FROM {source(experiment_id, q.row_type)}{where(q)}"


def groups_sql(experiment_id: str, q: GroupQuery, scores: list[str]) -> str:
    """Per-group count, score averages and metric averages; groups sorted by their value."""
    key = column_expr(q.group_by, q.custom_columns)
    measures = ["count(*) AS n"]
    measures += [f"avg(scores.{quote_ident(s)}) AS {quote_ident('scores.' + s)}" for s in scores]
    measures += [f"avg(metrics.{m}) AS {quote_ident('metrics.' + m)}" for m in METRIC_COLUMNS]
    return (
        f'SELECT {key} AS "group", {", ".join(measures)} FROM {source(experiment_id, q.row_type)}'
        f"{where(q)} GROUP BY 1 ORDER BY 1"
    )

"""Which rows an action is about: chosen trace ids, or the table's filters (`rows where …`).

A selection becomes one WHERE condition over the experiment's traces (summary shape), built from
the table's own structured conditions and filters (`table_query.Built`), so "the rows where
ExactMatch = 0" means here exactly what it means in the table.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlglot import exp

from assay.model.errors import InvalidInput
from assay.query.expression import literal
from assay.services.analysis.scope import Scope
from assay.services.table_query import Built, Condition, TableQuery

MAX_SELECTED = 10_000


class RowSelection(BaseModel):
    """Trace ids, or filters; with both, the ids that match the filters."""

    model_config = ConfigDict(extra="forbid")

    ids: list[str] | None = Field(
        None, min_length=1, max_length=MAX_SELECTED, description="Row ids of trace roots (the table's `id`)"
    )
    filters: list[str | Condition] = Field(
        default_factory=list,
        max_length=50,
        description="Table filters, ANDed: conditions `{column, op, value}` or query-language text",
    )
    search: str | None = Field(None, max_length=1000, description="The table's text search")


def where(selection: RowSelection) -> exp.Expr | None:
    """The selection as one condition (None: every trace)."""
    built = Built(TableQuery(row_type="traces", filters=selection.filters, search=selection.search))
    parts = [c for c in [built.condition()] if c is not None]
    if selection.ids is not None:
        parts.append(exp.In(this=exp.column("id"), expressions=[literal(i) for i in selection.ids]))
    return exp.and_(*parts) if parts else None


def selected_rows(scope: Scope, selection: RowSelection, fields: list[str]) -> list[dict[str, Any]]:
    """The selected traces' `fields` (root values), oldest first; at most `MAX_SELECTED`."""
    if selection.ids is None and not selection.filters and not selection.search:
        raise InvalidInput(
            "select rows: pass ids, or filters (for every row, a filter such as 'true' is not enough: name the rows)"
        )
    select = exp.Select(expressions=[exp.column(f) for f in fields])
    cond = where(selection)
    if cond is not None:
        select = select.where(cond)
    select = select.order_by(
        exp.Ordered(this=exp.column("_pagination_key")), exp.Ordered(this=exp.column("id"))
    )
    select = select.limit(MAX_SELECTED + 1)
    rows = scope.run(select)
    if len(rows) > MAX_SELECTED:
        raise InvalidInput(f"the selection holds more than {MAX_SELECTED} rows; narrow the filters")
    if selection.ids is not None:
        missing = set(selection.ids) - {r["id"] for r in rows}
        if missing and not selection.filters and not selection.search:
            raise InvalidInput(f"no trace with id {sorted(missing)[0]!r} in this experiment")
    return rows

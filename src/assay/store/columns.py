"""The columns of a stored row, declared once as data.

Backends generate their DDL from this list, and the query layer reads it to type field paths
(`scores.X` is a number, `metadata.a.b` is JSON, `tags` is a list of strings). A column's `kind`
says how a row value is encoded for storage and decoded for the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "int", "bool", "timestamp", "json", "number_map", "text_list", "number"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    api: bool = True  # returned to clients under this name
    doc: str = ""
    root: bool = False  # a trace row (trace summary) takes it from the trace's root span
    table: bool = False  # a row of the web app's experiment table carries it


# Order matters: it is the physical column order of the `rows` table.
ROW_COLUMNS: tuple[Column, ...] = (
    Column(
        "_key", "text", api=False, doc="object_id/id: the primary key, one column so lookups use the index"
    ),
    Column("object_type", "text", api=False, doc="experiment | dataset | project_logs"),
    Column("object_id", "text", api=False, doc="id of the experiment/dataset; project id for logs"),
    Column("id", "text", doc="row id, chosen by the client", root=True, table=True),
    Column("project_id", "text", root=True),
    Column("_xact_id", "int", doc="the last write request that changed the row", root=True),
    Column("_pagination_key", "text", doc="stable, insertion-ordered key, set on first write", root=True),
    Column("created", "timestamp", root=True, table=True),
    Column("span_id", "text", root=True, table=True),
    Column("root_span_id", "text", table=True),
    Column("span_parents", "text_list", table=True),
    Column("is_root", "bool"),
    Column("span_type", "text", api=False, doc="span_attributes.type, denormalised for filters", root=True),
    Column("span_name", "text", api=False, doc="span_attributes.name, denormalised", root=True),
    Column("input", "json", root=True, table=True),
    Column("output", "json", root=True, table=True),
    Column("expected", "json", root=True, table=True),
    Column("error", "json", root=True, table=True),
    Column("scores", "number_map", table=True),
    Column("metrics", "number_map", table=True),
    Column("metadata", "json", root=True, table=True),
    Column("tags", "text_list", root=True, table=True),
    Column("span_attributes", "json", root=True, table=True),
    Column("context", "json"),
    Column("origin", "json", root=True, table=True),
    Column("estimated_cost", "number", api=False, doc="priced from the model and token counts"),
    Column("extra", "json", api=False, doc="other client fields, returned at top level"),
)

COLUMN_NAMES = tuple(c.name for c in ROW_COLUMNS)
COLUMNS_BY_NAME = {c.name: c for c in ROW_COLUMNS}
# Row fields a client may write that have a column of their own.
USER_FIELDS = frozenset(
    {"id", "created", "span_id", "root_span_id", "span_parents", "input", "output", "expected", "error"}
    | {"scores", "metrics", "metadata", "tags", "span_attributes", "context", "origin"}
)
# What a trace row takes from its root span (the rest is aggregated over the trace's spans).
ROOT_FIELDS = tuple(c.name for c in ROW_COLUMNS if c.root)
# What a row of the experiment table carries, per row type (a trace row has no parents).
TABLE_FIELDS: dict[str, tuple[str, ...]] = {
    "spans": tuple(c.name for c in ROW_COLUMNS if c.table),
    "traces": tuple(c.name for c in ROW_COLUMNS if c.table and c.name != "span_parents"),
}

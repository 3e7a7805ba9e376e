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


# Order matters: it is the physical column order of the `rows` table.
ROW_COLUMNS: tuple[Column, ...] = (
    Column(
        "_key", "text", api=False, doc="object_id/id: the primary key, one column so lookups use the index"
    ),
    Column("object_type", "text", api=False, doc="experiment | dataset | project_logs"),
    Column("object_id", "text", api=False, doc="id of the experiment/dataset; project id for logs"),
    Column("id", "text", doc="row id, chosen by the client"),
    Column("project_id", "text"),
    Column("_xact_id", "int", doc="the last write request that changed the row"),
    Column("_pagination_key", "text", doc="stable, insertion-ordered key, set on first write"),
    Column("created", "timestamp"),
    Column("span_id", "text"),
    Column("root_span_id", "text"),
    Column("span_parents", "text_list"),
    Column("is_root", "bool"),
    Column("span_type", "text", api=False, doc="span_attributes.type, denormalised for filters"),
    Column("span_name", "text", api=False, doc="span_attributes.name, denormalised"),
    Column("input", "json"),
    Column("output", "json"),
    Column("expected", "json"),
    Column("error", "json"),
    Column("scores", "number_map"),
    Column("metrics", "number_map"),
    Column("metadata", "json"),
    Column("tags", "text_list"),
    Column("span_attributes", "json"),
    Column("context", "json"),
    Column("origin", "json"),
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

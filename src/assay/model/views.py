"""Saved table views, in the reference's shapes (braintrust-features.md §9).

`view_data.search` items and `options` are stored as given (the reference treats them as opaque);
the web app writes the experiment table's whole state into them, see docs/views.md.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ViewObjectType = Literal["project"]  # Assay keeps table views on projects


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ViewDataSearch(BaseModel):
    model_config = ConfigDict(extra="allow")
    filter: list[Any] | None = Field(
        None, description="SQL filter strings, e.g. \"metadata.category = 'math'\""
    )
    tag: list[Any] | None = None
    match: list[Any] | None = Field(None, description="Assay: the search text")
    sort: list[Any] | None = Field(None, description="Assay: {column, desc, nulls_last} items")


class ViewData(BaseModel):
    model_config = ConfigDict(extra="allow")
    search: ViewDataSearch | None = None
    custom_charts: Any = None


class View(BaseModel):
    id: str
    object_type: str
    object_id: str
    view_type: str | None
    name: str
    created: str | None = None
    view_data: ViewData | None = None
    options: dict[str, Any] | None = Field(
        None,
        description="TableViewOptions: columnVisibility, columnOrder, columnSizing, grouping, rowHeight, "
        "layout, queryShape, … (stored as given)",
    )
    user_id: str | None = None
    deleted_at: str | None = None


class Views(BaseModel):
    objects: list[View]


class ViewRef(_Lenient):
    object_type: ViewObjectType = Field(description="project: table views hang off their project")
    object_id: str = Field(min_length=1, description="The project's id")


class CreateView(ViewRef):
    view_type: str | None = Field(description="experiment (one experiment's table) or experiments (the list)")
    name: str = Field(min_length=1, max_length=1024)
    view_data: ViewData | None = None
    options: dict[str, Any] | None = None
    user_id: str | None = None
    deleted_at: str | None = None


class PatchView(ViewRef):
    view_type: str | None = None
    name: str | None = Field(None, min_length=1, max_length=1024)
    view_data: ViewData | None = None
    options: dict[str, Any] | None = None
    user_id: str | None = None


DefaultScope = Literal["project", "organization"]


class ViewDefaults(BaseModel):
    """The project's and the organization's default views of a page (personal defaults live in the
    browser). The organization's is given only when the caller can read it."""

    project: View | None
    organization: View | None


class SetViewDefault(ViewRef):
    view_type: str
    scope: DefaultScope
    view_id: str = Field(min_length=1)


class ClearViewDefault(ViewRef):
    view_type: str
    scope: DefaultScope


class Permissions(BaseModel):
    """What the caller may do on an object, as the reference's permission names."""

    object_type: str
    object_id: str
    permissions: list[str]

"""Pages of current rows as JSON documents, written by DuckDB: the fetch routes' fast path.

A fetch page is whole traces, newest first, each event in the API's shape (`codec.api_event`).
Building those events in Python costs a tuple, a dict and a JSON decode per field of every row,
then encoding it all again for the response; here DuckDB writes each event's JSON text itself
(`_event`), and the route splices the texts into its response unparsed. Rows whose event needs
more than this expression says (fields outside the columns, comments, a missing id field) are
built by `codec.api_event` instead, so the shape has one definition and a test holds the two
ways equal (`tests/store/test_duckdb_fetch_pages.py`).

Finding a page reads little: the page's traces come from the stored trace summaries (their first
and last keys) when those are fresh, else from a narrow aggregation over the keys older than the
cursor; its spans are then read between two pagination keys, the least first key and the greatest
last key of the page's traces (rows are appended roughly in key order, so zone maps skip the rest),
rather than by joining every row of the object. With only the lower bound, each page scanned
every row newer than itself, and paging through an experiment was quadratic in its size.

The statements are sqlglot trees rendered once per shape; the object, the cursor and the page's
traces are named parameters.
"""

from __future__ import annotations

import functools
from typing import Any

import duckdb
import orjson
from sqlglot import exp

from assay.model.objects import OBJECT_TYPES
from assay.store import codec
from assay.store.base import ObjectRef
from assay.store.duckdb import arrow
from assay.store.duckdb.arrow_text import iso_timestamp
from assay.store.duckdb.dialect import parse, render
from assay.store.duckdb.summaries import needs_refresh

# `created` as the API writes it: ISO-8601 in UTC, microseconds only when there are some.
_CREATED = iso_timestamp(exp.column("created"), utc=True)
# Columns of type JSON: their stored text is already the field's JSON, spliced in as it is.
_JSON_COLUMNS = ("input", "output", "expected", "error", "metadata", "span_attributes", "context", "origin")
# The event's fields, by name, as DuckDB reads them from a stored row.
_FIELDS: dict[str, exp.Expr] = {
    "id": exp.column("id"),
    "created": _CREATED,
    **{name: exp.column(name) for name in ("span_id", "root_span_id", "span_parents")},
    **{name: exp.column(name) for name in _JSON_COLUMNS},
    **{name: exp.column(name) for name in ("scores", "metrics", "tags")},
    "_xact_id": exp.cast(exp.column("_xact_id"), exp.DataType.build("VARCHAR")),
    "_pagination_key": exp.column("_pagination_key"),
    "is_root": exp.column("is_root"),
    "project_id": exp.column("project_id"),
}
# Rows whose event DuckDB cannot write: `codec.api_event` builds them. The comments check is
# left out of a page's statement when the object has no comments at all (10-25% of its time).
_NEEDS_PYTHON = parse(
    "extra IS NOT NULL OR created IS NULL OR span_id IS NULL OR root_span_id IS NULL OR year(created) < 1000"
)
_HAS_COMMENTS = parse(
    "EXISTS (SELECT 1 FROM comments c WHERE c.object_type = r.object_type AND c.object_id = r.object_id "
    "AND c.target_id = r.id)"
)


def _of_object(table: str | None = None) -> exp.Expr:
    """The rows of the object `$object_type`, `$object_id` (columns of `table`, if named)."""
    return exp.and_(
        exp.column("object_type", table=table).eq(exp.Placeholder(this="object_type")),
        exp.column("object_id", table=table).eq(exp.Placeholder(this="object_id")),
    )


_ANY_COMMENT = render(exp.select("1").from_("comments").where(_of_object()).limit(1))


def _event(object_type: str, with_org: bool) -> exp.Expr:
    """The JSON text of a current row's event (valid where `_NEEDS_PYTHON` is false); the org id
    of project logs, when known, is the parameter `$org_id`.

    One `concat` of each field's JSON text: a JSON column's stored text as it is, any other value
    through `to_json`. `json_object` over the same fields wrote the same text but parsed every JSON
    column to write it again: 22.6 ms against 15.5 ms for a page of 4,000 workload spans."""
    owner = OBJECT_TYPES[object_type].id_field if object_type != "project_logs" else None
    fields = dict(_FIELDS)
    if owner:
        fields[owner] = exp.column("object_id")
    else:
        fields["log_id"] = exp.Literal.string("g")
        if with_org:
            fields["org_id"] = exp.Placeholder(this="org_id")
    parts: list[exp.Expr] = []
    for i, (name, value) in enumerate(fields.items()):
        parts.append(exp.Literal.string(("{" if i == 0 else ",") + orjson.dumps(name).decode() + ":"))
        text = (
            exp.cast(value.copy(), exp.DataType.build("VARCHAR"))
            if name in _JSON_COLUMNS
            else exp.func("to_json", value.copy())
        )
        parts.append(exp.func("coalesce", text, exp.Literal.string("null")))
    parts.append(exp.Literal.string("}"))
    return exp.Anonymous(this="concat", expressions=parts)


@functools.lru_cache(maxsize=8)
def _traces_sql(fresh: bool, after: bool) -> str:
    """(root_span_id, first key, last key) of a page's traces, newest first: from the stored
    summaries when they are `fresh`, else from the spans; below the cursor `$after` if `after`.
    Parameters: `$object_type`, `$object_id`, `$limit` (and `$after`)."""
    of_object = _of_object()
    after_cursor = exp.Placeholder(this="after")
    if fresh:
        query = exp.select("root_span_id", "first_key", "last_key").from_("trace_summaries").where(of_object)
        if after:
            query = query.where(exp.column("first_key") < after_cursor)
        first = "first_key"
    else:
        key = exp.column("_pagination_key")
        query = (
            exp.select(
                "root_span_id",
                exp.alias_(exp.func("min", key.copy()), "k"),
                exp.alias_(exp.func("max", key.copy()), "h"),
            )
            .from_("rows")
            .where(of_object)
            .group_by("root_span_id")
        )
        if after:  # after grouping: a span newer than the cursor still counts toward the last key
            query = query.having(exp.func("min", key.copy()) < after_cursor)
        first = "k"
    order = exp.Ordered(this=exp.column(first), desc=True)
    return render(query.order_by(order).limit(exp.Placeholder(this="limit")))


def _page_traces(
    con: duckdb.DuckDBPyConnection, ref: ObjectRef, limit: int, after: str | None
) -> list[tuple[str, str, str]]:
    """(root_span_id, first key, last key) of the page's traces, newest first."""
    fresh = not needs_refresh(con, ref.object_type, [ref.object_id])
    params: dict[str, Any] = {"object_type": ref.object_type, "object_id": ref.object_id, "limit": limit}
    if after is not None:
        params["after"] = after
    return [(r, k, h) for r, k, h in con.execute(_traces_sql(fresh, after is not None), params).fetchall()]


@functools.lru_cache(maxsize=32)
def _page_sql(object_type: str, with_org: bool, comments: bool) -> str:
    """Each span of the page's traces (`$traces` and their first keys `$keys`, in page order)
    with its event text, or NULL where Python builds the event (also for a span with comments,
    if the object has any: `comments`). Parameters: `$object_type`, `$object_id`, `$low` and
    `$high` (the least first key and the greatest last key of the page's traces) and `$org_id`
    if `with_org`."""
    page = exp.select(
        exp.alias_(exp.func("unnest", exp.Placeholder(this="traces")), "root_span_id"),
        exp.alias_(exp.func("unnest", exp.Placeholder(this="keys")), "tkey"),
    )
    python = exp.or_(_NEEDS_PYTHON.copy(), _HAS_COMMENTS.copy()) if comments else _NEEDS_PYTHON.copy()
    event = exp.Case(ifs=[exp.If(this=exp.not_(exp.paren(python)), true=_event(object_type, with_org))])
    query = (
        exp.select(exp.column("rowid", table="r"), event)
        .from_(exp.alias_(exp.to_table("rows"), "r", table=True))
        .join(page.subquery("p"), using=["root_span_id"])
        .where(
            exp.and_(
                _of_object("r"),
                exp.column("_pagination_key", table="r").between(
                    exp.Placeholder(this="low"), exp.Placeholder(this="high")
                ),
            )
        )
        .order_by(
            exp.Ordered(this=exp.column("tkey", table="p"), desc=True),
            exp.column("_pagination_key", table="r"),
        )
    )
    return render(query)


def current_page(
    con: duckdb.DuckDBPyConnection, ref: ObjectRef, org_id: str | None, limit: int, after: str | None
) -> tuple[list[str | dict[str, Any]], list[str]]:
    """One page of events in order, each as its JSON text or, where DuckDB's text would not do,
    as the dict `codec.api_event` builds (comments still to attach); and the page's trace keys."""
    con.execute("BEGIN TRANSACTION")  # the page's traces and their rows from one snapshot
    try:
        traces = _page_traces(con, ref, limit, after)
        if not traces:
            return [], []
        with_org = ref.object_type == "project_logs" and org_id is not None
        params: dict[str, Any] = {
            "traces": [r for r, _, _ in traces],
            "keys": [k for _, k, _ in traces],
            "object_type": ref.object_type,
            "object_id": ref.object_id,
            "low": min(k for _, k, _ in traces),
            "high": max(h for _, _, h in traces),
            **({"org_id": org_id} if with_org else {}),
        }
        comments = con.execute(_ANY_COMMENT, {"object_type": ref.object_type, "object_id": ref.object_id})
        sql = _page_sql(ref.object_type, with_org, comments.fetchone() is not None)
        rows = con.execute(sql, params).fetchall()
        others = [rowid for rowid, doc in rows if doc is None]
        built = {
            rec["_rowid"]: codec.api_event(rec, org_id)
            for rec in (
                arrow.records(con, "SELECT rowid AS _rowid, * FROM rows WHERE rowid = ANY(?)", [others])
                if others
                else []
            )
        }
    finally:
        con.execute("COMMIT")
    return [built[rowid] if doc is None else doc for rowid, doc in rows], [k for _, k, _ in traces]

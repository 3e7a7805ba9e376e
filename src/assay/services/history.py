"""`/btql` reads pinned to a `version`: what `initDataset({version})` and `fetch({version})` send.

The query layer reads the current rows. An older state exists only in the event log, which the
store replays for its fetch routes (`Store.fetch(version=…)`); this module answers a plain read
(`SELECT *` over one object, optionally with a limit and a cursor, the shape the SDKs send) from
that replay. A plain read with a version always goes this way, so its cursors stay valid across
pages even when writes land between them. Anything richer at an older version is refused with a
400 that says what can be read, rather than answering from the wrong state.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from assay.model.objects import OBJECT_TYPES
from assay.query import DEFAULT_LIMIT, MAX_LIMIT, QueryError, Source, parse_query, source_refs
from assay.query.parse import ParsedQuery
from assay.services import sources
from assay.services.auth import Principal
from assay.services.context import Services
from assay.services.query_results import QueryResult
from assay.store.base import ObjectRef
from assay.store.columns import ROW_COLUMNS


def _plain_limit(parsed: ParsedQuery) -> int | None:
    """The page size of a plain `SELECT * FROM <one object>` read, or None if the query is richer."""
    select = parsed.select
    items = list(select.expressions)
    if len(items) != 1 or not isinstance(items[0], exp.Star):
        return None
    if any(select.args.get(k) for k in ("where", "group", "having", "order", "distinct", "offset")):
        return None
    node = select.args.get("limit")
    if node is None:
        return DEFAULT_LIMIT
    value = node.expression
    if not (isinstance(value, exp.Literal) and value.is_int):
        return None
    return max(1, min(int(value.this), MAX_LIMIT))


def _latest(svc: Services, source: Source) -> int:
    versions = [svc.store.max_xact_id(ObjectRef(source.object_type, oid)) for oid in source.object_ids]
    return max((int(v) for v in versions if v is not None), default=0)


def _schema(object_type: str) -> dict[str, Any]:
    props: dict[str, Any] = {c.name: {} for c in ROW_COLUMNS if c.api}
    props["_xact_id"] = {"type": "string"}
    props["is_root"] = {"type": "boolean"}
    owner = OBJECT_TYPES[object_type].id_field
    props["log_id" if owner == "project_id" else owner] = {"type": "string"}
    return {"type": "array", "items": {"type": "object", "properties": props}}


def read_at_version(svc: Services, who: Principal, query: Any, version: int) -> QueryResult | None:
    """Answer a plain read at `version` from the store's history; None when the query should run
    as usual (it is richer than a plain read, and `version` is not older than the current state)."""
    parsed = parse_query(query)
    source = sources.resolve(svc, who, source_refs(parsed.select))
    limit = _plain_limit(parsed)
    if limit is None or source.shape != "spans" or len(source.object_ids) != 1:
        if version < _latest(svc, source):
            raise QueryError(
                f"at an older version ({version}) only a plain read can be answered: "
                "SELECT * FROM one experiment, dataset or project_logs, with an optional LIMIT and cursor; "
                "drop the filter, sort, grouping or shape, or read the current state without 'version'"
            )
        return None
    ref = ObjectRef(source.object_type, source.object_ids[0])
    page = svc.store.fetch(ref, limit=limit, cursor=parsed.cursor, version=version)
    columns = list(_schema(source.object_type)["items"]["properties"])
    return QueryResult(columns, page.events, _schema(source.object_type), page.cursor)

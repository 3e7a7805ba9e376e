"""Running a query for a caller: parse, resolve its source, compile, execute, decode.

The one path every query takes (`POST /btql`, the table routes, internal analyses):

    parse (assay.query)  →  resolve the FROM clause through the catalog and policy (services.sources)
    →  compile for the store's dialect (assay.query)  →  Store.execute (bounded in time and memory)
    →  decode to API values (services.query_results)
"""

from __future__ import annotations

from typing import Any

from assay.model.objects import OBJECT_TYPES
from assay.query import Compiled, QueryError, Source, compile_query, parse_query, source_refs
from assay.query.limits import QueryLimits
from assay.query.parse import ParsedQuery
from assay.server.settings import Settings
from assay.services import sources
from assay.services.auth import Principal
from assay.services.context import Services
from assay.services.query_results import QueryResult, QueryText, decode, encode
from assay.store.base import ObjectRef, ResultSet


def run_query(
    svc: Services,
    who: Principal,
    query: Any,
    *,
    cursor: str | None = None,
    limit: int | None = None,
    arrow: bool = False,
    version: int | None = None,
) -> QueryResult:
    """Parse, check, compile and run `query` (SQL, pipe text or JSON tree) as `who`.

    `version` pins the read to a transaction id. Queries read the current rows, so a version older
    than any source's latest write is refused (the fetch routes replay history instead)."""
    return run_compiled(svc, _checked(svc, who, query, cursor=cursor, limit=limit, version=version))


def run_query_text(
    svc: Services, who: Principal, query: Any, *, separator: str, version: int | None = None
) -> QueryText | QueryResult:
    """As `run_query`, with the rows written as JSON text by the database where it can
    (`query_results.encode`), else decoded: for answers that go out as JSON unchanged."""
    compiled = _checked(svc, who, query, cursor=None, limit=None, version=version)
    result = _execute(svc, compiled)
    return encode(compiled, result, separator) or _decoded(svc, compiled, result)


def _checked(
    svc: Services, who: Principal, query: Any, *, cursor: str | None, limit: int | None, version: int | None
) -> Compiled:
    """`query` parsed, its sources resolved and checked for `who`, and compiled."""
    parsed = parse_query(query)
    source = sources.resolve(svc, who, source_refs(parsed.select))
    if version is not None:
        _check_version(svc, source, version)
    return compile_query(
        parsed, source, svc.store.dialect, cursor=cursor, limit=limit, limits=limits_of(svc.settings)
    )


def run_parsed(
    svc: Services, parsed: ParsedQuery, source: Source, *, cursor: str | None = None
) -> QueryResult:
    """Run a query the caller built as a tree over a source it already resolved (and checked)."""
    return run_compiled(svc, _compile(svc, parsed, source, cursor))


def execute_parsed(
    svc: Services, parsed: ParsedQuery, source: Source, *, cursor: str | None = None
) -> tuple[Compiled, ResultSet]:
    """As `run_parsed`, but the answer undecoded (Arrow), for a caller that writes it out itself
    (exports)."""
    compiled = _compile(svc, parsed, source, cursor)
    return compiled, _execute(svc, compiled)


def _compile(svc: Services, parsed: ParsedQuery, source: Source, cursor: str | None) -> Compiled:
    return compile_query(parsed, source, svc.store.dialect, cursor=cursor, limits=limits_of(svc.settings))


def _execute(svc: Services, compiled: Compiled) -> ResultSet:
    settings = svc.settings
    return svc.store.execute(compiled, timeout=settings.query_timeout_s, memory=settings.query_memory_bytes)


def limits_of(settings: Settings) -> QueryLimits:
    return QueryLimits(settings.query_max_string_bytes, settings.query_max_string_parts)


def run_compiled(svc: Services, compiled: Compiled) -> QueryResult:
    return _decoded(svc, compiled, _execute(svc, compiled))


def _decoded(svc: Services, compiled: Compiled, result: ResultSet) -> QueryResult:
    page = decode(compiled, result)
    if compiled.star and compiled.source.shape != "summary":
        svc.store.attach_comments(compiled.source.object_type, page.rows)  # as the fetch routes do
    return page


def _check_version(svc: Services, source: Source, version: int) -> None:
    for object_id in source.object_ids:
        latest = svc.store.max_xact_id(ObjectRef(source.object_type, object_id))
        if latest is not None and int(latest) > version:
            prefix = OBJECT_TYPES[source.object_type].prefix
            raise QueryError(
                f"version {version} is older than the latest write to {source.object_type} {object_id} "
                f"({latest}); queries read the current state: use POST {prefix}/<id>/fetch "
                "with this version to read history"
            )

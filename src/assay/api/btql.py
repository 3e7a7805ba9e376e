"""`POST /btql`: run one query (SQL, pipe syntax or JSON tree) and return a page of rows.

Body: `{"query": …, "fmt": "json" | "jsonl" | "parquet", "version"?: "<xact id>"}`; other
reference options are accepted and ignored. JSON answers carry `data`, `schema` and `cursor`; the other formats send the cursor
in the `x-bt-cursor` header.
"""

from __future__ import annotations

import io
from typing import Any

import pyarrow.parquet as pq
from fastapi import Depends
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from assay.api.deps import caller, json_object, services
from assay.api.models import AUTHENTICATED, BtqlBody, BtqlResponse, errors, json_body_schema
from assay.api.responses import OrjsonResponse, encode_json
from assay.api.routing import api_router
from assay.model.errors import InvalidInput
from assay.services.auth import Principal
from assay.services.context import Services
from assay.services.history import read_at_version
from assay.services.queries import run_query, run_query_text
from assay.services.query_results import QueryResult, QueryText

router = api_router(tags=["query"], responses=AUTHENTICATED)
FORMATS = ("json", "jsonl", "parquet")


def _headers(result: QueryResult | QueryText) -> dict[str, str]:
    return {"x-bt-cursor": result.cursor} if result.cursor else {}


def _render(result: QueryResult | QueryText, fmt: str) -> Response:
    if isinstance(result, QueryText):
        return _render_text(result, fmt)
    if fmt == "jsonl":
        body = b"".join(encode_json(r) + b"\n" for r in result.rows)
        return Response(body, media_type="application/x-ndjson", headers=_headers(result))
    if fmt == "parquet":
        buf = io.BytesIO()
        assert result.arrow is not None
        pq.write_table(result.arrow, buf)
        return Response(buf.getvalue(), media_type="application/vnd.apache.parquet", headers=_headers(result))
    out: dict[str, Any] = {"data": result.rows, "schema": result.schema, "cursor": result.cursor}
    if result.warnings:
        out["warnings"] = [{"code": "limit", "message": w, "stage": "compile"} for w in result.warnings]
    return OrjsonResponse(out, headers=_headers(result))


def _render_text(result: QueryText, fmt: str) -> Response:
    """The rows as the database wrote them, spliced into the answer (the same bytes a client
    parses as `_render` would give it, without decoding each value into Python first)."""
    rows = result.rows
    if fmt == "jsonl":
        return Response(
            rows + b"\n" if rows else b"", media_type="application/x-ndjson", headers=_headers(result)
        )
    parts = [
        b'{"data":[',
        rows,
        b'],"schema":',
        encode_json(result.schema),
        b',"cursor":',
        encode_json(result.cursor),
    ]
    if result.warnings:
        warnings = [{"code": "limit", "message": w, "stage": "compile"} for w in result.warnings]
        parts += [b',"warnings":', encode_json(warnings)]
    return Response(b"".join(parts) + b"}", media_type="application/json", headers=_headers(result))


@router.post(
    "/btql",
    summary="Run a query in the SQL or pipe dialect",
    response_model=BtqlResponse,
    responses={
        200: {
            "content": {
                "application/x-ndjson": {"schema": {"type": "string"}},
                "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}},
            },
            "description": "`fmt: json`: the page as JSON; `jsonl` and `parquet` send the cursor in `x-bt-cursor`",
        },
        **errors(408),
    },
    openapi_extra=json_body_schema(BtqlBody),
)
async def btql(
    body: dict[str, Any] = Depends(json_object),
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> Response:
    fmt = body.get("fmt") or "json"
    if fmt not in FORMATS:
        raise InvalidInput(f"fmt must be one of {', '.join(FORMATS)}")
    if "query" not in body:
        raise InvalidInput("the body needs a 'query': SQL text, pipe text or a JSON query object")
    version = body.get("version")
    if version is not None and not (isinstance(version, int | str) and str(version).isdigit()):
        raise InvalidInput(f"version must be a transaction id (digits), got {version!r}")
    if version is not None and fmt != "parquet":  # a read at a version replays history (services/history.py)
        pinned = await run_in_threadpool(read_at_version, svc, who, body["query"], int(version))
        if pinned is not None:
            return _render(pinned, fmt)
    pinned_to = None if version is None else int(version)
    if fmt == "parquet":
        result: QueryResult | QueryText = await run_in_threadpool(
            run_query, svc, who, body["query"], arrow=True, version=pinned_to
        )
    else:
        separator = "\n" if fmt == "jsonl" else ","
        result = await run_in_threadpool(
            run_query_text, svc, who, body["query"], separator=separator, version=pinned_to
        )
    return _render(result, fmt)

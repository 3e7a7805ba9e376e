"""One trace as the trace view reads it: a compact skeleton of every span, then single spans in full.

A trace can hold tens of thousands of spans with kilobytes of input each; the browser must never
receive all of that at once. So the view asks for three things, each one statement of the query
language run in the database (the same compiler and access checks as every other query):

- the *skeleton*: for every span only what the tree and the timeline draw (ids, parent, name, type,
  timing, error flag, tokens, cost, scores), as columns rather than objects, ordered by start time;
- one *span* in full when it is selected, with the score spans under it (their output and
  metadata are the scores' explanations, e.g. an LLM judge's rationale);
- a *search* over the whole trace that returns only the ids of the matching spans.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
import sqlglot
from pydantic import BaseModel, Field
from sqlglot import exp

from assay.model.errors import NotFound
from assay.model.functions import RESULT_SPAN_TYPES_SQL
from assay.query import MAX_LIMIT, ParsedQuery, Source, compile_query
from assay.query.compile import encode_cursor
from assay.query.syntax import DIALECT
from assay.services.auth import Principal
from assay.services.catalog import rows_owner
from assay.services.context import Services
from assay.services.queries import run_parsed

TraceObject = Literal["experiment", "dataset", "project_logs"]  # project logs: the project's id
MAX_SPANS = MAX_LIMIT - 1  # a larger trace is cut (the skeleton says so): one query page at most
MAX_SCORE_SPANS = 200
MAX_MATCHES = 10_000


class SkeletonColumns(BaseModel):
    """Every span of the trace, one list per field, all of the same length (index i is span i).

    Columns rather than objects: a 30,000-span skeleton is then a few hundred kilobytes of JSON."""

    span_id: list[str]
    parent: list[int] = Field(description="Index of the span's parent in these lists; -1 at the top level")
    name: list[str | None]
    type: list[str | None] = Field(
        description="span_attributes.type: eval, task, llm, function, tool, score…"
    )
    start: list[float | None] = Field(description="metrics.start, seconds since the epoch")
    end: list[float | None] = Field(description="metrics.end, seconds since the epoch")
    error: list[bool]
    tokens: list[float | None]
    prompt_tokens: list[float | None]
    completion_tokens: list[float | None]
    cost: list[float | None] = Field(description="Estimated cost of the span itself in USD (not rolled up)")
    scores: list[dict[str, float | None] | None]


class TraceSkeleton(BaseModel):
    object_type: TraceObject
    object_id: str
    root_span_id: str
    span_count: int
    truncated: bool = Field(
        description=f"The trace has more than {MAX_SPANS} spans; only that many are listed"
    )
    spans: SkeletonColumns


class ScoreSpan(BaseModel):
    """A scorer's span under the selected span: its value(s) and why (output, metadata, error);
    a classifier's labels and a facet's summary (docs/scoring.md)."""

    span_id: str
    name: str | None
    scores: dict[str, float | None] | None
    classifications: dict[str, list[dict[str, Any]]] | None = Field(
        None, description="A classifier's labels: name -> [{id, label, metadata}]"
    )
    facets: dict[str, str] | None = Field(None, description="A facet's summary: name -> text")
    output: Any = None
    metadata: Any = None
    error: Any = None


class SpanDetail(BaseModel):
    span: dict[str, Any] = Field(description="The span's full row, as the fetch routes return it")
    score_spans: list[ScoreSpan]


class TraceSearch(BaseModel):
    query: str
    span_ids: list[str] = Field(
        description="Spans whose name, input, output, expected, metadata or error contain the text"
    )
    truncated: bool


class SpanName(BaseModel):
    name: str | None
    type: str | None


class SpanNames(BaseModel):
    names: dict[str, SpanName] = Field(description="span_id -> its name and type (unknown ids are left out)")


class TraceSpans(BaseModel):
    spans: list[dict[str, Any]]
    offset: int
    total: int


SKELETON = f"""
SELECT span_id, span_parents[0] AS parent, span_attributes.name AS name, span_attributes.type AS type,
       metrics.start AS start, metrics."end" AS "end", error IS NOT NULL AS error,
       coalesce(metrics.tokens, metrics.total_tokens) AS tokens, metrics.prompt_tokens AS prompt_tokens,
       metrics.completion_tokens AS completion_tokens, metrics.estimated_cost AS cost, scores
FROM source(:object) WHERE root_span_id = :root
ORDER BY metrics.start ASC NULLS FIRST, _pagination_key ASC LIMIT {MAX_SPANS + 1}
"""
# The span and the score spans under it, in one scan of the trace.
SPAN = f"""
SELECT * FROM source(:object) WHERE root_span_id = :root
AND (span_id = :span OR (span_attributes.type IN {RESULT_SPAN_TYPES_SQL} AND span_parents[0] = :span))
ORDER BY metrics.start ASC NULLS FIRST LIMIT {MAX_SCORE_SPANS + 1}
"""
SEARCH = f"""
SELECT span_id FROM source(:object) WHERE root_span_id = :root AND (
  span_attributes.name ILIKE :pattern OR to_string(input) ILIKE :pattern
  OR to_string(output) ILIKE :pattern OR to_string(expected) ILIKE :pattern
  OR to_string(metadata) ILIKE :pattern OR to_string(error) ILIKE :pattern)
ORDER BY metrics.start ASC NULLS FIRST LIMIT {MAX_MATCHES + 1}
"""
SPANS_PAGE = """
SELECT * FROM source(:object) WHERE root_span_id = :root
ORDER BY metrics.start ASC NULLS FIRST, _pagination_key ASC LIMIT :limit
"""
COUNT = "SELECT count(*) AS n FROM source(:object) WHERE root_span_id = :root"
NAMES = "SELECT span_id, span_attributes.name AS name, span_attributes.type AS type FROM source(:object) LIMIT :limit"
EXISTS = "SELECT span_id FROM source(:object) WHERE root_span_id = :root LIMIT 1"


def _arrow(svc: Services, source: Source, template: str, **values: Any) -> pa.Table:
    """Like `_run`, but the answer as Arrow columns: the skeleton's 30,000 rows are turned into
    lists column by column instead of being decoded row by row."""
    compiled = compile_query(ParsedQuery(_tree(source, template, **values)), source, svc.store.dialect)
    limits = svc.settings
    result = svc.store.execute(compiled, timeout=limits.query_timeout_s, memory=limits.query_memory_bytes)
    return result.table


@lru_cache(maxsize=32)
def _parsed(template: str) -> exp.Expr:
    return sqlglot.parse_one(template, dialect=DIALECT)


def _tree(source: Source, template: str, types: list[str] | None = None, **values: Any) -> exp.Select:
    """The template as a tree: placeholders become literal nodes (never pasted text), `source(…)`
    the object's source function, and `types` an extra condition on the span type."""
    tree = exp.replace_placeholders(_parsed(template).copy(), **values)
    assert isinstance(tree, exp.Select)
    if types:
        span_type = sqlglot.parse_one("span_attributes.type", dialect=DIALECT)
        tree = tree.where(span_type.isin(*types), copy=False)
    for call in tree.find_all(exp.Anonymous):
        if call.name == "source":
            call.set("this", source.object_type)
    return tree


def _run(
    svc: Services,
    source: Source,
    template: str,
    offset: int = 0,
    types: list[str] | None = None,
    **values: Any,
) -> list[dict[str, Any]]:
    """Run a statement of the query language over `source` (already checked for the caller)."""
    tree = _tree(source, template, types, **values)
    cursor = encode_cursor({"o": offset}) if offset else None  # the query layer's offset cursor
    return run_parsed(svc, ParsedQuery(tree), source, cursor=cursor).rows


def _source(svc: Services, who: Principal, object_type: TraceObject, object_id: str) -> Source:
    """The spans of the object, once the policy lets `who` read them (else a 404)."""
    found = rows_owner(svc, who, object_type, object_id)
    return Source(object_type, (str(found["id"]),), "spans")


def skeleton(
    svc: Services, who: Principal, object_type: TraceObject, object_id: str, root_span_id: str
) -> TraceSkeleton:
    src = _source(svc, who, object_type, object_id)
    oid = src.object_ids[0]
    table = _arrow(svc, src, SKELETON, object=oid, root=root_span_id)
    if table.num_rows == 0:
        raise NotFound(f"trace {root_span_id!r} not found in {object_type} {oid!r}")
    truncated = table.num_rows > MAX_SPANS
    table = table.slice(0, MAX_SPANS)
    col = {name: table.column(name).combine_chunks() for name in table.column_names}
    parent = _parent_indexes(col["span_id"], col["parent"])
    scores = [dict(v) if v is not None else None for v in col["scores"].to_pylist()]
    spans = SkeletonColumns.model_construct(
        span_id=col["span_id"].to_pylist(),
        parent=parent,
        name=col["name"].to_pylist(),
        type=col["type"].to_pylist(),
        start=col["start"].to_pylist(),
        end=col["end"].to_pylist(),
        error=col["error"].to_pylist(),
        tokens=col["tokens"].to_pylist(),
        prompt_tokens=col["prompt_tokens"].to_pylist(),
        completion_tokens=col["completion_tokens"].to_pylist(),
        cost=col["cost"].to_pylist(),
        scores=scores,
    )
    return TraceSkeleton.model_construct(
        object_type=object_type,
        object_id=oid,
        root_span_id=root_span_id,
        span_count=table.num_rows,
        truncated=truncated,
        spans=spans,
    )


def _parent_indexes(span_id: pa.Array, parent_id: pa.Array) -> list[int]:
    """Each span's parent as an index into the spans (-1: top level), computed column-wise.

    A parent that is missing from the trace, or the span itself, puts the span at the top level;
    so do parent chains that loop (a client's mistake), so the tree is always a forest."""
    n = len(span_id)
    index = pc.index_in(parent_id, value_set=span_id)
    own = pa.array(range(n), type=index.type)
    index = pc.if_else(pc.equal(index, own), pa.nulls(n, index.type), index)
    # Pointer doubling: after ceil(log2 n) + 1 jumps every chain has left the tree unless it loops.
    jump = index
    for _ in range(max(n, 2).bit_length() + 1):
        jump = pc.take(jump, jump)
    parents = index.fill_null(-1).to_pylist()
    if jump.null_count < n:
        _break_cycles(parents)
    return parents


def _break_cycles(parent: list[int]) -> None:
    """Spans whose parent chain loops (a client's mistake) are moved to the top level, so the
    tree is always a forest. Each span is visited once: linear in the number of spans."""
    state = [0] * len(parent)  # 0 unvisited, 1 on the current path, 2 done
    for start in range(len(parent)):
        path: list[int] = []
        node = start
        while node >= 0 and state[node] == 0:
            state[node] = 1
            path.append(node)
            node = parent[node]
        if node >= 0 and state[node] == 1:  # closed a loop: cut it at the span that closed it
            parent[path[-1]] = -1
        for n in path:
            state[n] = 2


def _well_formed_labels(value: Any) -> dict[str, list[dict[str, Any]]] | None:
    """A client's `classifications` as the reference shapes them (lists of objects by name);
    anything else is left out, as the trace summaries leave it out."""
    if not isinstance(value, dict):
        return None
    kept = {str(k): [i for i in v if isinstance(i, dict)] for k, v in value.items() if isinstance(v, list)}
    return {k: v for k, v in kept.items() if v} or None


def _well_formed_facets(value: Any) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    return {str(k): v for k, v in value.items() if isinstance(v, str)} or None


def span(
    svc: Services, who: Principal, object_type: TraceObject, object_id: str, root_span_id: str, span_id: str
) -> SpanDetail:
    src = _source(svc, who, object_type, object_id)
    oid = src.object_ids[0]
    rows = _run(svc, src, SPAN, object=oid, root=root_span_id, span=span_id)
    found = [r for r in rows if r["span_id"] == span_id]
    if not found:
        raise NotFound(f"span {span_id!r} not found in trace {root_span_id!r}")
    scorers = [
        ScoreSpan(
            span_id=r["span_id"],
            name=(r.get("span_attributes") or {}).get("name"),
            scores=r.get("scores"),
            classifications=_well_formed_labels(r.get("classifications")),
            facets=_well_formed_facets(r.get("facets")),
            output=r.get("output"),
            metadata=r.get("metadata"),
            error=r.get("error"),
        )
        for r in rows
        if r["span_id"] != span_id
    ]
    return SpanDetail(span=found[0], score_spans=scorers)


def search(
    svc: Services, who: Principal, object_type: TraceObject, object_id: str, root_span_id: str, text: str
) -> TraceSearch:
    src = _source(svc, who, object_type, object_id)
    oid = src.object_ids[0]
    needle = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = _run(svc, src, SEARCH, object=oid, root=root_span_id, pattern=f"%{needle}%")
    ids = [r["span_id"] for r in rows[:MAX_MATCHES]]
    return TraceSearch(query=text, span_ids=ids, truncated=len(rows) > MAX_MATCHES)


def spans_page(
    svc: Services,
    who: Principal,
    object_type: TraceObject,
    object_id: str,
    root_span_id: str,
    offset: int,
    limit: int,
    types: list[str] | None = None,
) -> TraceSpans:
    """Whole spans of the trace in start order, a page at a time, optionally only of some span
    types (the raw JSON of the full trace; the thread view reads its LLM spans this way)."""
    src = _source(svc, who, object_type, object_id)
    oid = src.object_ids[0]
    if not _run(svc, src, EXISTS, object=oid, root=root_span_id):
        raise NotFound(f"trace {root_span_id!r} not found in {object_type} {oid!r}")
    total = int(_run(svc, src, COUNT, types=types, object=oid, root=root_span_id)[0]["n"])
    rows = _run(svc, src, SPANS_PAGE, offset, types=types, object=oid, root=root_span_id, limit=limit)
    return TraceSpans(spans=rows, offset=offset, total=total)


def span_names(
    svc: Services, who: Principal, object_type: TraceObject, object_id: str, span_ids: list[str]
) -> SpanNames:
    """Names and types of spans by id, e.g. the parents of a page of span rows (which are often
    on other pages): one statement for the whole list."""
    src = _source(svc, who, object_type, object_id)
    ids = list(dict.fromkeys(span_ids))
    if not ids:
        return SpanNames(names={})
    tree = _tree(src, NAMES, object=src.object_ids[0], limit=len(ids) * 4)
    span = sqlglot.parse_one("span_id", dialect=DIALECT)
    tree = tree.where(span.isin(*ids), copy=False)
    rows = run_parsed(svc, ParsedQuery(tree), src).rows
    return SpanNames(names={r["span_id"]: SpanName(name=r["name"], type=r["type"]) for r in rows})

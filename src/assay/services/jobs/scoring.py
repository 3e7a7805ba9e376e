"""One chunk of a scoring job: read the rows, run each scorer, write the results as spans.

Every result is a new span in the scored row's trace, a child of the scored span:
`span_attributes` `{name: <scorer>, type: "score" | "classifier" | "facet", purpose: "scorer"}`,
the score in `scores` (so trace scores, summaries and comparisons average it in like any other),
a classifier's labels in `classifications` (`{name: [{id, label, metadata}]}`), a facet's
summary in `facets` (`{name: text}`), the judge's rationale and choice in `metadata`, and a
failure in `error` (counted as a scorer error of the trace). Span ids are a hash of (object,
row, scorer, version): writing a result again replaces the span, never adds one, and a row that
already holds a result without an error is skipped — so a chunk redone after a crash, or a job
run twice, writes each span exactly once.

The spans go through the ordinary write path (`services.ingest`), validated like any client's
rows and checked against the job creator's access.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlglot import exp

from assay.model.functions import RESULT_SPAN_TYPES
from assay.model.objects import OBJECT_TYPES, utcnow
from assay.query import Source
from assay.query.expression import literal
from assay.query.parse import ParsedQuery
from assay.services import ingest
from assay.services.auth import Principal
from assay.services.context import Services
from assay.services.jobs.service import definition
from assay.services.queries import run_parsed
from assay.services.scorers.base import Result, Runner, Target
from assay.services.scorers.resolve import runner
from assay.services.scorers.runners import as_text
from assay.store.jobs import Job

NAMESPACE = uuid.UUID("6f1c5a52-9a43-4e0b-8d67-5c3b3f2e9a10")
MAX_TRACE_SPANS = 200
MAX_TRACE_CHARS = 12_000
FIELDS = ("id", "span_id", "root_span_id", "input", "output", "expected", "metadata")


def span_id(object_type: str, object_id: str, row_id: str, run: Runner) -> str:
    """The id of `run`'s result span on row `row_id`: the same for the same row, scorer and version."""
    return str(
        uuid.uuid5(NAMESPACE, f"{object_type}\x1f{object_id}\x1f{row_id}\x1f{run.key}\x1f{run.version}")
    )


def _query(svc: Services, spec: dict[str, Any], select: exp.Select) -> list[dict[str, Any]]:
    source = Source(spec["object_type"], (spec["object_id"],), "spans")
    return run_parsed(svc, ParsedQuery(select), source).rows


def load_targets(svc: Services, spec: dict[str, Any], ids: list[str], with_trace: bool) -> list[Target]:
    """The rows `ids` that still exist, as targets (with their traces as text for facets)."""
    select = exp.select(*FIELDS).where(exp.column("id").isin(*[literal(i) for i in ids]))
    select.set("limit", exp.Limit(expression=exp.Literal.number(len(ids))))
    rows = {r["id"]: r for r in _query(svc, spec, select)}
    texts = _trace_texts(svc, spec, {r["root_span_id"] for r in rows.values()}) if with_trace and rows else {}
    return [_target(rows[i], texts.get(rows[i]["root_span_id"])) for i in ids if i in rows]


def _target(row: dict[str, Any], trace_text: str | None) -> Target:
    return Target(
        id=row["id"],
        span_id=row["span_id"],
        root_span_id=row["root_span_id"],
        input=row.get("input"),
        output=row.get("output"),
        expected=row.get("expected"),
        metadata=row.get("metadata"),
        trace_text=trace_text,
    )


def _trace_texts(svc: Services, spec: dict[str, Any], roots: set[str]) -> dict[str, str]:
    """Each trace as readable text: its spans in order, name (type): input → output / error."""
    select = exp.select("root_span_id", "span_attributes", "input", "output", "error").where(
        exp.column("root_span_id").isin(*[literal(r) for r in sorted(roots)])
    )
    select.set("order", exp.Order(expressions=[exp.Ordered(this=exp.column("_pagination_key"))]))
    select.set("limit", exp.Limit(expression=exp.Literal.number(len(roots) * MAX_TRACE_SPANS)))
    lines: dict[str, list[str]] = {}
    for row in _query(svc, spec, select):
        attrs = row.get("span_attributes") or {}
        if attrs.get("purpose") == "scorer":
            continue  # other scorers' results are not part of what the application did
        parts = [f"{attrs.get('name') or 'span'} ({attrs.get('type') or 'span'}): {_brief(row.get('input'))}"]
        parts.append(f" -> {_brief(row.get('output'))}")
        if row.get("error") is not None:
            parts.append(f" [error: {_brief(row.get('error'))}]")
        lines.setdefault(row["root_span_id"], []).append("".join(parts))
    return {root: "\n".join(found)[:MAX_TRACE_CHARS] for root, found in lines.items()}


def _brief(value: Any, limit: int = 1500) -> str:
    text = as_text(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _existing(svc: Services, spec: dict[str, Any], ids: list[str]) -> set[str]:
    """Of these span ids, those already written without an error."""
    if not ids:
        return set()
    select = exp.select("id").where(
        exp.and_(
            exp.column("id").isin(*[literal(i) for i in ids]),
            exp.Is(this=exp.column("error"), expression=exp.Null()),
        )
    )
    select.set("limit", exp.Limit(expression=exp.Literal.number(len(ids))))
    return {r["id"] for r in _query(svc, spec, select)}


def result_span(
    job: Job, spec: dict[str, Any], target: Target, run: Runner, result: Result, when: str
) -> dict[str, Any]:
    """The span row recording `run`'s `result` on `target` (see the module docstring)."""
    sid = span_id(spec["object_type"], spec["object_id"], target.id, run)
    kind = run.function_type
    row: dict[str, Any] = {
        "id": sid,
        "span_id": sid,
        "root_span_id": target.root_span_id,
        "span_parents": [target.span_id],
        "created": when,
        "span_attributes": {"name": run.name, "type": RESULT_SPAN_TYPES[kind], "purpose": "scorer"},
        "metadata": {**result.metadata, "scorer": {"key": run.key, "version": run.version, "job_id": job.id}},
    }
    id_field = OBJECT_TYPES[spec["object_type"]].id_field
    row[id_field] = spec["object_id"]
    if spec["object_type"] == "project_logs":
        row["log_id"] = "g"
    if result.error is not None:
        row["error"] = result.error
        return row
    if kind == "scorer":
        row["scores"] = {run.name: result.score}
        row["output"] = {"score": result.score, **({"metadata": result.metadata} if result.metadata else {})}
    elif kind == "classifier":
        if result.labels:
            row["classifications"] = {run.name: result.labels}
        row["output"] = result.labels
    else:
        row["facets"] = {run.name: result.text}
        row["output"] = result.text
    return row


def process_chunk(
    svc: Services, who: Principal, job: Job, ids: list[str], keep_going: Callable[[], bool]
) -> tuple[int, int]:
    """Score the rows `ids` with every scorer of `job`; (rows without a failure, rows with one).
    Stops early (returning nothing counted) when `keep_going()` turns false: the lease was lost
    or the job cancelled."""
    spec = job.spec
    runners = [
        runner(svc, svc.llm, definition(s), spec["object_type"], spec["object_id"]) for s in spec["scorers"]
    ]
    targets = load_targets(svc, spec, ids, with_trace=any(r.needs_trace for r in runners))
    failed_rows: set[str] = set()
    rows: list[dict[str, Any]] = []
    for run in runners:
        if not keep_going():
            return 0, 0
        wanted = {t.id: span_id(spec["object_type"], spec["object_id"], t.id, run) for t in targets}
        have = _existing(svc, spec, list(wanted.values()))
        todo = [t for t in targets if wanted[t.id] not in have]
        when = utcnow().isoformat()
        for target, result in zip(todo, run.run(todo), strict=True):
            if result.error is not None:
                failed_rows.add(target.id)
            rows.append(result_span(job, spec, target, run, result, when))
    if not keep_going():
        return 0, 0
    if rows:
        ingest.write_rows(svc, who, rows)
    missing = len(ids) - len(targets)
    return len(targets) - len(failed_rows), len(failed_rows) + missing

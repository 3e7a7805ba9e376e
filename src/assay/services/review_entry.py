"""Entering a review: one reviewer's values for one row, checked against the project's review
scores (`/v1/project_score` of type `slider`, `categorical` or `free-form`).

Each reviewer has one **review span** per row (`span_attributes.type = "review"`, its id derived
from the row and the reviewer), a child of the reviewed span that holds the reviewer, the time and
the reviewer's values (`output`). Entering again changes only that reviewer's span, so reviewers
never overwrite each other. The reviewed row itself carries the combined value, where
`services.review` looks for it:
- numeric scores (sliders; categorical scores not written to `expected`: the chosen option's
  value, the mean of the chosen options' values when multiple choice) go to `scores.<name>` as the
  **average over the reviewers** who set one;
- values that cannot be averaged (free-form text, categorical choices written to `expected`) go
  to `metadata.<destination>` / `expected.<name>`: the latest reviewer's value.
A reviewer's `null` clears their value (a review span left with no values is deleted).

The review span and the row's new values are one write. Computing an average reads the other
reviewers' spans first, so reviews of the same row are serialised within a server process; with
several servers on one database two simultaneous reviews of one row can leave the row's average
missing one of them until the next review of that row (the review spans themselves are intact).
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlglot import exp

from assay.model.errors import InvalidInput, NotFound
from assay.model.objects import OBJECT_TYPES, utcnow
from assay.query.parse import ParsedQuery
from assay.query.sources import Source
from assay.services import ingest
from assay.services.auth import Principal
from assay.services.catalog import rows_owner
from assay.services.context import Services
from assay.services.project_scores import review_scores_of
from assay.services.queries import run_parsed
from assay.services.review import ASSIGNMENTS, COMPLETE, DEFAULT_LIST, PENDING, REVIEW_LISTS, REVIEW_SPAN_TYPE

ReviewValue = float | bool | str | list[str] | None  # bool only to refuse it precisely
_NAMESPACE = uuid.UUID("5d1c56c4-0c4b-4e4b-9a55-2b1f0f6f3a10")
_LOCK = threading.Lock()
MAX_COMMENT = 10_000


class ReviewInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(
        min_length=1, max_length=1000, description="The row reviewed (a trace's row is its root span)"
    )
    scores: dict[str, ReviewValue] = Field(
        default_factory=dict,
        max_length=100,
        description="Review score name → your value: a number from 0 to 1 (slider), an option's name, "
        "or a list of names when multiple choice (categorical), text (free-form); null clears it",
    )
    complete: bool | None = Field(
        None, description="true marks the row's review complete, false sets it back to PENDING"
    )
    comment: str | None = Field(
        None, min_length=1, max_length=MAX_COMMENT, description="A comment on the row"
    )
    tags: list[str] | None = Field(None, max_length=100, description="Tags added to the row")


class Reviewer(BaseModel):
    id: str
    email: str | None = None
    name: str | None = None


class Review(BaseModel):
    """One reviewer's values on a row."""

    review_span_id: str
    reviewer: Reviewer
    reviewed_at: str
    values: dict[str, Any] = Field(description="Review score name → the value this reviewer set")


class ReviewState(BaseModel):
    """A row's review: every reviewer's values, the combined values on the row, its status."""

    row_id: str
    reviews: list[Review]
    values: dict[str, Any] = Field(
        description="Review score name → the row's value: the average over reviewers for numeric scores, "
        "the latest reviewer's value otherwise"
    )
    status: str | None = Field(
        None, description="The review status: PENDING, COMPLETE (or APPROVED, REJECTED)"
    )
    assignments: list[str] = Field(description="User ids the row is assigned to")


def _definitions(svc: Services, project_id: str) -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in review_scores_of(svc, project_id)}


def _spans(
    svc: Services, object_type: str, object_id: str, where: exp.Expr, limit: int
) -> list[dict[str, Any]]:
    select = exp.select("id", "span_id", "root_span_id", "span_attributes", "output", "metadata", "expected")
    select = select.where(where).limit(limit)
    return run_parsed(svc, ParsedQuery(select), Source(object_type, (object_id,), "spans")).rows


def _eq(column: exp.Expr, value: str) -> exp.Expr:
    return exp.EQ(this=column, expression=exp.Literal.string(value))


def _row(svc: Services, object_type: str, object_id: str, row_id: str) -> dict[str, Any]:
    found = _spans(svc, object_type, object_id, _eq(exp.column("id"), row_id), 1)
    if not found:
        raise NotFound(f"row {row_id!r} not found")
    if (found[0].get("span_attributes") or {}).get("type") == REVIEW_SPAN_TYPE:
        raise InvalidInput(f"row {row_id!r} is a review span: review the row it belongs to")
    return found[0]


def _review_spans(
    svc: Services, object_type: str, object_id: str, row: dict[str, Any]
) -> list[dict[str, Any]]:
    where = exp.and_(
        _eq(exp.column("root_span_id"), row["root_span_id"]),
        _eq(exp.column("type", table="span_attributes"), REVIEW_SPAN_TYPE),
        _eq(
            exp.Dot(this=exp.column("metadata"), expression=exp.to_identifier("review_of", quoted=True)),
            row["id"],
        ),
    )
    return _spans(svc, object_type, object_id, where, 10_000)


def _option(definition: dict[str, Any], name: str) -> dict[str, Any]:
    for option in definition.get("categories") or []:
        if option.get("name") == name:
            return dict(option)
    names = ", ".join(repr(o.get("name")) for o in definition.get("categories") or [])
    raise InvalidInput(f"{definition['name']!r} has no option {name!r} (its options: {names})")


def is_numeric(definition: dict[str, Any]) -> bool:
    """Numeric scores are averaged over reviewers; the others keep the latest reviewer's value."""
    config = definition.get("config") or {}
    kind = definition["score_type"]
    return kind == "slider" or (kind == "categorical" and config.get("destination") != "expected")


def checked(definition: dict[str, Any], value: ReviewValue) -> Any:
    """The value as kept on the review span, or a precise InvalidInput."""
    name, kind = definition["name"], definition["score_type"]
    config = definition.get("config") or {}
    if value is None:
        return None
    if kind == "slider":
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise InvalidInput(f"{name!r} is a slider: a number from 0 to 1, got {value!r}")
        return float(value)
    if kind == "categorical":
        chosen = value if isinstance(value, list) else [value]
        if not chosen or not all(isinstance(c, str) for c in chosen):
            raise InvalidInput(f"{name!r} is categorical: an option's name, got {value!r}")
        if isinstance(value, list) and not config.get("multi_select"):
            raise InvalidInput(f"{name!r} takes one option (it is not multiple choice)")
        names = [_option(definition, str(c))["name"] for c in dict.fromkeys(chosen)]
        return names if config.get("multi_select") else names[0]
    if not isinstance(value, str):
        raise InvalidInput(f"{name!r} is free-form: text, got {value!r}")
    if len(value) > MAX_COMMENT:
        raise InvalidInput(f"{name!r} takes at most {MAX_COMMENT} characters")
    return value


def _number(definition: dict[str, Any], kept: Any) -> float | None:
    """A kept value as a number (None when it no longer fits the definition, e.g. a removed option)."""
    if definition["score_type"] == "slider":
        return float(kept) if isinstance(kept, int | float) and not isinstance(kept, bool) else None
    values = {o["name"]: float(o["value"]) for o in definition.get("categories") or []}
    names = kept if isinstance(kept, list) else [kept]
    found = [values[n] for n in names if n in values]
    return sum(found) / len(found) if found else None


def combined(definition: dict[str, Any], reviews: list[dict[str, Any]]) -> Any:
    """The row's value of one score from every reviewer's (review spans' `output`, `metadata`)."""
    name = definition["name"]
    having = [r for r in reviews if (r.get("output") or {}).get(name) is not None]
    if is_numeric(definition):
        numbers = [n for n in (_number(definition, r["output"][name]) for r in having) if n is not None]
        return sum(numbers) / len(numbers) if numbers else None
    if not having:
        return None
    latest = max(having, key=lambda r: str((r.get("metadata") or {}).get("reviewed_at") or ""))
    return latest["output"][name]


def _nested(path: list[str], value: Any) -> dict[str, Any]:
    out: Any = value
    for part in reversed(path):
        out = {part: out}
    return dict(out)


def _deep_update(into: dict[str, Any], more: dict[str, Any]) -> None:
    for key, value in more.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _deep_update(into[key], value)
        else:
            into[key] = value


def _onto_row(definition: dict[str, Any], value: Any, row: dict[str, Any], target: dict[str, Any]) -> None:
    """Put the row's combined value of one score where `services.review` looks for it."""
    name = definition["name"]
    config = definition.get("config") or {}
    if is_numeric(definition):
        target.setdefault("scores", {})[name] = value
    elif definition["score_type"] == "categorical":
        expected = row.get("expected")
        if expected is not None and not isinstance(expected, dict):
            raise InvalidInput(
                f"{name!r} writes into expected, and this row's expected is not an object "
                f"(it is {type(expected).__name__}): it cannot take {name!r} beside it"
            )
        target.setdefault("expected", {})[name] = value
    else:
        path = str(config.get("destination") or name).split(".")
        _deep_update(target.setdefault("metadata", {}), _nested(path, value))


def _route(object_type: str, object_id: str) -> dict[str, Any]:
    route: dict[str, Any] = {OBJECT_TYPES[object_type].id_field: object_id}
    if object_type == "project_logs":
        route["log_id"] = "g"
    return route


def _owner(
    svc: Services, who: Principal, object_type: str, object_id: str, action: Any
) -> tuple[dict[str, Any], str]:
    owner = rows_owner(svc, who, object_type, object_id, action)
    return owner, owner["id"] if object_type == "project_logs" else owner["project_id"]


def state(svc: Services, who: Principal, object_type: str, object_id: str, row_id: str) -> dict[str, Any]:
    """A row's review as `ReviewState` (needs read on the rows)."""
    owner, project_id = _owner(svc, who, object_type, object_id, "read")
    return _state(svc, object_type, owner["id"], _definitions(svc, project_id), row_id)


def _state(
    svc: Services, object_type: str, object_id: str, definitions: dict[str, dict[str, Any]], row_id: str
) -> dict[str, Any]:
    row = _row(svc, object_type, object_id, row_id)
    spans = _review_spans(svc, object_type, object_id, row)
    reviews = [
        {
            "review_span_id": s["id"],
            "reviewer": (s.get("metadata") or {}).get("reviewer") or {"id": ""},
            "reviewed_at": str((s.get("metadata") or {}).get("reviewed_at") or ""),
            "values": s.get("output") or {},
        }
        for s in sorted(spans, key=lambda s: str((s.get("metadata") or {}).get("reviewed_at") or ""))
    ]
    values = {name: combined(d, spans) for name, d in definitions.items()}
    metadata = row.get("metadata") or {}
    lists = metadata.get(REVIEW_LISTS)
    status = (lists.get(DEFAULT_LIST) or {}).get("status") if isinstance(lists, dict) else None
    assigned = metadata.get(ASSIGNMENTS)
    return {
        "row_id": row["id"],
        "reviews": reviews,
        "values": {k: v for k, v in values.items() if v is not None},
        "status": status if isinstance(status, str) else None,
        "assignments": [a for a in assigned if isinstance(a, str)] if isinstance(assigned, list) else [],
    }


def record(
    svc: Services, who: Principal, object_type: str, object_id: str, body: ReviewInput
) -> dict[str, Any]:
    """Write the caller's review of one row (needs update on the rows, as any write to them); the
    row's review afterwards, as `ReviewState`."""
    owner, project_id = _owner(svc, who, object_type, object_id, "update")
    definitions = _definitions(svc, project_id)
    mine: dict[str, Any] = {}
    for name, value in body.scores.items():
        definition = definitions.get(name)
        if definition is None:
            known = ", ".join(repr(n) for n in definitions) or "none yet: add them with /v1/project_score"
            raise InvalidInput(f"no review score named {name!r} in this project (its review scores: {known})")
        mine[name] = checked(definition, value)
    if not body.scores and body.complete is None and body.comment is None and not body.tags:
        raise InvalidInput("a review sets a score, marks the row complete, or adds a comment or tags")
    route = _route(object_type, owner["id"])
    with _LOCK:
        row = _row(svc, object_type, owner["id"], body.id)
        review_id = str(uuid.uuid5(_NAMESPACE, f"{object_type}/{owner['id']}/{row['id']}/{who.user_id}"))
        spans = _review_spans(svc, object_type, owner["id"], row)
        others = [s for s in spans if s["id"] != review_id]
        before = next((s for s in spans if s["id"] == review_id), None)
        rows: list[dict[str, Any]] = []
        target: dict[str, Any] = {"id": row["id"], "_is_merge": True, **route}
        if body.scores:
            values = {**((before or {}).get("output") or {}), **mine}
            values = {k: v for k, v in values.items() if v is not None}
            now = utcnow().isoformat()
            review = {
                "id": review_id,
                "span_id": review_id,
                "root_span_id": row["root_span_id"],
                "span_parents": [row["span_id"]],
                "span_attributes": {
                    "type": REVIEW_SPAN_TYPE,
                    "name": f"Review by {who.name or who.email or who.user_id}",
                },
                "output": values,
                "metadata": {
                    "reviewer": {"id": who.user_id, "email": who.email or None, "name": who.name or None},
                    "reviewed_at": now,
                    "review_of": row["id"],
                },
                **route,
            }
            if values:
                rows.append(review)
            elif before is not None:
                rows.append({"id": review_id, "_object_delete": True, **route})
            after = [*others, *([review] if values else [])]
            for name in mine:
                _onto_row(definitions[name], combined(definitions[name], after), row, target)
        if body.complete is not None:
            status = COMPLETE if body.complete else PENDING
            target.setdefault("metadata", {})[REVIEW_LISTS] = {DEFAULT_LIST: {"status": status}}
            target["_merge_paths"] = [["metadata", REVIEW_LISTS]]
        if body.tags:
            target["tags"] = list(dict.fromkeys(body.tags))
        if len(target) > 2 + len(route):
            rows.append(target)
        if body.comment is not None:
            rows.append(
                {
                    "id": str(uuid.uuid4()),
                    "comment": {"text": body.comment},
                    "origin": {"id": row["id"]},
                    "source": "app",
                    **route,
                }
            )
        request = ingest.build_request(ingest.Router(svc, who), rows)
        for write in request.rows:
            if write.row_id == row["id"]:
                write.must_exist = True  # a row deleted meanwhile is a 404, and nothing is written
        svc.store.write(request)
        return _state(svc, object_type, owner["id"], definitions, row["id"])

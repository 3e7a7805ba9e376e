"""The write path: validate client rows, route them to their objects, and hand one request to the store.

All three write routes land here: `/logs3` (the SDK), `/v1/<object>/insert` and `/feedback`.
Validation happens before anything is written, so a request with one bad row writes nothing and
the error names the row and the field.
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC
from typing import Any

from assay.model.errors import InvalidInput
from assay.model.json_limits import exact_in_double
from assay.model.merge import CONTROL_KEYS
from assay.model.objects import OBJECT_TYPES, utcnow
from assay.services.auth import Principal
from assay.services.catalog import rows_owner
from assay.services.context import Services
from assay.store.base import CommentWrite, ObjectRef, RowWrite, WriteRequest, WriteResult
from assay.store.codec import parse_created

ROUTING_KEYS = ("experiment_id", "dataset_id", "project_id", "log_id", "org_id", "prompt_session_id")
SERVER_KEYS = frozenset({"is_root", "comments", "audit_data", "span_type_info", "_async_scoring_state"})
MAX_ID_LENGTH = 1024
MAX_ROWS = 100_000


def _err(index: int, message: str) -> InvalidInput:
    return InvalidInput(f"row {index}: {message}")


def _is_number(value: Any) -> bool:
    """A finite JSON number (integers of any size included: `math.isfinite` would overflow)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return isinstance(value, int) or math.isfinite(value)


def validate_fields(index: int, row: dict[str, Any]) -> None:
    """Check the types of the fields Assay stores in typed columns."""
    for name in ("id", "span_id", "root_span_id"):
        value = row.get(name)
        if value is not None and (not isinstance(value, str) or not value or len(value) > MAX_ID_LENGTH):
            raise _err(index, f"{name} must be a non-empty string of at most {MAX_ID_LENGTH} characters")
    parents = row.get("span_parents")
    if parents is not None and (
        not isinstance(parents, list) or not all(isinstance(p, str) for p in parents)
    ):
        raise _err(index, "span_parents must be a list of strings or null")
    scores = row.get("scores")
    if scores is not None:
        if not isinstance(scores, dict):
            raise _err(index, "scores must be an object of name -> number between 0 and 1")
        for name, value in scores.items():
            if value is not None and (not _is_number(value) or not 0 <= value <= 1):
                raise _err(index, f"score {name!r} must be a number between 0 and 1 or null, got {value!r}")
    metrics = row.get("metrics")
    if metrics is not None:
        if not isinstance(metrics, dict):
            raise _err(index, "metrics must be an object of name -> number")
        for name, value in metrics.items():
            if value is not None and not _is_number(value):
                raise _err(index, f"metric {name!r} must be a number, got {value!r}")
            if value is not None and not exact_in_double(value):
                raise _err(
                    index,
                    f"metric {name!r} is the integer {value}, larger than 2^53 in magnitude: metrics "
                    "are stored as doubles, which cannot hold it exactly (send it as a float to "
                    "accept the rounding, or put it in metadata, which keeps integers exactly)",
                )
    tags = row.get("tags")
    if tags is not None and (not isinstance(tags, list) or not all(isinstance(t, str) for t in tags)):
        raise _err(index, "tags must be a list of strings")
    for name in ("metadata", "span_attributes", "context", "origin"):
        value = row.get(name)
        if value is not None and not isinstance(value, dict):
            raise _err(index, f"{name} must be an object")
    attrs = row.get("span_attributes") or {}
    for name in ("type", "name"):
        if attrs.get(name) is not None and not isinstance(attrs[name], str):
            raise _err(index, f"span_attributes.{name} must be a string, got {attrs[name]!r}")
    if row.get("created") is not None:
        row["created"] = _created(index, row["created"])
    _validate_merge_controls(index, row)


def _created(index: int, value: Any) -> str:
    """A client timestamp as UTC ISO-8601, the form the store keeps (so replays compare equal)."""
    try:
        return parse_created(value).astimezone(UTC).isoformat()
    except (TypeError, ValueError, OverflowError):
        raise _err(index, f"created must be an ISO-8601 timestamp, got {value!r}") from None


def _is_path(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(p, str) for p in value)


def _validate_merge_controls(index: int, row: dict[str, Any]) -> None:
    """The control keys steer the merge; malformed ones must not reach it. Flags are booleans:
    `"_object_delete": "yes"` would otherwise delete (a non-empty string is true)."""
    for flag in ("_is_merge", "_object_delete"):
        if row.get(flag) is not None and not isinstance(row[flag], bool):
            raise _err(index, f"{flag} must be true or false, got {row[flag]!r}")
    paths = row.get("_merge_paths")
    if paths is not None and (not isinstance(paths, list) or not all(_is_path(p) for p in paths)):
        raise _err(index, "_merge_paths must be a list of paths (lists of field names)")
    deletes = row.get("_array_delete")
    if deletes is not None:
        ok = isinstance(deletes, list) and all(
            isinstance(d, dict) and _is_path(d.get("path")) and isinstance(d.get("delete"), list)
            for d in deletes
        )
        if not ok:
            raise _err(
                index, "_array_delete must be a list of {'path': [field, ...], 'delete': [value, ...]}"
            )


class Router:
    """Resolves rows to objects, checking each object once per request (and once per change of
    the catalog or access rules: `Services.row_owners`)."""

    def __init__(self, svc: Services, who: Principal) -> None:
        self.svc, self.who = svc, who
        self._seen: dict[tuple[str, str], str] = {}  # (type, id) -> project id

    def resolve(self, object_type: str, object_id: str) -> tuple[ObjectRef, str]:
        if not isinstance(object_id, str) or not object_id:
            raise InvalidInput(f"{object_type} id must be a non-empty string")
        key = (object_type, object_id)
        if key not in self._seen:
            self._seen[key] = self.svc.row_owners.get(
                self.svc.store, (self.who.user_id, self.who.org_id, *key), lambda: self._owner(*key)
            )
        return ObjectRef(object_type, object_id), self._seen[key]

    def _owner(self, object_type: str, object_id: str) -> str:
        """The project of the object, if the caller may write its rows."""
        doc = rows_owner(self.svc, self.who, object_type, object_id, "update")
        return str(doc["id"] if object_type == "project_logs" else doc["project_id"])

    def route(self, index: int, row: dict[str, Any]) -> tuple[ObjectRef, str]:
        if row.get("experiment_id") is not None:
            return self.resolve("experiment", row["experiment_id"])
        if row.get("dataset_id") is not None:
            return self.resolve("dataset", row["dataset_id"])
        if row.get("project_id") is not None and row.get("log_id") == "g":
            return self.resolve("project_logs", row["project_id"])
        if row.get("prompt_session_id") is not None or row.get("function_data") is not None:
            raise _err(index, "prompt sessions and functions are not supported by Assay")
        raise _err(index, "no destination: set experiment_id, dataset_id, or project_id with log_id 'g'")


def is_comment(row: dict[str, Any]) -> bool:
    origin = row.get("origin")
    return "comment" in row and isinstance(origin, dict) and isinstance(origin.get("id"), str)


def build_request(router: Router, rows: Any) -> WriteRequest:
    """Validate client rows (as sent to `/logs3`) into one store request."""
    if not isinstance(rows, list):
        raise InvalidInput("'rows' must be a list of row objects")
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"too many rows in one request ({len(rows)} > {MAX_ROWS})")
    request = WriteRequest()
    for index, raw in enumerate(rows):
        if not isinstance(raw, dict):
            raise _err(index, "must be a JSON object")
        ref, project_id = router.route(index, raw)
        row = {k: v for k, v in raw.items() if k not in ROUTING_KEYS and k not in SERVER_KEYS}
        if is_comment(row):
            comment_id = row.get("id") or str(uuid.uuid4())
            if not isinstance(comment_id, str) or len(comment_id) > MAX_ID_LENGTH:
                raise _err(index, f"a comment id must be a string of at most {MAX_ID_LENGTH} characters")
            body = {k: v for k, v in row.items() if k not in CONTROL_KEYS and k not in ("id", "origin")}
            body["created"] = (
                _created(index, body["created"]) if body.get("created") else utcnow().isoformat()
            )
            request.comments.append(CommentWrite(ref, str(comment_id), row["origin"]["id"], body))
            continue
        validate_fields(index, row)
        row_id = row.get("id") or str(uuid.uuid4())
        row["id"] = row_id
        if ref.object_type == "dataset" and not row.get("_is_merge"):
            row.setdefault("span_id", row_id)
            row.setdefault("root_span_id", row_id)
        request.rows.append(RowWrite(ref, project_id, row_id, row))
    return request


def write_rows(svc: Services, who: Principal, rows: Any) -> tuple[WriteResult, list[str]]:
    request = build_request(Router(svc, who), rows)
    result = svc.store.write(request)
    return result, [w.row_id for w in request.rows]


def insert_events(svc: Services, who: Principal, object_type: str, object_id: str, events: Any) -> list[str]:
    """`POST /v1/<object>/<id>/insert`: rows routed to one object; returns their ids in order."""
    if not isinstance(events, list):
        raise InvalidInput("'events' must be a list of event objects")
    id_field = OBJECT_TYPES[object_type].id_field
    routed = []
    for index, event in enumerate(events):
        if not isinstance(event, dict):
            raise _err(index, "must be a JSON object")
        row = {k: v for k, v in event.items() if k not in ROUTING_KEYS}
        row[id_field] = object_id
        if object_type == "project_logs":
            row["log_id"] = "g"
        row.setdefault("id", str(uuid.uuid4()))
        routed.append(row)
    request = build_request(Router(svc, who), routed)
    svc.store.write(request)
    return [str(r["id"]) for r in routed]


def feedback(svc: Services, who: Principal, object_type: str, object_id: str, items: Any) -> None:
    """`POST /v1/<object>/<id>/feedback`: merge scores/expected/metadata/tags, attach comments.

    Feedback is about existing rows: an id that names no row is a 404 and nothing is written
    (checked by the store in the write's transaction, so a concurrent delete cannot slip by)."""
    if not isinstance(items, list):
        raise InvalidInput("'feedback' must be a list of feedback objects")
    id_field = OBJECT_TYPES[object_type].id_field
    rows: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise _err(index, "feedback needs the 'id' of the row it is about")
        route = {id_field: object_id, **({"log_id": "g"} if object_type == "project_logs" else {})}
        merge = {k: item[k] for k in ("scores", "expected", "metadata", "tags") if item.get(k) is not None}
        rows.append({"id": item["id"], "_is_merge": True, **merge, **route})  # also checks it exists
        if item.get("comment") is not None:
            rows.append(
                {
                    "id": str(uuid.uuid4()),
                    "comment": {"text": item["comment"]},
                    "origin": {"id": item["id"]},
                    "source": item.get("source") or "api",
                    **route,
                }
            )
    request = build_request(Router(svc, who), rows)
    for write in request.rows:
        write.must_exist = True
    svc.store.write(request)

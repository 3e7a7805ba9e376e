"""Turning API rows into stored columns and back; shared by the backends.

A stored row is the merged user fields plus server fields. Derived columns (`is_root`,
`span_type`, `span_name`, `estimated_cost`) are computed here, so every write path agrees.
Values written are held to the JSON limits (`model/json_limits.py`) here too, whatever path
they came by; values read back are not, so rows stored by earlier versions stay readable.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from assay.model.costs import estimate_cost
from assay.model.errors import InvalidInput
from assay.model.json_limits import MAX_JSON_DEPTH, depth_exceeds
from assay.store.columns import ROW_COLUMNS, USER_FIELDS

JSON_COLUMNS = tuple(c.name for c in ROW_COLUMNS if c.kind == "json" and c.name != "extra")


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def dumps_checked(value: Any, what: str, row_id: str | None = None) -> str:
    """`dumps` for a value about to be stored, refusing one past the JSON limits; the message
    names `what` (a field) of row `row_id`. Counting brackets is enough for almost every
    value; only one with more containers than the depth limit is measured."""
    try:
        out = orjson.dumps(value)
    except orjson.JSONEncodeError as exc:  # deeper than orjson goes, or an integer past 64 bits
        raise InvalidInput(f"{_owned(what, row_id)} cannot be stored: {exc}") from None
    if out.count(b"[") + out.count(b"{") > MAX_JSON_DEPTH and depth_exceeds(out):
        raise InvalidInput(
            f"{_owned(what, row_id)} nests deeper than {MAX_JSON_DEPTH} levels, the limit for stored JSON"
        )
    return out.decode()


def _owned(what: str, row_id: str | None) -> str:
    return what if row_id is None else f"row {row_id!r}: {what}"


def parse_created(value: Any) -> datetime:
    """Parse a client `created` (ISO-8601); naive times are taken as UTC."""
    ts = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def _plain(value: Any, _: str) -> str:
    return dumps(value)


def row_key(object_id: str, row_id: str) -> str:
    return f"{object_id}/{row_id}"


def encode_row(
    object_type: str,
    object_id: str,
    project_id: str,
    row: dict[str, Any],
    xact_id: int,
    pagination_key: str,
    *,
    checked: bool = True,
) -> dict[str, Any]:
    """Column values for one merged row (`row` holds user fields only). `checked` holds JSON
    values to the limits: pass False only to re-encode rows already stored."""
    row_id = row["id"]
    encode = (lambda value, name: dumps_checked(value, name, row_id)) if checked else _plain
    attrs = row.get("span_attributes") if isinstance(row.get("span_attributes"), dict) else {}
    parents = row.get("span_parents") or None
    extra = {k: row[k] for k in row.keys() - USER_FIELDS}  # set difference: usually empty, cheap
    out: dict[str, Any] = {
        "_key": row_key(object_id, row["id"]),
        "object_type": object_type,
        "object_id": object_id,
        "id": row["id"],
        "project_id": project_id,
        "_xact_id": xact_id,
        "_pagination_key": pagination_key,
        "created": parse_created(row["created"]) if row.get("created") else None,
        "span_id": row.get("span_id"),
        "root_span_id": row.get("root_span_id"),
        "span_parents": parents,
        "is_root": not parents,
        "span_type": attrs.get("type") if attrs else None,
        "span_name": attrs.get("name") if attrs else None,
        "scores": row.get("scores"),
        "metrics": row.get("metrics"),
        "tags": row.get("tags"),
        "estimated_cost": estimate_cost(row),
        "extra": encode(extra, "fields") if extra else None,
    }
    for name in JSON_COLUMNS:
        value = row.get(name)
        out[name] = None if value is None else encode(value, name)  # JSON null is stored as SQL NULL
    return out


def decode_row(record: dict[str, Any]) -> dict[str, Any]:
    """The merged user fields of a stored row (the inverse of `encode_row`)."""
    row: dict[str, Any] = {"id": record["id"]}
    created = record.get("created")
    if created is not None:
        row["created"] = created.astimezone(UTC).isoformat() if isinstance(created, datetime) else created
    for name in ("span_id", "root_span_id"):
        if record.get(name) is not None:
            row[name] = record[name]
    row["span_parents"] = list(record["span_parents"]) if record.get("span_parents") else None
    for name in JSON_COLUMNS:
        raw = record.get(name)
        row[name] = None if raw is None else orjson.loads(raw)
    for name in ("scores", "metrics"):
        row[name] = None if record.get(name) is None else dict(record[name])
    row["tags"] = None if record.get("tags") is None else list(record["tags"])
    if record.get("extra"):
        row.update(orjson.loads(record["extra"]))
    return row


def api_event(record: dict[str, Any], org_id: str | None = None) -> dict[str, Any]:
    """A stored row as the API returns it: user fields plus ids, `_xact_id`, `is_root`…"""
    event = decode_row(record)
    event["_xact_id"] = str(record["_xact_id"])
    event["_pagination_key"] = record["_pagination_key"]
    event["is_root"] = bool(record["is_root"])
    event["project_id"] = record["project_id"]
    kind = record["object_type"]
    if kind == "experiment":
        event["experiment_id"] = record["object_id"]
    elif kind == "dataset":
        event["dataset_id"] = record["object_id"]
    else:
        event["log_id"] = "g"
        if org_id:
            event["org_id"] = org_id
    return event

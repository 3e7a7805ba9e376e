"""Row write semantics of the reference API (braintrust-api.md §c.3), as pure functions.

Every backend applies these inside its write transaction, and version replays apply them to the
event log, so the rules live in exactly one place:

- a row without `_is_merge` replaces the stored row with the same id;
- `_is_merge: true` deep-merges into it: objects recurse, scalars and arrays overwrite, top-level
  `tags` are unioned as a set, recursion stops at any path listed in `_merge_paths`, and
  `_array_delete` removes values from arrays; identity fields keep their stored values;
- `_object_delete: true` removes the row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

# Keys that steer a write and are never stored on the row itself.
CONTROL_KEYS = frozenset(
    {
        "_is_merge",
        "_merge_paths",
        "_array_delete",
        "_object_delete",
        "_parent_id",
        "_audit_source",
        "_audit_metadata",
        "_async_scoring_control",
        "_skip_async_scoring",
        "_xact_id",
        "_pagination_key",
    }
)
# Fields that a merge never changes once the row exists.
IDENTITY_FIELDS = ("span_id", "root_span_id", "span_parents", "created")
SET_UNION_FIELDS = frozenset({"tags"})


def _clone_py(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clone_py(v) if isinstance(v, dict | list) else v for k, v in value.items()}
    if isinstance(value, list):
        return [_clone_py(v) if isinstance(v, dict | list) else v for v in value]
    return value


def clone(value: Any) -> Any:
    """A deep copy of a JSON value. Every written row passes through here, so it is an orjson
    round trip (C speed, ~10x `copy.deepcopy`), with a Python walk for values orjson cannot
    encode losslessly (integers beyond 64 bits, datetimes, non-string keys). Rows are parsed
    JSON, so the round trip never meets NaN (which orjson would turn into null)."""
    try:
        return orjson.loads(orjson.dumps(value, option=orjson.OPT_PASSTHROUGH_DATETIME))
    except TypeError:
        return _clone_py(value)


def _set_union(left: list[Any], right: list[Any]) -> list[Any]:
    seen: set[bytes] = set()
    out = []
    for item in [*left, *right]:
        key = orjson.dumps(item, option=orjson.OPT_SORT_KEYS)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def deep_merge(
    into: dict[str, Any],
    source: Mapping[str, Any],
    merge_paths: set[tuple[str, ...]],
    path: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Merge `source` into `into` (mutating `into`) with the reference rules."""
    for key, value in source.items():
        full = (*path, key)
        current = into.get(key)
        union = not path and key in SET_UNION_FIELDS and full not in merge_paths
        if union and isinstance(current, list) and isinstance(value, list):
            into[key] = _set_union(current, value)
            continue
        if isinstance(current, dict) and isinstance(value, dict) and full not in merge_paths:
            deep_merge(current, value, merge_paths, full)
        else:
            into[key] = clone(value)
    return into


def _apply_array_delete(row: dict[str, Any], spec: Any) -> None:
    for item in spec or []:
        path, values = item.get("path") or [], item.get("delete") or []
        target: Any = row
        for part in path[:-1]:
            target = target.get(part) if isinstance(target, dict) else None
        if isinstance(target, dict) and path and isinstance(target.get(path[-1]), list):
            drop = {orjson.dumps(v, option=orjson.OPT_SORT_KEYS) for v in values}
            target[path[-1]] = [
                v for v in target[path[-1]] if orjson.dumps(v, option=orjson.OPT_SORT_KEYS) not in drop
            ]


def user_fields(incoming: Mapping[str, Any]) -> dict[str, Any]:
    """The stored part of a written row: everything but the control keys."""
    return {k: v for k, v in incoming.items() if k not in CONTROL_KEYS}


def apply_write(existing: dict[str, Any] | None, incoming: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return the row after `incoming` is applied to `existing` (None means the row is deleted).

    `existing` and the result hold user fields only (no `_xact_id`, no control keys).
    """
    if incoming.get("_object_delete"):
        return None
    fields = user_fields(incoming)
    if not incoming.get("_is_merge") or existing is None:
        result = clone(fields)
        if existing is not None and "created" not in result and "created" in existing:
            result["created"] = existing["created"]
    else:
        result = clone(existing)
        for name in IDENTITY_FIELDS:
            fields.pop(name, None)
        paths = {tuple(p) for p in incoming.get("_merge_paths") or [] if isinstance(p, list)}
        deep_merge(result, fields, paths)
    if incoming.get("_array_delete"):
        _apply_array_delete(result, incoming["_array_delete"])
    return result

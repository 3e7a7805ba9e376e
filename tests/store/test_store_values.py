"""Store contract: values come back exactly as written, whatever the backend stores them as.

What a client reads back is part of the contract, not an accident of one engine: JSON keeps its
key order and its numbers (integers exact, floats as floats), timestamps are ISO-8601 in UTC with
their microseconds, maps of numbers hold floats, lists keep their order.
"""

from __future__ import annotations

import orjson

from assay.store.base import CommentWrite, WriteRequest
from tests.store.conftest import Env

VALUE = {
    "zebra": 1,
    "apple": {"z": [3, 2, 1], "a": None, "m": True},
    "int64": 9_223_372_036_854_775_807,
    "negative": -9_223_372_036_854_775_808,
    "float": 1.0,
    "big float": 1e16,
    "tiny": 1e-7,
    "precise": 0.1 + 0.2,
    "text": 'naïve \u2603 "quoted" \\ \n',
    "empty": {},
    "nested": [[[]], {"b": 2, "a": 1}],
}


def test_json_fields_read_back_byte_for_byte(env: Env) -> None:
    ref = env.experiment()
    env.write(ref, {"id": "a", "input": VALUE, "output": [VALUE, "x"], "metadata": VALUE, "expected": 0.5})
    row = env.rows(ref)["a"]
    for name, written in (("input", VALUE), ("output", [VALUE, "x"]), ("metadata", VALUE), ("expected", 0.5)):
        assert orjson.dumps(row[name]) == orjson.dumps(written), name
    assert isinstance(row["input"]["float"], float) and isinstance(row["input"]["big float"], float)
    assert list(row["metadata"]) == list(VALUE)


def test_json_scalars_at_the_top_level(env: Env) -> None:
    ref = env.experiment()
    values = {"s": "just text", "n": 42, "f": 2.5, "t": True, "l": [1, "a", None]}
    env.write(ref, *({"id": k, "input": v} for k, v in values.items()))
    rows = env.rows(ref)
    for k, v in values.items():
        assert orjson.dumps(rows[k]["input"]) == orjson.dumps(v)


def test_timestamps_are_utc_iso_with_microseconds(env: Env) -> None:
    ref = env.experiment()
    env.write(ref, {"id": "a", "created": "2025-03-04T05:06:07.123456-02:00"}, {"id": "b"})
    rows = env.rows(ref)
    assert rows["a"]["created"] == "2025-03-04T07:06:07.123456+00:00"
    assert rows["b"]["created"].endswith("+00:00")
    env.store.write(WriteRequest(comments=[CommentWrite(ref, "c", "a", {"comment": {"text": "x"}})]))
    assert env.rows(ref)["a"]["comments"][0]["created"].endswith("+00:00")


def test_maps_hold_floats_and_lists_keep_their_order(env: Env) -> None:
    ref = env.experiment()
    env.write(ref, {"id": "a", "scores": {"acc": 1, "f1": 0.25, "none": None}, "tags": ["z", "a", "m"]})
    row = env.rows(ref)["a"]
    assert row["scores"] == {"acc": 1.0, "f1": 0.25, "none": None}
    assert all(isinstance(v, float) for v in row["scores"].values() if v is not None)
    assert row["tags"] == ["z", "a", "m"]

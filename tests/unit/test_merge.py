"""Unit tests of the row write rules in `assay.model.merge` (braintrust-api.md §c.3)."""

from __future__ import annotations

from assay.model.merge import apply_write, deep_merge, user_fields


def test_replace_drops_fields_the_new_row_lacks_but_keeps_created() -> None:
    existing = {"id": "a", "created": "t0", "input": 1, "output": 2}
    assert apply_write(existing, {"id": "a", "input": 3}) == {"id": "a", "input": 3, "created": "t0"}


def test_replace_with_its_own_created_uses_it() -> None:
    assert apply_write({"created": "t0"}, {"created": "t1"}) == {"created": "t1"}


def test_merge_recurses_objects_and_overwrites_scalars_and_arrays() -> None:
    existing = {"metadata": {"a": {"x": 1, "y": 2}, "l": [1, 2]}, "output": "old"}
    incoming = {"_is_merge": True, "metadata": {"a": {"y": 3}, "l": [9]}, "output": {"new": True}}
    assert apply_write(existing, incoming) == {
        "metadata": {"a": {"x": 1, "y": 3}, "l": [9]},
        "output": {"new": True},
    }


def test_merge_object_over_scalar_and_scalar_over_object_replace() -> None:
    assert apply_write({"m": 1}, {"_is_merge": True, "m": {"a": 1}}) == {"m": {"a": 1}}
    assert apply_write({"m": {"a": 1}}, {"_is_merge": True, "m": 5}) == {"m": 5}


def test_merge_unions_top_level_tags_only() -> None:
    existing = {"tags": ["a", "b"], "metadata": {"tags": ["a"]}}
    incoming = {"_is_merge": True, "tags": ["b", "c"], "metadata": {"tags": ["z"]}}
    assert apply_write(existing, incoming) == {"tags": ["a", "b", "c"], "metadata": {"tags": ["z"]}}


def test_merge_paths_replace_at_the_path() -> None:
    existing = {"metadata": {"a": {"x": 1}, "b": {"x": 1}}, "tags": ["t"]}
    incoming = {
        "_is_merge": True,
        "_merge_paths": [["metadata", "a"], ["tags"]],
        "metadata": {"a": {"y": 2}, "b": {"y": 2}},
        "tags": ["u"],
    }
    assert apply_write(existing, incoming) == {
        "metadata": {"a": {"y": 2}, "b": {"x": 1, "y": 2}},
        "tags": ["u"],
    }


def test_merge_keeps_identity_fields() -> None:
    existing = {"span_id": "s", "root_span_id": "r", "span_parents": None, "created": "t0"}
    incoming = {
        "_is_merge": True,
        "span_id": "x",
        "root_span_id": "y",
        "span_parents": ["p"],
        "created": "t9",
    }
    assert apply_write(existing, incoming) == existing


def test_merge_into_nothing_inserts_the_fields() -> None:
    assert apply_write(None, {"_is_merge": True, "span_id": "s", "input": 1}) == {"span_id": "s", "input": 1}


def test_object_delete_wins() -> None:
    assert apply_write({"input": 1}, {"_object_delete": True, "input": 2}) is None
    assert apply_write(None, {"_object_delete": True}) is None


def test_array_delete_removes_listed_values_including_objects() -> None:
    existing = {"tags": ["a", "b"], "metadata": {"l": [{"k": 1, "j": 2}, 3]}}
    incoming = {
        "_is_merge": True,
        "_array_delete": [
            {"path": ["tags"], "delete": ["a", "missing"]},
            {"path": ["metadata", "l"], "delete": [{"j": 2, "k": 1}]},  # key order does not matter
            {"path": ["metadata", "nope"], "delete": [1]},  # unknown path: ignored
        ],
    }
    assert apply_write(existing, incoming) == {"tags": ["b"], "metadata": {"l": [3]}}


def test_control_keys_are_never_stored() -> None:
    incoming = {
        "_is_merge": False,
        "_audit_source": "external",
        "_xact_id": "1",
        "_parent_id": "p",
        "input": 1,
    }
    assert apply_write(None, incoming) == {"input": 1}
    assert user_fields(incoming) == {"input": 1}


def test_apply_write_does_not_mutate_its_inputs() -> None:
    existing = {"metadata": {"a": {"x": 1}}}
    incoming = {"_is_merge": True, "metadata": {"a": {"y": [1]}}}
    result = apply_write(existing, incoming)
    assert existing == {"metadata": {"a": {"x": 1}}}
    result["metadata"]["a"]["y"].append(2)  # type: ignore[index]
    assert incoming == {"_is_merge": True, "metadata": {"a": {"y": [1]}}}


def test_deep_merge_mutates_and_returns_the_target() -> None:
    into = {"a": {"b": 1}}
    assert deep_merge(into, {"a": {"c": 2}}, set()) is into
    assert into == {"a": {"b": 1, "c": 2}}

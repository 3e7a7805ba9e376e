"""Store contract: row writes (replace, merge, delete, replay), transaction ids, comments, reopen."""

from __future__ import annotations

import pytest

from assay.store import Store
from assay.store.base import CommentWrite, RowWrite, WriteRequest
from tests.store.conftest import Env, Opener

SPAN = {"span_id": "s1", "root_span_id": "r1", "span_parents": None, "created": "2025-01-01T00:00:00+00:00"}


def user_view(event: dict) -> dict:
    """The fields a test wrote, without server fields and nulls."""
    server = {"_xact_id", "_pagination_key", "is_root", "project_id", "experiment_id", "created"}
    return {k: v for k, v in event.items() if k not in server and v is not None}


def test_write_without_merge_replaces_the_row(env: Env) -> None:
    ref = env.experiment()
    env.write(ref, {"id": "a", **SPAN, "input": 1, "output": "x", "metadata": {"k": 1}})
    env.write(ref, {"id": "a", **SPAN, "input": 2})
    row = env.rows(ref)["a"]
    assert row["input"] == 2
    assert row.get("output") is None and row.get("metadata") is None


def test_merge_recurses_into_objects_and_overwrites_scalars_and_arrays(env: Env) -> None:
    ref = env.experiment()
    env.write(
        ref,
        {
            "id": "a",
            **SPAN,
            "input": {"q": "hi", "list": [1, 2]},
            "metadata": {"a": 1, "nested": {"x": 1, "y": 2}},
            "scores": {"acc": 0.5},
        },
    )
    env.write(
        ref,
        {
            "id": "a",
            "_is_merge": True,
            "input": {"list": [3]},
            "metadata": {"nested": {"y": 3}, "b": 2},
            "scores": {"f1": 1},
            "output": "done",
        },
    )
    row = env.rows(ref)["a"]
    assert row["input"] == {"q": "hi", "list": [3]}
    assert row["metadata"] == {"a": 1, "b": 2, "nested": {"x": 1, "y": 3}}
    assert row["scores"] == {"acc": 0.5, "f1": 1}
    assert row["output"] == "done"


def test_merge_unions_tags_as_a_set(env: Env) -> None:
    ref = env.experiment()
    env.write(ref, {"id": "a", **SPAN, "tags": ["x", "y"]})
    env.write(ref, {"id": "a", "_is_merge": True, "tags": ["y", "z"]})
    assert env.rows(ref)["a"]["tags"] == ["x", "y", "z"]


def test_merge_paths_stop_recursion(env: Env) -> None:
    ref = env.experiment()
    env.write(ref, {"id": "a", **SPAN, "metadata": {"cfg": {"a": 1, "b": 2}, "keep": True}, "tags": ["x"]})
    env.write(
        ref,
        {
            "id": "a",
            "_is_merge": True,
            "_merge_paths": [["metadata", "cfg"], ["tags"]],
            "metadata": {"cfg": {"c": 3}},
            "tags": ["y"],
        },
    )
    row = env.rows(ref)["a"]
    assert row["metadata"] == {"cfg": {"c": 3}, "keep": True}
    assert row["tags"] == ["y"]


def test_merge_keeps_identity_fields(env: Env) -> None:
    ref = env.experiment()
    env.write(ref, {"id": "a", **SPAN})
    env.write(
        ref,
        {
            "id": "a",
            "_is_merge": True,
            "span_id": "other",
            "root_span_id": "other-root",
            "span_parents": ["p"],
            "created": "2030-01-01T00:00:00+00:00",
            "output": 1,
        },
    )
    row = env.rows(ref)["a"]
    assert (row["span_id"], row["root_span_id"], row["span_parents"]) == ("s1", "r1", None)
    assert row["created"].startswith("2025-01-01T00:00:00")
    assert row["is_root"] is True and row["output"] == 1


def test_merge_without_an_existing_row_inserts_it(env: Env) -> None:
    ref = env.experiment()
    env.write(ref, {"id": "new", "_is_merge": True, **SPAN, "input": "x"})
    assert env.rows(ref)["new"]["input"] == "x"


def test_array_delete_removes_values(env: Env) -> None:
    ref = env.experiment()
    env.write(ref, {"id": "a", **SPAN, "tags": ["x", "y", "z"], "metadata": {"l": [1, {"o": 1}, 2]}})
    env.write(
        ref,
        {
            "id": "a",
            "_is_merge": True,
            "_array_delete": [
                {"path": ["tags"], "delete": ["y"]},
                {"path": ["metadata", "l"], "delete": [{"o": 1}]},
            ],
        },
    )
    row = env.rows(ref)["a"]
    assert row["tags"] == ["x", "z"]
    assert row["metadata"] == {"l": [1, 2]}


def test_object_delete_removes_the_row(env: Env) -> None:
    ref = env.experiment()
    env.write(ref, {"id": "a", **SPAN}, {"id": "b", **SPAN, "span_id": "s2", "span_parents": ["s1"]})
    result = env.write(ref, {"id": "b", "_object_delete": True})
    assert result.xact_id is not None
    assert set(env.rows(ref)) == {"a"}
    assert env.store.count_rows(ref) == 1


def test_delete_of_an_unknown_row_changes_nothing(env: Env) -> None:
    ref = env.experiment()
    result = env.write(ref, {"id": "ghost", "_object_delete": True})
    assert result.xact_id is None and result.changed_rows == 0
    assert env.store.max_xact_id(ref) is None


def test_replayed_request_changes_nothing(env: Env) -> None:
    ref = env.experiment()
    rows = [
        {"id": "a", **SPAN, "input": {"q": 1}, "scores": {"s": 1}, "metrics": {"start": 1.5}, "tags": ["t"]},
        {"id": "b", "_is_merge": True, "input": "merge-only"},
        {"id": "c", "input": "no identity fields"},
        {"id": "a", "_is_merge": True, "output": "later", "metadata": {"m": [1, 2]}},
    ]
    first = env.write(ref, *rows)
    assert first.xact_id is not None and first.changed_rows == 3  # distinct rows
    before = env.rows(ref)
    again = env.write(ref, *rows)
    assert again.xact_id is None and again.changed_rows == 0
    assert env.rows(ref) == before
    assert env.store.max_xact_id(ref) == first.xact_id


def test_server_fills_span_ids_and_created_when_absent(env: Env) -> None:
    ref = env.experiment()
    env.write(ref, {"id": "a", "input": 1})
    row = env.rows(ref)["a"]
    assert row["span_id"] == "a" and row["root_span_id"] == "a" and row["is_root"] is True
    assert row["created"]


def test_xact_ids_are_19_digit_increasing_and_shared_by_a_request(env: Env) -> None:
    ref = env.experiment()
    other = env.experiment()
    seen = []
    for i in range(5):
        result = env.write(ref if i % 2 else other, {"id": f"a{i}", "input": i}, {"id": f"b{i}", "input": i})
        assert result.xact_id is not None and len(result.xact_id) == 19 and result.xact_id.isdigit()
        seen.append(result.xact_id)
    assert seen == sorted(seen) and len(set(seen)) == 5
    rows = env.rows(ref)
    assert rows["a1"]["_xact_id"] == rows["b1"]["_xact_id"] == seen[1]
    assert env.store.max_xact_id(ref) == seen[3]
    assert env.store.max_xact_id(other) == seen[4]


def test_merge_moves_the_row_to_the_latest_xact(env: Env) -> None:
    ref = env.experiment()
    env.write(ref, {"id": "a", **SPAN})
    later = env.write(ref, {"id": "a", "_is_merge": True, "output": 1})
    assert env.rows(ref)["a"]["_xact_id"] == later.xact_id


def test_a_request_commits_whole_or_not_at_all(env: Env) -> None:
    ref = env.experiment()
    env.write(ref, {"id": "a", "input": 1})
    bad = WriteRequest(
        rows=[
            RowWrite(ref, env.project["id"], "b", {"id": "b", "input": 2}),
            RowWrite(ref, env.project["id"], "c", {"id": "c", "created": "not a timestamp"}),
        ]
    )
    with pytest.raises(Exception):  # noqa: B017 - the backend's own error type
        env.store.write(bad)
    assert set(env.rows(ref)) == {"a"}
    # The store keeps working after a failed request.
    assert env.write(ref, {"id": "d", "input": 4}).xact_id is not None


def comment(env: Env, ref, cid: str, target: str, text: str) -> CommentWrite:  # type: ignore[no-untyped-def]
    return CommentWrite(ref, cid, target, {"comment": {"text": text}, "created": "2025-01-02T00:00:00+00:00"})


def test_comments_attach_to_their_target_and_are_idempotent(env: Env) -> None:
    ref = env.experiment()
    env.write(ref, {"id": "a", **SPAN})
    first = env.store.write(WriteRequest(comments=[comment(env, ref, "c1", "a", "nice")]))
    assert first.xact_id is not None
    again = env.store.write(WriteRequest(comments=[comment(env, ref, "c1", "a", "nice")]))
    assert again.xact_id is None
    rows = env.rows(ref)
    assert set(rows) == {"a"}  # never a row of its own
    comments = rows["a"]["comments"]
    assert [(c["id"], c["comment"]) for c in comments] == [("c1", {"text": "nice"})]
    assert env.store.count_rows(ref) == 1


def test_xact_ids_keep_increasing_after_reopen(open_backend: Opener) -> None:
    db = open_backend()
    env = Env(db)
    ref = env.experiment()
    env.write(ref, {"id": "a", **SPAN, "input": 1})
    last = db.write(WriteRequest(comments=[comment(env, ref, "c1", "a", "x")])).xact_id
    db.close()
    db = open_backend()
    try:
        env2 = Env(db)
        nxt = env2.write(ref, {"id": "b", "input": 2}).xact_id
        assert last is not None and nxt is not None and nxt > last
    finally:
        db.close()


def test_rows_survive_close_and_reopen(open_backend: Opener) -> None:
    db = open_backend()
    env = Env(db)
    ref = env.experiment()
    env.write(ref, {"id": "a", **SPAN, "input": {"x": [1, "two"]}, "scores": {"s": 0.25}, "tags": ["t"]})
    before = env.rows(ref)
    db.close()
    db = open_backend()
    try:
        assert Env(db).rows(ref) == before
    finally:
        db.close()


def test_rows_of_two_objects_do_not_mix(store: Store, env: Env) -> None:
    a, b = env.experiment(), env.experiment()
    env.write(a, {"id": "same", "input": "in a"})
    env.write(b, {"id": "same", "input": "in b"})
    assert env.rows(a)["same"]["input"] == "in a"
    assert env.rows(b)["same"]["input"] == "in b"
    assert store.count_rows(a) == store.count_rows(b) == 1


def test_replay_with_a_non_utc_created_changes_nothing(env: Env) -> None:
    ref = env.experiment()
    row = {"id": "a", **SPAN, "created": "2025-01-01T02:00:00+02:00", "input": 1}
    assert env.write(ref, row).xact_id is not None
    assert env.write(ref, row).xact_id is None
    assert env.rows(ref)["a"]["created"] == "2025-01-01T00:00:00+00:00"


def test_replay_with_fractional_seconds_changes_nothing(env: Env) -> None:
    ref = env.experiment()
    row = {"id": "a", **SPAN, "created": "2025-01-01T00:00:00.5+00:00", "input": 1}
    assert env.write(ref, row).xact_id is not None
    assert env.write(ref, row).xact_id is None


def test_concurrent_requests_merging_into_each_others_rows(store: Store, env: Env) -> None:
    """Requests committed in one group see each other's rows: merges land on the right row."""
    import threading

    ref = env.experiment()
    env.write(ref, *({"id": f"r{i}", "input": i, "tags": ["base"]} for i in range(8)))

    def merge(t: int) -> None:
        for n in range(10):
            rows = [
                {"id": f"r{i}", "_is_merge": True, "metadata": {f"t{t}": n}, "tags": [f"t{t}"]}
                for i in range(8)
            ]
            env.write(ref, *rows)
            env.write(ref, {"id": f"new-{t}-{n}", "input": n})

    threads = [threading.Thread(target=merge, args=(t,)) for t in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = env.rows(ref)
    assert len(rows) == 8 + 60
    for i in range(8):
        assert rows[f"r{i}"]["metadata"] == {f"t{t}": 9 for t in range(6)}
        assert sorted(rows[f"r{i}"]["tags"]) == sorted(["base", *(f"t{t}" for t in range(6))])
        assert rows[f"r{i}"]["input"] == i


def test_a_deleted_row_can_be_written_again(env: Env) -> None:
    ref = env.experiment()
    env.write(ref, {"id": "a", **SPAN, "input": 1})
    env.write(ref, {"id": "a", "_object_delete": True})
    env.write(ref, {"id": "a", "_is_merge": True, **SPAN, "input": 2})
    assert env.rows(ref)["a"]["input"] == 2
    env.write(ref, {"id": "a", "_is_merge": True, "output": 3})
    assert (env.rows(ref)["a"]["input"], env.rows(ref)["a"]["output"]) == (2, 3)
    assert env.store.count_rows(ref) == 1

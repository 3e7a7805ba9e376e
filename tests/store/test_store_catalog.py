"""Store contract: organizations and catalog objects."""

from __future__ import annotations

import uuid

import pytest

from assay.model.errors import Conflict
from assay.store import Store
from tests.store.conftest import Env, Opener


def test_ensure_org_creates_once_and_returns_the_same_org(store: Store) -> None:
    first = store.ensure_org("acme")
    again = store.ensure_org("acme")
    assert again.id == first.id
    assert store.get_org(first.id) == first
    assert [o.name for o in store.list_orgs()].count("acme") == 1
    assert store.get_org("no-such-org") is None


def test_create_object_returns_existing_by_name(env: Env) -> None:
    exp = env.create("experiment", "baseline")
    doc = {"id": str(uuid.uuid4()), "name": "baseline", "created": "2025-01-01T00:00:00+00:00"}
    again, created = env.store.create_object("experiment", {**doc, "project_id": env.project["id"]})
    assert not created
    assert again["id"] == exp["id"]
    assert env.store.get_object("experiment", doc["id"]) is None


def test_same_name_in_another_project_is_another_object(env: Env) -> None:
    other = env.create("project", "other")
    a = env.create("experiment", "same")
    b = env.create("experiment", "same", project_id=other["id"])
    assert a["id"] != b["id"]


def test_rename_picks_the_first_free_suffix(env: Env) -> None:
    env.create("experiment", "run")
    names = []
    for _ in range(2):
        doc = {"id": str(uuid.uuid4()), "name": "run", "created": "2025-01-01T00:00:00+00:00"}
        made, created = env.store.create_object(
            "experiment", {**doc, "project_id": env.project["id"]}, if_exists="rename"
        )
        assert created
        names.append(made["name"])
    assert names == ["run-1", "run-2"]
    listed = {o["name"] for o in env.store.list_objects("experiment", project_id=env.project["id"])}
    assert listed == {"run", "run-1", "run-2"}


def test_soft_delete_hides_from_list_but_get_still_finds_it(env: Env) -> None:
    exp = env.create("experiment", "doomed")
    env.store.update_object("experiment", {**exp, "deleted_at": "2025-01-02T00:00:00+00:00"})
    assert env.store.list_objects("experiment", project_id=env.project["id"]) == []
    got = env.store.get_object("experiment", exp["id"])
    assert got is not None and got["deleted_at"]
    # The name is free again once the holder is deleted.
    fresh = env.create("experiment", "doomed")
    assert fresh["id"] != exp["id"]


def test_update_replaces_the_document_and_keeps_names_unique(env: Env) -> None:
    a = env.create("experiment", "a")
    b = env.create("experiment", "b")
    updated = env.store.update_object("experiment", {**a, "name": "a2", "description": "new"})
    assert env.store.get_object("experiment", a["id"]) == updated
    assert updated["description"] == "new"
    with pytest.raises(Conflict):
        env.store.update_object("experiment", {**b, "name": "a2"})
    assert env.store.get_object("experiment", b["id"])["name"] == "b"  # type: ignore[index]


def test_list_filters_and_orders_newest_first(env: Env) -> None:
    old = env.create("experiment", "old", created="2025-01-01T00:00:00+00:00")
    new = env.create("experiment", "new", created="2025-06-01T00:00:00+00:00")
    listed = env.store.list_objects("experiment", project_id=env.project["id"])
    assert [o["id"] for o in listed] == [new["id"], old["id"]]
    assert [o["id"] for o in env.store.list_objects("experiment", name="old")] == [old["id"]]
    assert [o["id"] for o in env.store.list_objects("experiment", ids=[new["id"]])] == [new["id"]]
    assert [o["id"] for o in env.store.list_objects("project", org_id=env.org.id)] == [env.project["id"]]


def test_catalog_survives_close_and_reopen(open_backend: Opener) -> None:
    db = open_backend()
    env = Env(db)
    exp = env.create("experiment", "kept")
    db.people.add_api_key(env.org.id, "u", "k", "hash-kept", "sk-…")
    db.close()
    db = open_backend()
    try:
        assert db.get_object("experiment", exp["id"]) == exp
        assert db.people.find_api_key("hash-kept") is not None
        assert db.ensure_org("conformance").id == env.org.id
    finally:
        db.close()


def test_a_shared_secret_is_made_once_for_every_server_of_the_database(open_backend: Opener) -> None:
    db = open_backend()
    first = db.shared_secret("signing.key")
    assert db.shared_secret("other") != first or first is None
    db.close()
    db = open_backend()
    try:
        again = db.shared_secret("signing.key")
    finally:
        db.close()
    assert again == first
    assert first is None or len(first) >= 32  # None: one process owns the database (DuckDB)


def test_the_change_count_moves_with_every_write_but_row_data(env: Env, db_backend: str) -> None:
    """What authentication reuses (`services/change_cache.py`) must be read again after a change
    to people, keys, access rules or the catalog; rows are written far too often to count."""
    store = env.store
    if db_backend != "duckdb":
        assert store.change_count() is None  # other servers may write: nothing read is reused
        return
    ref = env.experiment()
    before = store.change_count()
    env.write(ref, {"id": "a", "input": 1})
    env.write(ref, {"id": "a", "_is_merge": True, "output": 2})
    assert store.change_count() == before
    env.create("experiment", "another")
    after_create = store.change_count()
    assert after_create is not None and after_create != before
    store.people.create_user("someone@example.test", "Someone")
    assert store.change_count() != after_create

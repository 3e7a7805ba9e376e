"""Store contract: people (users, members, keys, sessions, links) and records (groups, roles, ACLs,
views, default views)."""

from __future__ import annotations

import uuid

import pytest

from assay.model.errors import Conflict
from assay.model.people import Session, SignInLink
from assay.store import Store


def test_a_new_organization_has_the_builtin_groups_and_their_grants(store: Store) -> None:
    org = store.ensure_org("acme")
    groups = {g["name"]: g for g in store.records.list_of("group", org.id)}
    assert sorted(groups) == ["Engineers", "Owners", "Viewers"]
    acls = {a["group_id"]: a for a in store.records.list_of("acl", org.id)}
    assert acls[groups["Owners"]["id"]]["object_type"] == "organization"
    assert acls[groups["Engineers"]["id"]]["object_type"] == "org_project"
    assert {a["_object_org_id"] for a in acls.values()} == {org.id}
    store.ensure_org("acme")  # again: nothing doubles
    assert len(store.records.list_of("group", org.id)) == 3


def test_emails_are_unique_whatever_their_case(store: Store) -> None:
    user = store.people.create_user("Ada@Example.com", "Ada")
    with pytest.raises(Conflict):
        store.people.create_user("ada@example.COM", "Other")
    assert store.people.find_user("ADA@example.com") == user
    other = store.people.create_user("bob@example.com", "Bob")
    with pytest.raises(Conflict):
        store.people.update_user(other.id, email="ADA@example.com")
    renamed = store.people.update_user(other.id, name="Robert", password_hash="h")
    assert (renamed.name, renamed.password_hash, renamed.email) == ("Robert", "h", "bob@example.com")


def test_removing_a_member_takes_their_groups_grants_and_keys_in_that_org_only(store: Store) -> None:
    acme, other = store.ensure_org("acme"), store.ensure_org("other")
    user = store.people.create_user("ada@example.com", "Ada")
    viewers = next(g["id"] for g in store.records.list_of("group", acme.id) if g["name"] == "Viewers")
    store.people.add_member(acme.id, user.id, [viewers])
    store.people.add_member(acme.id, user.id, [viewers])  # idempotent
    store.people.add_member(other.id, user.id, [])
    assert [o.name for o in store.people.memberships(user.id)] == ["acme", "other"]
    acl = {"id": str(uuid.uuid4()), "object_type": "project", "object_id": "p", "user_id": user.id}
    store.records.put("acl", acme.id, "p", "k", acl, "return")
    store.people.add_api_key(acme.id, user.id, "ci", "hash-acme", "sk-…")
    store.people.add_api_key(other.id, user.id, "ci", "hash-other", "sk-…")
    group = next(g for g in store.records.list_of("group", acme.id) if g["id"] == viewers)
    assert group["member_users"] == [user.id]

    assert store.people.remove_member(acme.id, user.id)
    assert not store.people.remove_member(acme.id, user.id)
    assert [o.name for o in store.people.memberships(user.id)] == ["other"]
    group = next(g for g in store.records.list_of("group", acme.id) if g["id"] == viewers)
    assert group["member_users"] == []
    assert store.records.list_of("acl", acme.id, "p") == []
    assert store.people.find_api_key("hash-acme") is None
    assert store.people.find_api_key("hash-other") is not None


def test_api_keys_are_found_by_hash_listed_per_user_and_revoked(store: Store) -> None:
    org = store.ensure_org("acme")
    key = store.people.add_api_key(org.id, "u1", "ci", "hash-abc", "sk-assay-abcd…")
    store.people.add_api_key(org.id, "u2", "other", "hash-def", "sk-assay-defg…")
    found = store.people.find_api_key("hash-abc")
    assert found == key and found.user_id == "u1"
    assert store.people.find_api_key("hash-other") is None
    assert [k.name for k in store.people.list_api_keys(org.id, "u1")] == ["ci"]
    assert len(store.people.list_api_keys(org.id)) == 2
    assert store.people.delete_api_key(key.id)
    assert store.people.find_api_key("hash-abc") is None
    assert not store.people.delete_api_key(key.id)


def test_sessions_end_one_at_a_time_or_all_at_once(store: Store) -> None:
    for sid, user in (("s1", "u1"), ("s2", "u1"), ("s3", "u2")):
        store.people.create_session(Session(sid, user, "csrf", "2025-01-01", "2099-01-01", "2025-01-01"))
    store.people.touch_session("s1", "2025-02-01", "2099-02-01")
    assert store.people.get_session("s1") == Session(
        "s1", "u1", "csrf", "2025-01-01", "2099-02-01", "2025-02-01"
    )
    assert store.people.delete_sessions("u1", "s1") == 1
    assert store.people.get_session("s1") is None and store.people.get_session("s2") is not None
    assert store.people.delete_sessions("u1") == 1
    assert store.people.get_session("s2") is None and store.people.get_session("s3") is not None


def test_a_link_works_once_and_not_after_it_expires(store: Store) -> None:
    store.people.create_link(SignInLink("t1", "u", "o", "invite", "2025-01-01T00:00", "2025-01-02T00:00"))
    assert not store.people.use_link("t1", "2025-01-03T00:00")  # expired
    assert store.people.use_link("t1", "2025-01-01T12:00")
    assert not store.people.use_link("t1", "2025-01-01T12:01")
    assert store.people.get_link("t1").used == "2025-01-01T12:00"  # type: ignore[union-attr]
    assert not store.people.use_link("unknown", "2025-01-01T12:00")


def _view(name: str) -> dict[str, object]:
    return {
        "id": str(uuid.uuid4()),
        "name": name,
        "created": "2025-01-01T00:00:00+00:00",
        "options": {"a": 1},
    }


def test_records_with_the_same_key_are_returned_replaced_or_refused(store: Store) -> None:
    org = store.ensure_org("acme")
    first, created = store.records.put("view", org.id, "p1", "k", _view("v"), "return")
    assert created
    again, created = store.records.put(
        "view", org.id, "p1", "k", {**_view("v"), "options": {"b": 2}}, "return"
    )
    assert not created and again == first
    replaced, created = store.records.put(
        "view", org.id, "p1", "k", {**_view("v"), "options": {"b": 2}}, "replace"
    )
    assert not created and replaced["id"] == first["id"] and replaced["options"] == {"b": 2}
    with pytest.raises(Conflict):
        store.records.put("view", org.id, "p1", "k", _view("v"), "error")
    other, _ = store.records.put("view", org.id, "p1", "k2", _view("w"), "return")
    with pytest.raises(Conflict):
        store.records.update("view", other["id"], "k", {**other, "name": "v"})
    assert sorted(d["name"] for d in store.records.list_of("view", org.id, "p1")) == ["v", "w"]
    assert store.records.list_of("view", org.id, "p2") == []
    assert store.records.get("view", first["id"]).doc["options"] == {"b": 2}  # type: ignore[union-attr]


def test_one_kind_of_default_per_view_and_deleting_a_view_clears_its_defaults(store: Store) -> None:
    org = store.ensure_org("acme")
    view, _ = store.records.put("view", org.id, "p1", "k", _view("v"), "return")
    store.records.set_default(org.id, "organization", org.id, "experiment", view["id"])
    assert store.records.get_default("organization", org.id, "experiment") == view["id"]
    store.records.set_default(org.id, "project", "p1", "experiment", view["id"])
    assert store.records.get_default("project", "p1", "experiment") == view["id"]
    assert store.records.get_default("organization", org.id, "experiment") is None  # cleared
    assert store.records.get_default("project", "p1", "experiments") is None  # per page
    store.records.clear_default("project", "p1", "experiment")
    assert store.records.get_default("project", "p1", "experiment") is None
    store.records.set_default(org.id, "project", "p1", "experiment", view["id"])
    assert store.records.delete("view", view["id"]) == view
    assert store.records.get_default("project", "p1", "experiment") is None
    assert store.records.delete("view", view["id"]) is None

"""The access policy's decisions as the reference describes them: grants inherit downward, only
add, can be narrowed to one object type, and come through groups and roles."""

from __future__ import annotations

from assay.model.access import ENGINEER_ROLE, OWNER_ROLE, VIEWER_ROLE, Grant
from assay.services.access import _role_permissions, decide, user_groups
from assay.services.auth import Resource

ORG = "org-1"
project = Resource("project", "p1", ORG, "p1")
other_project = Resource("project", "p2", ORG, "p2")
experiment = Resource("experiment", "e1", ORG, "p1")
dataset = Resource("dataset", "d1", ORG, "p1")
logs = Resource("project_logs", "p1", ORG, "p1")
view = Resource("view", "v1", ORG, "p1")
org = Resource("org", ORG, ORG)
member = Resource("member", ORG, ORG)


def grants(*items: tuple[str, str, str, str | None]) -> frozenset[Grant]:
    return frozenset(Grant(t, i, p, r) for t, i, p, r in items)  # type: ignore[arg-type]


def test_a_project_grant_covers_everything_in_that_project_only() -> None:
    g = grants(("project", "p1", "read", None))
    assert all(decide(g, "read", r) for r in (project, experiment, dataset, logs, view))
    assert not decide(g, "read", other_project)
    assert not decide(g, "update", experiment)


def test_all_projects_grants_cover_every_project_but_not_the_organization_settings() -> None:
    g = grants(("org_project", ORG, "update", None))
    assert (
        decide(g, "update", project) and decide(g, "update", other_project) and decide(g, "update", dataset)
    )
    assert not decide(g, "update", org)  # manage settings is a grant on the organization itself


def test_restricting_a_grant_narrows_it_to_one_object_type() -> None:
    g = grants(("project", "p1", "update", "experiment"))
    assert decide(g, "update", experiment)
    assert not decide(g, "update", dataset) and not decide(g, "update", project)


def test_an_object_grant_does_not_reach_its_siblings_or_its_project() -> None:
    g = grants(("experiment", "e1", "read", None))
    assert decide(g, "read", experiment)
    assert not decide(g, "read", Resource("experiment", "e2", ORG, "p1"))
    assert not decide(g, "read", project)


def test_saving_a_view_needs_project_update_and_seeing_it_project_read() -> None:
    reader = grants(("project", "p1", "read", None))
    assert decide(reader, "read", view) and not decide(reader, "create", view)
    assert decide(grants(("project", "p1", "update", None)), "create", view)


def test_organization_permissions() -> None:
    settings = grants(("organization", ORG, "update", "organization"))
    assert decide(settings, "update", org) and not decide(settings, "update", project)
    invite = grants(("organization", ORG, "create", "org_member"))
    assert decide(invite, "create", member) and not decide(invite, "delete", member)
    assert not decide(invite, "create", org)  # creating projects is another permission
    creator = grants(("org_project", ORG, "create", None))
    assert decide(creator, "create", org)
    access = grants(("organization", ORG, "update_acls", None))
    assert decide(access, "manage", project) and decide(access, "manage", org)


def test_being_a_member_is_enough_to_see_the_organization_and_nothing_else() -> None:
    nothing: frozenset[Grant] = frozenset()
    assert decide(nothing, "read", org) and decide(nothing, "read", member)
    assert not decide(nothing, "read", project) and not decide(nothing, "create", org)


def test_system_roles_and_inherited_roles_expand_to_their_permissions() -> None:
    assert {p for p, _ in _role_permissions(OWNER_ROLE.id, {}, set())} >= {"read", "update_acls"}
    assert {p for p, _ in _role_permissions(VIEWER_ROLE.id, {}, set())} == {"read"}
    roles = {
        "r1": {
            "id": "r1",
            "member_permissions": [{"permission": "delete", "restrict_object_type": "dataset"}],
            "member_roles": [ENGINEER_ROLE.id, "r2"],
        },
        "r2": {"id": "r2", "member_permissions": [], "member_roles": ["r1"]},  # a cycle ends
    }
    found = set(_role_permissions("r1", roles, set()))
    assert ("delete", "dataset") in found and ("update", None) in found


def test_groups_inherit_the_members_of_their_member_groups() -> None:
    groups = [
        {"id": "a", "member_users": ["u1"], "member_groups": []},
        {"id": "b", "member_users": [], "member_groups": ["a"]},
        {"id": "c", "member_users": [], "member_groups": ["b"]},
        {"id": "d", "member_users": ["u2"], "member_groups": []},
    ]
    assert user_groups(groups, "u1") == {"a", "b", "c"}
    assert user_groups(groups, "u3") == set()

"""Saved views and default views, as people use them; and the reference page's recipe for copying a
view to another project, run with curl."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.browser.conftest import Demo, fill_link_form

pytestmark = pytest.mark.browser
_n = itertools.count()
MATH = "metadata.category = 'math'"


def make_project(demo: Demo, name: str) -> tuple[str, str]:
    """A project with one experiment of six traces (two categories), made through the API."""
    pid = demo.post("/v1/project", {"name": name})["id"]
    eid = demo.post("/v1/experiment", {"project_id": pid, "name": "exp"})["id"]
    rows = [
        {
            "id": f"r{i}",
            "input": f"q{i}",
            "output": "a",
            "scores": {"acc": i / 5},
            "metadata": {"category": "math" if i % 2 else "text"},
        }
        for i in range(6)
    ]
    demo.post(f"/v1/experiment/{eid}/insert", {"events": rows})
    return pid, eid


@pytest.fixture(scope="module")
def views_project(demo: Demo) -> Iterator[str]:
    pid, _ = make_project(demo, "views")
    yield pid
    for scope in ("project", "organization"):  # leave no default behind for other tests
        for view_type in ("experiment", "experiments"):
            httpx.request(
                "DELETE",
                demo.url + "/v1/view_default",
                headers=demo.headers,
                json={"object_type": "project", "object_id": pid, "view_type": view_type, "scope": scope},
            )


def member(browser: Any, demo: Demo, group: str) -> Any:
    """A new member of `group` who signed in with their invitation link; their page."""
    email = f"{group.lower()}-{next(_n)}@example.com"
    res = httpx.patch(
        demo.url + "/v1/organization/members",
        json={"invite_users": {"emails": [email], "group_name": group}},
        headers=demo.headers,
    )
    link = res.json()["invitations"][0]["link"]
    page = browser.new_context(viewport={"width": 1600, "height": 1400}).new_page()
    fill_link_form(page, link, "a member's password", name=f"{group} {next(_n)}")
    return page


def exp_url(demo: Demo, project: str = "views", query: str = "") -> str:
    return f"{demo.url}/app/local/p/{project}/experiments/exp" + (f"?{query}" if query else "")


def open_views(page: Any) -> None:
    page.get_by_role("button", name="Views").click()
    page.get_by_role("menu").wait_for()


def save_as(page: Any, name: str) -> None:
    open_views(page)
    page.get_by_role("menuitem", name="Save view as…").click()
    page.get_by_label("View name").fill(name)
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("dialog").wait_for(state="hidden")


def chips(page: Any) -> list[str]:
    found: list[str] = page.locator("ul[aria-label='Active filters'] code").all_inner_texts()
    return found


def wait_table(page: Any) -> None:
    page.locator(".table-footer").first.wait_for()


def test_a_viewer_cannot_save_a_view_and_sees_why(browser, demo, views_project):
    page = member(browser, demo, "Viewers")
    page.goto(exp_url(demo))
    wait_table(page)
    open_views(page)
    item = page.get_by_role("menuitem", name="Save view as…")
    assert item.get_attribute("aria-disabled") == "true"
    note = page.get_by_role("note")
    assert "needs the Update permission on this project" in note.inner_text()
    page.context.close()


def test_an_engineer_saves_a_view_that_another_member_sees(browser, demo, views_project):
    engineer = member(browser, demo, "Engineers")
    engineer.goto(exp_url(demo, query=f"f={json.dumps([MATH])}&rh=tall"))
    wait_table(engineer)
    save_as(engineer, "Math, tall rows")
    assert "view=" in engineer.url
    viewer = member(browser, demo, "Viewers")
    viewer.goto(exp_url(demo))
    wait_table(viewer)
    open_views(viewer)
    viewer.get_by_role("menuitem", name="Math, tall rows").click()
    viewer.locator("ul[aria-label='Active filters']").wait_for()
    assert chips(viewer) == [MATH]
    assert "rh=tall" in viewer.url
    engineer.context.close()
    viewer.context.close()


def test_save_view_as_makes_a_copy_and_save_view_changes_only_the_chosen_one(page, demo, views_project):
    page.goto(exp_url(demo, query=f"f={json.dumps([MATH])}"))
    wait_table(page)
    save_as(page, "Original")
    page.get_by_role("searchbox", name="Search rows").fill("q1")
    page.get_by_role("searchbox", name="Search rows").press("Enter")
    save_as(page, "Copy")
    views = {
        v["name"]: v
        for v in demo.get("/v1/view", object_type="project", object_id=views_project, view_type="experiment")[
            "objects"
        ]
    }
    assert views["Original"]["view_data"]["search"]["match"] is None
    assert views["Copy"]["view_data"]["search"]["match"] == ["q1"]
    assert views["Copy"]["id"] != views["Original"]["id"]
    page.get_by_role("searchbox", name="Search rows").fill("q3")
    page.get_by_role("searchbox", name="Search rows").press("Enter")
    open_views(page)  # "Copy" is chosen: Save view… changes it, not the original
    page.get_by_role("menuitem", name="Save view…").click()
    page.locator(".toast-title").filter(has_text="Saved the view “Copy”").nth(1).wait_for()
    views = {
        v["name"]: v
        for v in demo.get("/v1/view", object_type="project", object_id=views_project, view_type="experiment")[
            "objects"
        ]
    }
    assert views["Copy"]["view_data"]["search"]["match"] == ["q3"]
    assert views["Original"]["view_data"]["search"]["match"] is None


def _api_view(demo: Demo, project: str, name: str, filters: list[str]) -> dict[str, Any]:
    body = {
        "object_type": "project",
        "object_id": project,
        "view_type": "experiment",
        "name": name,
        "view_data": {"search": {"filter": filters}},
        "options": {"layout": "list"},
    }
    return demo.post("/v1/view", body)


def _fresh(page: Any, demo: Demo) -> None:
    """Open the experiment as a new visit (nothing chosen in the URL), wait for the default."""
    page.goto(exp_url(demo))
    wait_table(page)
    page.get_by_role("button", name="Views").wait_for()
    page.wait_for_function("() => !document.querySelector('.toolbar button[disabled][aria-label=Views]')")


def test_defaults_follow_personal_then_project_then_organization(page, demo, views_project):
    org_view = _api_view(demo, views_project, "Org view", ["scores.acc > 0.5"])
    project_view = _api_view(demo, views_project, "Project view", [MATH])
    page.goto(exp_url(demo, query=f"view={org_view['id']}"))
    wait_table(page)
    open_views(page)
    page.get_by_role("menuitem", name="Org view").click()
    open_views(page)
    page.get_by_role("menuitem", name="Set as organization default view").click()
    open_views(page)
    page.get_by_role("menuitem", name="Project view").click()
    open_views(page)
    page.get_by_role("menuitem", name="Set as project default view").click()
    page.keyboard.press("Escape")

    _fresh(page, demo)  # project before organization
    page.wait_for_url(f"**view={project_view['id']}**")
    assert chips(page) == [MATH]
    page.reload()  # the URL is the state: a reload keeps the view
    wait_table(page)
    assert chips(page) == [MATH]

    open_views(page)
    page.get_by_role("menuitem", name="Clear project default view").click()
    page.keyboard.press("Escape")
    _fresh(page, demo)  # then the organization's
    page.wait_for_url(f"**view={org_view['id']}**")
    assert chips(page) == ["scores.acc > 0.5"]

    open_views(page)
    page.get_by_role("menuitem", name="Errors", exact=True).click()
    open_views(page)
    page.get_by_role("menuitem", name="Set as personal default view").click()
    page.keyboard.press("Escape")
    _fresh(page, demo)  # a personal default comes first (kept in this browser)
    page.wait_for_url("**view=errors**")
    page.reload()
    page.wait_for_url("**view=errors**")
    other = page.context.browser.new_context().new_page()  # another browser has no personal default
    other.context.add_cookies(page.context.cookies())
    _fresh(other, demo)
    other.wait_for_url(f"**view={org_view['id']}**")
    other.context.close()


def test_the_duplicate_a_view_recipe_runs_with_curl(demo, browser, page, views_project):
    """The seed page's steps, verbatim: GET the source project's views, POST one into another."""
    if shutil.which("curl") is None:
        pytest.fail("curl is missing: run scripts/install-test-deps.sh")
    state = {
        "view_data": {
            "search": {
                "filter": [MATH],
                "tag": None,
                "match": None,
                "sort": [{"column": "scores.acc", "desc": True, "nulls_last": True}],
            }
        },
        "options": {
            "layout": "list",
            "rowHeight": "tall",
            "columnVisibility": {"output": False},
            "queryShape": "traces",
        },
    }
    source = demo.post(
        "/v1/view",
        {
            "object_type": "project",
            "object_id": views_project,
            "view_type": "experiment",
            "name": "To copy",
            **state,
        },
    )
    destination, _ = make_project(demo, f"copy-{uuid.uuid4().hex[:6]}")
    key = demo.server.key
    listed = subprocess.run(
        [
            "curl",
            "--silent",
            "--fail",
            "--request",
            "GET",
            "--url",
            f"{demo.url}/v1/view?object_type=project&object_id={views_project}&view_type=experiment",
            "--header",
            f"Authorization: Bearer {key}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = next(v for v in json.loads(listed.stdout)["objects"] if v["id"] == source["id"])
    payload = f"""
    {{
      "object_type": "project",
      "object_id": "{destination}",
      "view_type": "experiment",
      "name": "Copied",
      "view_data": {json.dumps(found["view_data"])},
      "options": {json.dumps(found["options"])}
    }}"""
    created = subprocess.run(
        [
            "curl",
            "--silent",
            "--fail",
            "--request",
            "POST",
            "--url",
            f"{demo.url}/v1/view",
            "--header",
            f"Authorization: Bearer {key}",
            "--header",
            "Content-Type: application/json",
            "--data",
            payload,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    copy = json.loads(created.stdout)
    assert copy["object_id"] == destination and copy["options"] == found["options"]

    name = demo.get(f"/v1/project/{destination}")["name"]
    page.goto(exp_url(demo, project=name, query=f"view={copy['id']}"))
    wait_table(page)
    open_views(page)
    page.get_by_role("menuitem", name="Copied").click()
    page.locator("ul[aria-label='Active filters']").wait_for()
    assert chips(page) == [MATH]
    for part in ("rh=tall", "hide=", "sort="):
        assert part in page.url


def test_the_experiments_list_has_saved_views_too(page, demo, views_project):
    page.goto(f"{demo.url}/app/local/p/views?search=ex&hide={json.dumps(['dataset'])}")
    page.locator("table[aria-label=Experiments] tbody tr[data-experiment]").first.wait_for()
    assert "Dataset" not in page.locator("table[aria-label=Experiments] thead").inner_text()
    save_as(page, "Without datasets")
    saved = demo.get("/v1/view", object_type="project", object_id=views_project, view_type="experiments")[
        "objects"
    ]
    mine = next(v for v in saved if v["name"] == "Without datasets")
    assert mine["view_data"]["search"]["match"] == ["ex"]
    assert mine["options"]["columnVisibility"] == {"dataset": False}
    page.goto(f"{demo.url}/app/local/p/views?view=default")
    page.locator("table[aria-label=Experiments] tbody tr[data-experiment]").first.wait_for()
    assert "Dataset" in page.locator("table[aria-label=Experiments] thead").inner_text()
    open_views(page)
    page.get_by_role("menuitem", name="Without datasets").click()
    page.wait_for_url("**search=ex**")
    assert "Dataset" not in page.locator("table[aria-label=Experiments] thead").inner_text()
    assert page.get_by_role("searchbox", name="Search experiments").input_value() == "ex"

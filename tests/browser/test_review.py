"""Human review as people do it in the web app: two reviewers score the same row and the average
shows; a row assigned to a member appears in their "Assigned to me" and not in another's;
"Unreviewed" hides a row as soon as it is reviewed; review mode by keyboard; review scores set up
on the settings page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.browser.conftest import Demo
from tests.browser.helpers import row_ids, wait_rows
from tests.browser.test_views import member

pytestmark = pytest.mark.browser
PROJECT = "reviewing"
ROWS = [f"rv{i}" for i in range(5)]


@pytest.fixture(scope="module")
def review_exp(demo: Demo) -> Iterator[dict[str, str]]:
    """A project with review scores `quality` (slider) and `verdict` (good / bad), and an
    experiment of five traces."""
    pid = demo.post("/v1/project", {"name": PROJECT})["id"]
    eid = demo.post("/v1/experiment", {"project_id": pid, "name": "exp"})["id"]
    demo.post(
        f"/v1/experiment/{eid}/insert",
        {"events": [{"id": r, "input": f"question {r}", "output": f"answer {r}"} for r in ROWS]},
    )
    demo.post(
        "/v1/project_score",
        {"project_id": pid, "name": "quality", "score_type": "slider", "description": "Is it **right**?"},
    )
    demo.post(
        "/v1/project_score",
        {
            "project_id": pid,
            "name": "verdict",
            "score_type": "categorical",
            "categories": [{"name": "good", "value": 1}, {"name": "bad", "value": 0}],
        },
    )
    yield {"project": pid, "experiment": eid}


@pytest.fixture(scope="module")
def reviewers(browser: Any, demo: Demo, review_exp: dict[str, str]) -> Iterator[list[Any]]:
    """Two engineers, each signed in with their invitation link."""
    pages = [member(browser, demo, "Engineers"), member(browser, demo, "Engineers")]
    yield pages
    for p in pages:
        p.context.close()


def exp_url(demo: Demo, query: str = "") -> str:
    return f"{demo.url}/app/local/p/{PROJECT}/experiments/exp" + (f"?{query}" if query else "")


def review_of(demo: Demo, eid: str, row: str) -> dict[str, Any]:
    return dict(demo.get(f"/v1/experiment/{eid}/review", id=row))


def open_row(page: Any, row: str) -> Any:
    page.locator(f".datatable [role=row][data-row-id='{row}']").click()
    panel = page.get_by_role("region", name="Human review")
    panel.get_by_text("quality", exact=True).wait_for()
    return panel


def choose_view(page: Any, name: str) -> None:
    page.get_by_role("button", name="Views").click()
    page.get_by_role("menuitem", name=name, exact=True).click()


def test_two_reviewers_score_the_same_row_and_the_average_shows(
    demo: Demo, review_exp: dict[str, str], reviewers: list[Any]
) -> None:
    first, second = reviewers
    for page, key in ((first, "End"), (second, "Home")):  # 100% and 0%, by keyboard
        page.goto(exp_url(demo))
        wait_rows(page, len(ROWS))
        panel = open_row(page, ROWS[0])
        slider = panel.get_by_label("Your quality")
        slider.focus()
        slider.press(key)
        panel.get_by_label("quality on the row").wait_for()
    combined = second.get_by_role("region", name="Human review").get_by_label("quality on the row")
    combined.filter(has_text="50% avg of 2").wait_for()
    state = review_of(demo, review_exp["experiment"], ROWS[0])
    assert state["values"]["quality"] == pytest.approx(0.5)
    assert sorted(r["values"]["quality"] for r in state["reviews"]) == [0.0, 1.0]
    # The first reviewer's own value stayed 100%: reviewers do not overwrite each other.
    first.reload()
    panel = open_row(first, ROWS[0])
    assert panel.get_by_label("Your quality").input_value() == "100"
    panel.get_by_text("1 other review").wait_for()


def test_a_row_assigned_to_a_member_is_in_their_assigned_to_me_only(
    page: Any, demo: Demo, review_exp: dict[str, str], reviewers: list[Any]
) -> None:
    first, second = reviewers
    name = first.evaluate("() => fetch('/api/session').then(r => r.json()).then(s => s.user.name)")
    page.goto(exp_url(demo))  # the owner assigns
    wait_rows(page, len(ROWS))
    page.get_by_label(f"Select row {ROWS[3]}").check()
    page.get_by_role("button", name="Assign 1").click()
    page.get_by_role("menuitem", name=name).click()
    page.get_by_text(f"Assigned 1 row to {name}", exact=True).wait_for()
    first.goto(exp_url(demo))
    wait_rows(first, len(ROWS))
    choose_view(first, "Assigned to me")
    wait_rows(first, 1)
    assert row_ids(first) == [ROWS[3]]
    second.goto(exp_url(demo))
    wait_rows(second, len(ROWS))
    choose_view(second, "Assigned to me")
    wait_rows(second, 0)


def test_unreviewed_hides_a_row_as_soon_as_it_is_reviewed(
    demo: Demo, review_exp: dict[str, str], reviewers: list[Any]
) -> None:
    page = reviewers[1]
    page.goto(exp_url(demo))
    wait_rows(page, len(ROWS))
    progress = demo.get(f"/v1/experiment/{review_exp['experiment']}/summarize")["review_progress"]
    choose_view(page, "Unreviewed")
    wait_rows(page, progress["total"] - progress["reviewed"])
    before = set(row_ids(page))
    assert ROWS[1] in before and ROWS[0] not in before  # rv0 has review scores already
    panel = open_row(page, ROWS[1])
    panel.get_by_role("radio", name="bad").click()
    wait_rows(page, len(before) - 1)
    assert set(row_ids(page)) == before - {ROWS[1]}
    page.get_by_label("Review progress").filter(
        has_text=f"Reviewed {len(ROWS) - len(before) + 1} / {len(ROWS)}"
    ).wait_for()


def test_review_mode_moves_and_completes_by_keyboard(
    demo: Demo, review_exp: dict[str, str], reviewers: list[Any]
) -> None:
    page = reviewers[0]
    page.goto(exp_url(demo))
    wait_rows(page, len(ROWS))
    progress = demo.get(f"/v1/experiment/{review_exp['experiment']}/summarize")["review_progress"]
    left = progress["total"] - progress["reviewed"]
    assert left >= 2
    choose_view(page, "Unreviewed")
    wait_rows(page, left)
    todo = row_ids(page)
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("r")
    mode = page.get_by_role("region", name="Review mode")
    mode.get_by_text(f"Row 1 of {len(todo)}").wait_for()
    body = mode.locator(".review-mode-body")
    assert body.get_attribute("data-row-id") == todo[0]
    page.keyboard.press("n")
    mode.get_by_text(f"Row 2 of {len(todo)}").wait_for()
    page.keyboard.press("p")
    mode.get_by_text(f"Row 1 of {len(todo)}").wait_for()
    page.keyboard.press("c")  # mark complete and continue
    mode.get_by_text(f"Row 2 of {len(todo)}").wait_for()
    assert body.get_attribute("data-row-id") == todo[1]
    assert review_of(demo, review_exp["experiment"], todo[0])["status"] == "COMPLETE"
    page.keyboard.press("Escape")
    choose_view(page, "Unreviewed")
    wait_rows(page, len(todo) - 1)
    assert todo[0] not in row_ids(page)


def test_review_scores_are_set_up_on_the_settings_page(
    page: Any, demo: Demo, review_exp: dict[str, str]
) -> None:
    page.goto(f"{demo.url}/app/local/p/{PROJECT}/settings/review")
    table = page.get_by_role("table", name="Review scores")
    table.locator("tr[data-review-score=quality]").get_by_text("Slider", exact=False).wait_for()
    page.get_by_role("button", name="Add review score").first.click()
    dialog = page.get_by_role("dialog", name="Add a review score")
    dialog.get_by_label("Name").fill("topic")
    dialog.get_by_label("Type").select_option("categorical")
    dialog.get_by_label("Description (Markdown)").fill("Which **topic**?")
    dialog.get_by_label("Option 1 name").fill("math")
    dialog.get_by_label("Option 2 name").fill("art")
    dialog.get_by_label("Write to the expected field instead of a score").check()
    dialog.get_by_role("button", name="Add review score").click()
    table.locator("tr[data-review-score=topic]").get_by_text("math · art → expected").wait_for()
    found = httpx.get(
        demo.url + "/v1/project_score",
        params={"project_id": review_exp["project"], "project_score_name": "topic"},
        headers=demo.headers,
    ).json()["objects"][0]
    assert found["score_type"] == "categorical" and found["config"] == {"destination": "expected"}
    assert [c["name"] for c in found["categories"]] == ["math", "art"]
    page.get_by_label("Edit topic").click()
    page.get_by_role("dialog", name="Edit topic").get_by_label("Allow multiple choice").check()
    page.get_by_role("dialog", name="Edit topic").get_by_role("button", name="Save").click()
    table.locator("tr[data-review-score=topic]").get_by_text("multiple choice").wait_for()
    page.once("dialog", lambda d: d.accept())
    page.get_by_label("Delete topic").click()
    table.locator("tr[data-review-score=topic]").wait_for(state="detached")

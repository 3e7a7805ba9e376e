"""Item 1 and 11: login, organization → projects → experiments list → an experiment; permalinks."""

from __future__ import annotations

import pytest

from tests.browser.conftest import OWNER_EMAIL, OWNER_PASSWORD, experiment_url
from tests.browser.helpers import pct, wait_rows

pytestmark = pytest.mark.browser


def test_sign_in_screen_then_projects_then_experiments(browser, demo, owner_state):
    context = browser.new_context()
    page = context.new_page()
    page.goto(demo.url + "/")  # / redirects to /app/, which asks to sign in
    page.get_by_label("Email").fill(OWNER_EMAIL)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("alert").filter(has_text="wrong email or password").wait_for()
    page.get_by_label("Password").fill(OWNER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Projects").wait_for()
    page.get_by_role("link", name="demo").click()
    page.get_by_role("heading", name="Experiments").wait_for()
    rows = page.locator("table[aria-label=Experiments] tbody tr[data-experiment]")
    rows.first.wait_for()
    assert rows.count() == 2
    context.close()


def test_experiments_list_shows_averages_sorts_searches_and_compares(page, demo):
    page.goto(f"{demo.url}/app/local/p/demo")
    table = page.locator("table[aria-label=Experiments]")
    table.locator("tbody tr[data-experiment]").first.wait_for()
    listed = {e["name"]: e for e in demo.get(f"/v1/project/{demo.project_id}/experiments")["objects"]}
    v1 = table.locator("tr[data-experiment='model-v1']")
    assert "questions" in v1.inner_text()
    assert pct(listed["model-v1"]["scores"]["Levenshtein"]) in v1.inner_text()
    assert "60" in v1.inner_text() and "demo-v1" in v1.inner_text()
    assert page.locator("figure.chart svg g[data-score]").count() == 3  # one line per score
    page.get_by_role("button", name="Name").click()  # sort by name, ascending
    names = table.locator("tbody tr[data-experiment]").evaluate_all("rs => rs.map(r => r.dataset.experiment)")
    assert names == ["model-v1", "model-v2"]
    page.get_by_label("Search experiments").fill("v2")
    assert table.locator("tbody tr[data-experiment]").count() == 1
    page.get_by_label("Search experiments").fill("")
    page.get_by_label("Select model-v1").check()
    page.get_by_label("Select model-v2").check()
    page.get_by_role("button", name="Compare (2)").click()
    page.wait_for_url(f"**/experiments/model-v2?c={demo.experiments['model-v1']}")
    wait_rows(page, 60)


def test_sdk_link_and_permalink_open_the_experiment(page, demo):
    page.goto(experiment_url(demo, "model-v1"))
    page.get_by_role("heading", name="model-v1").wait_for()
    wait_rows(page, 60)
    page.goto(f"{demo.url}/app/object?object_type=experiment&object_id={demo.experiments['model-v2']}")
    page.wait_for_url("**/app/local/p/demo/experiments/model-v2")
    page.get_by_role("heading", name="model-v2").wait_for()


def test_details_pane_shows_summary_and_copies_the_id(page, demo):
    page.goto(experiment_url(demo, query=f"c={demo.experiments['model-v1']}"))
    page.get_by_role("button", name="Details").click()
    pane = page.get_by_role("complementary", name="Details")
    pane.get_by_text("test cases matched by").wait_for()
    text = pane.inner_text()
    for expected in ("model-v1", "Levenshtein", "ExactMatch", "numeric_diff", "questions", "demo-v2"):
        assert expected in text
    assert pane.get_by_test_id("experiment-id").inner_text() == demo.experiments["model-v2"]
    pane.get_by_role("button", name="Copy ID").click()
    pane.get_by_role("status").filter(has_text="Copied id").wait_for()
    href = pane.get_by_role("link", name="Permalink").get_attribute("href")
    assert href.endswith(f"/app/object?object_type=experiment&object_id={demo.experiments['model-v2']}")
    assert "details=1" in page.url

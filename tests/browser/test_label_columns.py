"""Classifier labels as table columns: a rules classifier run by a scoring job labels each trace;
the label column shows the labels, sorts, filters (Basic filter), groups (Display > Group by) and
can be hidden; the trace view's Scores panel shows the trace's label instead of "—"."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.browser.conftest import Demo
from tests.browser.helpers import header_ids, row_ids, wait_rows

pytestmark = pytest.mark.browser
OUTPUTS = {
    "r-0": "Sorry, I cannot help with that",
    "r-1": "Paris",
    "r-2": "I cannot answer",
    "r-3": "42",
    "r-4": "Blue",
}
COLUMN = "classifications.refusal.label"


@pytest.fixture(scope="module")
def labelled(demo: Demo) -> dict[str, Any]:
    pid = demo.post("/v1/project", {"name": "labels-ui"})["id"]
    eid = demo.post("/v1/experiment", {"project_id": pid, "name": "exp"})["id"]
    rows = [
        {"id": rid, "experiment_id": eid, "input": f"q {rid}", "output": out} for rid, out in OUTPUTS.items()
    ]
    demo.post("/logs3", {"rows": rows})
    classifier = demo.post(
        "/v1/function",
        {
            "project_id": pid,
            "name": "refusal",
            "function_type": "classifier",
            "function_data": {
                "type": "rules",
                "rules": [
                    {"label": "Refusal", "regex": "(?i)sorry|cannot"},
                    {"label": "Answer", "when": "output IS NOT NULL"},
                ],
            },
        },
    )
    job = demo.post(
        "/v1/job",
        {"kind": "score", "object_id": eid, "scorers": [{"type": "function", "id": classifier["id"]}]},
    )
    for _ in range(600):
        state = demo.get(f"/v1/job/{job['id']}")
        if state["state"] not in ("queued", "running"):
            break
        time.sleep(0.1)
    assert state["state"] == "done", state
    return {"project": pid, "experiment": eid}


def _cell(page: Any, rid: str) -> Any:
    return page.locator(f".datatable [role=row][data-row-id='{rid}'] [role=gridcell][data-column='{COLUMN}']")


def test_label_column_shows_sorts_and_hides(page: Any, demo: Demo, labelled: dict[str, Any]) -> None:
    page.goto(f"{demo.url}/app/local/p/labels-ui/experiments/exp")
    wait_rows(page, len(OUTPUTS))
    assert COLUMN in header_ids(page)
    assert _cell(page, "r-0").inner_text().strip() == "Refusal"
    assert _cell(page, "r-1").inner_text().strip() == "Answer"
    page.locator(f"[role=columnheader][data-column='{COLUMN}'] button[title='Sort by refusal']").click()
    page.locator(f"[role=columnheader][data-column='{COLUMN}'][aria-sort=ascending]").wait_for()
    want = ["Answer"] * 3 + ["Refusal"] * 2
    for _ in range(100):  # the sorted page replaces the first one
        labels = [_cell(page, rid).inner_text().strip() for rid in row_ids(page)]
        if labels == want:
            break
        time.sleep(0.1)
    assert labels == want
    page.get_by_role("button", name="Display").click()
    page.get_by_label("Show refusal").uncheck()
    page.keyboard.press("Escape")
    page.wait_for_function(f"() => !document.querySelector(\"[role=columnheader][data-column='{COLUMN}']\")")
    assert COLUMN not in header_ids(page)


def test_filter_and_group_by_a_label(page: Any, demo: Demo, labelled: dict[str, Any]) -> None:
    page.goto(f"{demo.url}/app/local/p/labels-ui/experiments/exp")
    wait_rows(page, len(OUTPUTS))
    page.get_by_role("button", name="Filter").click()
    page.get_by_label("Filter column").select_option(COLUMN)
    page.get_by_label("Filter operator").select_option("=")
    page.get_by_label("Filter value").fill("Refusal")
    page.get_by_role("button", name="Add filter").click()
    wait_rows(page, 2)
    assert sorted(row_ids(page)) == ["r-0", "r-2"]

    page.goto(f"{demo.url}/app/local/p/labels-ui/experiments/exp")
    wait_rows(page, len(OUTPUTS))
    page.get_by_role("button", name="Display").click()
    page.get_by_label("Group by").select_option(COLUMN)
    page.keyboard.press("Escape")
    groups = page.locator("table[aria-label=Groups] tr.group-row")
    groups.first.wait_for()
    counts = {
        groups.nth(i).get_attribute("data-group"): groups.nth(i).locator("td.num").first.inner_text()
        for i in range(groups.count())
    }
    assert counts == {"Answer": "3", "Refusal": "2"}


def test_trace_scores_panel_shows_the_label(page: Any, demo: Demo, labelled: dict[str, Any]) -> None:
    page.goto(f"{demo.url}/app/local/p/labels-ui/experiments/exp")
    wait_rows(page, len(OUTPUTS))
    page.locator(".datatable [role=row][data-row-id='r-2']").click()
    scores = page.get_by_role("region", name="Trace").get_by_role("region", name="Scores")
    labels = scores.get_by_label("refusal labels")
    labels.wait_for()
    assert labels.inner_text().strip() == "Refusal"
    assert "—" not in scores.locator("[data-score=refusal]").inner_text()

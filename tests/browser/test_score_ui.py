"""Score from the web app: select rows → Score → choose scorers → progress → the new score
column, with values on exactly the rows that were selected; then every row matching a filter."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from tests.browser.conftest import Demo
from tests.browser.helpers import header_ids, wait_rows

pytestmark = pytest.mark.browser
CASES = [
    ("a", "hello", "hello"),
    ("b", "hello", "help"),
    ("c", "yes", "no"),
    ("d", "same", "same"),
    ("e", "x", "y"),
]


@pytest.fixture(scope="module")
def scored(demo: Demo) -> dict[str, Any]:
    pid = demo.post("/v1/project", {"name": "scoring-ui"})["id"]
    eid = demo.post("/v1/experiment", {"project_id": pid, "name": "exp"})["id"]
    rows = [
        {"id": f"r-{q}", "experiment_id": eid, "input": q, "output": out, "expected": want}
        for q, out, want in CASES
    ]
    demo.post("/logs3", {"rows": rows})
    return {"project": pid, "experiment": eid}


def _scores(demo: Demo, eid: str, name: str) -> dict[str, float]:
    rows = demo.post(f"/v1/experiment/{eid}/table", {"row_type": "traces", "limit": 100})["rows"]
    return {r["id"]: r["scores"][name] for r in rows if name in (r.get("scores") or {})}


def test_select_rows_score_them_and_see_the_new_column(page: Any, demo: Demo, scored: dict[str, Any]) -> None:
    page.goto(f"{demo.url}/app/local/p/scoring-ui/experiments/exp")
    wait_rows(page, len(CASES))
    assert "scores.ExactMatch" not in header_ids(page)
    page.get_by_label("Select row r-a").check()
    page.get_by_label("Select row r-b").check()
    page.get_by_role("button", name="Score 2 selected").click()
    dialog = page.get_by_role("dialog", name="Score rows")
    assert dialog.get_by_label("The 2 selected rows").is_checked()
    dialog.get_by_role("checkbox", name="ExactMatch").check()
    assert dialog.get_by_role("checkbox", name="Factuality").is_disabled()  # no LLM on this server
    dialog.get_by_role("button", name="Score 2 rows").click()
    progress = dialog.get_by_role("status", name="Scoring progress")
    progress.get_by_text("Done: 2 of 2 rows").wait_for()
    dialog.get_by_role("button", name="Done").click()
    header = page.locator(".datatable [role=columnheader][data-column='scores.ExactMatch']")
    header.wait_for()
    # Exactly the selected rows got the score: hello = hello, hello ≠ help.
    assert _scores(demo, scored["experiment"], "ExactMatch") == {"r-a": 1.0, "r-b": 0.0}
    cell = page.locator(
        ".datatable [role=row][data-row-id='r-a'] [role=gridcell][data-column='scores.ExactMatch']"
    )
    assert cell.inner_text().strip() == "100.00%"
    assert page.get_by_label("Select row r-a").is_checked() is False  # the selection is spent


def test_score_every_row_matching_the_filter(page: Any, demo: Demo, scored: dict[str, Any]) -> None:
    f = quote(json.dumps(["input IN ('c', 'd')"]))
    page.goto(f"{demo.url}/app/local/p/scoring-ui/experiments/exp?f={f}")
    wait_rows(page, 2)
    page.get_by_role("button", name="Score", exact=True).click()
    dialog = page.get_by_role("dialog", name="Score rows")
    assert dialog.get_by_label("All rows matching the current filter (2)").is_checked()
    dialog.get_by_role("checkbox", name="Levenshtein").check()
    dialog.get_by_role("button", name="Score 2 rows").click()
    dialog.get_by_role("status", name="Scoring progress").get_by_text("Done: 2 of 2 rows").wait_for()
    assert set(_scores(demo, scored["experiment"], "Levenshtein")) == {"r-c", "r-d"}


def test_score_one_trace_from_the_trace_view(page: Any, demo: Demo, scored: dict[str, Any]) -> None:
    page.goto(f"{demo.url}/app/local/p/scoring-ui/experiments/exp")
    wait_rows(page, len(CASES))
    page.locator(".datatable [role=row][data-row-id='r-e']").click()
    trace = page.get_by_role("region", name="Trace")
    trace.wait_for()
    trace.get_by_role("button", name="Score this trace").click()
    dialog = page.get_by_role("dialog", name="Score this trace")
    dialog.get_by_role("checkbox", name="JSONDiff").check()
    dialog.get_by_role("button", name="Score the trace").click()
    dialog.get_by_role("status", name="Scoring progress").get_by_text("Done: 1 of 1 rows").wait_for()
    dialog.get_by_role("button", name="Done").click()
    page.get_by_role("region", name="Trace").get_by_text("JSONDiff").first.wait_for()  # its new score span
    assert set(_scores(demo, scored["experiment"], "JSONDiff")) == {"r-e"}


def test_add_an_aggregate_score_in_the_project_settings(page: Any, demo: Demo) -> None:
    pid = demo.post("/v1/project", {"name": "aggregates-ui"})["id"]
    eid = demo.post("/v1/experiment", {"project_id": pid, "name": "run"})["id"]
    rows = [
        {"id": "t1", "experiment_id": eid, "input": "1", "scores": {"a": 1.0, "b": 0.5}},
        {"id": "t2", "experiment_id": eid, "input": "2", "scores": {"a": 0.0}},
    ]
    demo.post("/logs3", {"rows": rows})
    page.goto(f"{demo.url}/app/local/p/aggregates-ui")
    page.get_by_role("button", name="Aggregate scores").click()
    dialog = page.get_by_role("dialog", name="Aggregate scores")
    dialog.get_by_text("No aggregate scores yet.").wait_for()
    dialog.get_by_label("Aggregate name").fill("overall")
    dialog.get_by_label("Include a").check()
    dialog.get_by_label("Include b").check()
    dialog.get_by_label("Weight of a").fill("3")
    dialog.get_by_role("button", name="Add aggregate score").click()
    dialog.get_by_role("list", name="Aggregate scores of this project").get_by_text("overall").wait_for()
    stored = demo.get("/v1/project_score", project_id=pid)["objects"]
    assert [(s["name"], s["score_type"], s["categories"]) for s in stored] == [
        ("overall", "weighted", {"a": 3.0, "b": 1.0})
    ]
    # The experiment shows it as a score column: t1 (3·1 + 0.5)/4, t2 only a: 0; mean 0.4375.
    page.goto(f"{demo.url}/app/local/p/aggregates-ui/experiments/run")
    wait_rows(page, 2)
    header = page.get_by_test_id("score-header-overall")
    header.wait_for()
    assert header.inner_text().startswith("43.75%")
    # The experiments list has a column for it, with the same mean.
    page.goto(f"{demo.url}/app/local/p/aggregates-ui")
    table = page.get_by_role("table", name="Experiments")
    row = table.locator("tbody tr[data-experiment=run]")
    row.wait_for()
    heads = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    column = heads.index("overall")
    assert row.locator("td").nth(column).inner_text().strip() == "43.75%"

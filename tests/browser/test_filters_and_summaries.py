"""Issue 7, item 13: what the user types is checked at the editor, search means what it says, and
the statistics follow the filter.

- a malformed custom column shows its error at the editor, and the table keeps its rows;
- searching for `50%` finds exactly the rows containing `50%` (not `50\\x`);
- header statistics, the Summary and the Summary table layouts under a filter equal the SQL over
  the filtered rows.
"""

from __future__ import annotations

import json
import urllib.parse
import uuid

import pytest

from tests.browser.conftest import experiment_url
from tests.browser.helpers import header_ids, pct, row_ids, wait_rows

pytestmark = pytest.mark.browser

CAPITALS = [{"column": "metadata.category", "op": "=", "value": "capitals"}]


def _filters(filters: list) -> str:
    return "f=" + urllib.parse.quote(json.dumps(filters))


def _sql_average(demo, name: str, column: str) -> float:
    eid = demo.experiments[name]
    sql = (
        f"SELECT avg({column}) AS v FROM experiment('{eid}', shape => 'summary') "
        "WHERE metadata.category = 'capitals'"
    )
    value: float = demo.post("/btql", {"query": sql})["data"][0]["v"]
    return value


def test_malformed_custom_column_shows_its_error_at_the_editor_and_keeps_the_rows(page, demo):
    page.goto(experiment_url(demo))
    wait_rows(page, 60)
    page.get_by_role("button", name="Display").click()
    page.get_by_label("Custom column name").fill("broken")
    page.get_by_label("Custom column expression").fill("scores.Levenshtein +")
    page.get_by_role("button", name="Add column").click()
    error = page.locator("#custom-column-error")
    error.wait_for()
    assert "line 1, column" in error.inner_text()
    assert page.get_by_label("Custom column expression").get_attribute("aria-invalid") == "true"
    page.keyboard.press("Escape")
    assert "broken" not in header_ids(page)
    assert "cc=" not in page.url
    wait_rows(page, 60)
    assert len(row_ids(page)) == 60


def test_search_for_a_percent_sign_finds_exactly_the_rows_containing_it(page, demo):
    # Its own project, so the demo project's experiments stay as the other tests expect them.
    project = demo.post("/v1/project", {"name": f"search-{uuid.uuid4().hex[:6]}"})
    eid = demo.post("/v1/experiment", {"project_id": project["id"], "name": "percent"})["id"]
    rows = []
    for text in ("50% off today", "50\\x off", "half price", "save 50% now"):
        rid = str(uuid.uuid4())
        rows.append({"id": rid, "span_id": rid, "root_span_id": rid, "experiment_id": eid, "input": text})
    demo.post("/logs3", {"rows": rows})
    page.goto(f"{demo.url}/app/local/p/{project['name']}/experiments/percent")
    wait_rows(page, 4)
    page.get_by_label("Search rows").fill("50%")
    page.get_by_label("Search rows").press("Enter")
    wait_rows(page, 2)
    shown = page.eval_on_selector_all(
        ".datatable [role=row][data-row-id] [data-column=input]", "els => els.map(e => e.innerText)"
    )
    assert sorted(shown) == ["50% off today", "save 50% now"]


def test_header_statistics_follow_the_filter(page, demo):
    page.goto(experiment_url(demo, query=_filters(CAPITALS)))
    wait_rows(page, 15)
    expected = _sql_average(demo, "model-v2", "scores.Levenshtein")
    header = page.get_by_test_id("score-header-Levenshtein")
    header.filter(has_text=pct(expected)).wait_for()
    whole = demo.get(f"/v1/experiment/{demo.experiments['model-v2']}/summarize")["scores"]["Levenshtein"]
    assert pct(whole["score"]) != pct(expected)  # the filter matters for this figure


def test_summary_layouts_follow_the_filter(page, demo):
    base = demo.experiments["model-v1"]
    mine = _sql_average(demo, "model-v2", "scores.Levenshtein")
    theirs = _sql_average(demo, "model-v1", "scores.Levenshtein")
    # Without a comparison: the experiment's own Summary under the filter.
    page.goto(experiment_url(demo, query="layout=summary&" + _filters(CAPITALS)))
    card = page.get_by_role("region", name="Summary of model-v2")
    card.locator(".big-value").filter(has_text=pct(mine)).first.wait_for()
    # Compared with model-v1: every experiment's figure under the same filter.
    page.goto(experiment_url(demo, query=f"layout=summary&c={base}&" + _filters(CAPITALS)))
    card = page.get_by_role("region", name="Levenshtein across experiments")
    card.locator('.big[data-experiment="model-v2"] .big-value').filter(has_text=pct(mine)).wait_for()
    card.locator('.big[data-experiment="model-v1"] .big-value').filter(has_text=pct(theirs)).wait_for()
    page.goto(experiment_url(demo, query=f"layout=summary_table&c={base}&" + _filters(CAPITALS)))
    row = page.get_by_role("table", name="Summary table").get_by_role("row").filter(has_text="Levenshtein")
    row.filter(has_text=pct(mine)).filter(has_text=pct(theirs)).wait_for()

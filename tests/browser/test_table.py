"""Items 2, 4, 6 and 9: the table, its headers, row type and height, filters, views, URL state."""

from __future__ import annotations

import pytest

from tests.browser.conftest import experiment_url
from tests.browser.helpers import header_ids, pct, row_ids, wait_rows

pytestmark = pytest.mark.browser


def btql_ids(demo, where: str, shape: str = "summary") -> set[str]:
    eid = demo.experiments["model-v2"]
    sql = f"SELECT id FROM experiment('{eid}', shape => '{shape}') WHERE {where}"
    return {r["id"] for r in demo.post("/btql", {"query": sql})["data"]}


def test_score_headers_show_average_diff_and_counts(page, demo):
    base = demo.experiments["model-v1"]
    page.goto(experiment_url(demo, query=f"c={base}"))
    wait_rows(page, 60)
    summary = demo.get(
        f"/v1/experiment/{demo.experiments['model-v2']}/summarize", comparison_experiment_id=base
    )
    lev = summary["scores"]["Levenshtein"]
    base_lev = demo.get(f"/v1/experiment/{base}/summarize")["scores"]["Levenshtein"]
    header = page.get_by_test_id("compare-header-Levenshtein")
    header.locator(".cmp-hline").nth(1).wait_for()
    base_line, line = (header.locator(".cmp-hline").nth(i).inner_text() for i in (0, 1))
    assert pct(base_lev["score"]) in base_line  # the base first
    assert pct(lev["score"]) in line
    assert f"{'+' if lev['diff'] >= 0 else '-'}{pct(abs(lev['diff']))}" in line
    assert f"▲{lev['improvements']}" in line and f"▼{lev['regressions']}" in line
    paired = summary["paired_statistics"]["scores"]["Levenshtein"]
    assert "CI " in line and (paired["p_value"] is None or "p" in line)
    for column in (
        "input",
        "output",
        "expected",
        "metrics.duration",
        "metrics.total_tokens",
        "metrics.estimated_cost",
        "metrics.llm_calls",
        "metrics.errors",
        "metadata.category",
        "tags",
        "created",
    ):
        assert column in header_ids(page)
    assert len(row_ids(page)) == 60


def test_row_type_spans_and_tall_rows(page, demo):
    page.goto(experiment_url(demo))
    wait_rows(page, 60)
    page.get_by_role("button", name="Display").click()
    page.get_by_role("radiogroup", name="Row type").get_by_label("Spans").check()
    spans = demo.post(
        f"/v1/experiment/{demo.experiments['model-v2']}/table", {"row_type": "spans", "limit": 1}
    )
    wait_rows(page, spans["total"], "spans")
    page.get_by_role("radiogroup", name="Row height").get_by_label("Tall").check()
    page.keyboard.press("Escape")
    assert "rt=spans" in page.url and "rh=tall" in page.url
    height = page.locator(".datatable [role=row][data-row-id]").first.evaluate("e => e.offsetHeight")
    assert height == 96


def test_errors_view_shows_exactly_the_rows_with_errors(page, demo):
    page.goto(experiment_url(demo))
    wait_rows(page, 60)
    for view, where in (
        ("Errors", "metrics.errors > 0"),
        ("Non-errors", "coalesce(metrics.errors, 0) = 0"),
        ("Scorer errors", "metrics.scorer_errors > 0"),
    ):
        expected = btql_ids(demo, where)
        page.get_by_role("button", name="Views").click()
        page.get_by_role("menuitem", name=view, exact=True).click()
        wait_rows(page, len(expected))
        assert set(row_ids(page)) == expected, view
    assert 0 < len(btql_ids(demo, "metrics.errors > 0")) < 60
    page.get_by_role("button", name="Views").click()
    page.get_by_role("menuitem", name="Assigned to me").click()
    wait_rows(page, 0)  # nothing in this project is assigned (assignment: test_review.py)
    page.get_by_role("button", name="Views").click()
    page.get_by_role("menuitem", name="Unreviewed").click()
    wait_rows(page, 60)


def test_sql_filter_error_is_shown_at_the_editor_and_a_good_one_applies(page, demo):
    page.goto(experiment_url(demo))
    wait_rows(page, 60)
    page.get_by_role("button", name="Filter", exact=True).click()
    page.get_by_role("tab", name="SQL").click()
    editor = page.get_by_label("SQL filter")
    editor.fill("scores.Levenshtein < AND")
    page.get_by_role("button", name="Apply").click()
    error = page.locator("#sql-error")
    error.wait_for()
    assert "line 1" in error.inner_text()
    assert editor.get_attribute("aria-invalid") == "true"
    editor.fill("scores.Levenshtein < 0.5")
    page.get_by_role("button", name="Apply").click()
    expected = btql_ids(demo, "scores.Levenshtein < 0.5")
    wait_rows(page, len(expected))
    assert set(row_ids(page)) == expected
    assert (
        page.get_by_role("list", name="Active filters").get_by_text("scores.Levenshtein < 0.5").is_visible()
    )


def test_basic_filter_builder_metadata_and_score_range_and_search(page, demo):
    page.goto(experiment_url(demo))
    wait_rows(page, 60)
    page.get_by_role("button", name="Filter", exact=True).click()
    page.get_by_label("Filter column").select_option("metadata.category")
    page.get_by_label("Filter operator").select_option("=")
    page.get_by_label("Filter value").fill("capitals")
    page.get_by_role("button", name="Add filter").click()
    expected = btql_ids(demo, "metadata.category = 'capitals'")
    wait_rows(page, len(expected))
    assert set(row_ids(page)) == expected
    page.get_by_role("button", name="Filter", exact=True).click()
    page.get_by_label("Range score").select_option(label="Levenshtein")
    page.get_by_label("Minimum score").fill("0.99")
    page.get_by_role("button", name="Add range").click()
    both = btql_ids(demo, "metadata.category = 'capitals' AND scores.Levenshtein >= 0.99")
    wait_rows(page, len(both))
    page.get_by_label("Search rows").fill("Japan")
    page.get_by_label("Search rows").press("Enter")
    wait_rows(page, 1)
    page.reload()  # the filters are in the URL
    wait_rows(page, 1)


def test_order_by_regressions_orders_score_columns(page, demo):
    base = demo.experiments["model-v1"]
    page.goto(experiment_url(demo, query=f"c={base}"))
    wait_rows(page, 60)
    page.get_by_role("button", name="Display").click()
    page.get_by_label("Order by regressions").check()
    page.keyboard.press("Escape")
    summary = demo.get(
        f"/v1/experiment/{demo.experiments['model-v2']}/summarize", comparison_experiment_id=base
    )
    want = sorted(summary["scores"].values(), key=lambda s: -s["regressions"])
    shown = [h[len("scores.") :] for h in header_ids(page) if h.startswith("scores.")]
    assert [s["regressions"] for s in want] == [summary["scores"][n]["regressions"] for n in shown]
    assert "obr=1" in page.url

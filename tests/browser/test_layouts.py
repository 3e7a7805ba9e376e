"""Items 5, 7, 8, 9 and 10: grouping, layouts (with the PDF), columns, URL state, downloads."""

from __future__ import annotations

import csv
import io
import json

import pytest
from pypdf import PdfReader

from tests.browser.conftest import experiment_url
from tests.browser.helpers import header_ids, pct, row_ids, wait_rows

pytestmark = pytest.mark.browser


def test_group_by_category_shows_the_apis_averages(page, demo):
    v2, v1 = demo.experiments["model-v2"], demo.experiments["model-v1"]
    page.goto(experiment_url(demo, query=f"c={v1}"))
    wait_rows(page, 60)
    page.get_by_role("button", name="Display").click()
    page.get_by_label("Group by").select_option("metadata.category")
    page.keyboard.press("Escape")
    sql = "SELECT metadata.category AS c, avg(scores.Levenshtein) AS l, count(*) AS n FROM experiment('{}', shape => 'summary') GROUP BY 1"
    mine = {r["c"]: r for r in demo.post("/btql", {"query": sql.format(v2)})["data"]}
    theirs = {r["c"]: r for r in demo.post("/btql", {"query": sql.format(v1)})["data"]}
    groups = page.locator("table[aria-label=Groups] tr.group-row")
    groups.first.wait_for()
    for cat in ("capitals", "arithmetic"):
        row = groups.filter(has=page.locator(f"xpath=self::*[@data-group='{cat}']"))
        cell = row.locator("td[data-score=Levenshtein]")
        assert cell.locator(".group-avg").inner_text() == pct(mine[cat]["l"])
        assert row.locator("td.num").first.inner_text() == str(mine[cat]["n"])
    row = groups.filter(has=page.locator("xpath=self::*[@data-group='capitals']"))
    row.get_by_role("button").click()
    wait_rows(page, mine["capitals"]["n"])
    # Including the comparisons: every compared experiment's averages per group.
    page.get_by_role("button", name="Display").click()
    page.get_by_label("Include comparisons in group").check()
    page.keyboard.press("Escape")
    table = page.get_by_role("table", name="Groups")
    for cat in ("capitals", "arithmetic"):
        line = table.locator(f"tr[data-group='{cat}'][data-experiment='model-v1']")
        line.wait_for()
        assert pct(theirs[cat]["l"]) in line.inner_text()
        assert (
            pct(mine[cat]["l"])
            in table.locator(f"tr[data-group='{cat}'][data-experiment='model-v2']").inner_text()
        )
    assert "group=metadata.category" in page.url and "gc=1" in page.url


def test_grid_summary_and_summary_table_with_pdf(page, demo, tmp_path):
    v2, v1 = demo.experiments["model-v2"], demo.experiments["model-v1"]
    page.goto(experiment_url(demo, query=f"c={v1}&layout=grid"))
    grid = page.get_by_role("table", name="Grid layout")
    grid.locator("tbody tr").first.wait_for()
    assert [h.strip() for h in grid.locator("thead th").all_inner_texts()] == [
        "Input",
        "Expected",
        "model-v1 (base)",
        "model-v2",
    ]
    assert grid.locator("tbody tr").count() == 50
    france = grid.locator("tbody tr").filter(has_text="capital of France").first
    assert france.locator("td.grid-output").count() == 2

    page.goto(experiment_url(demo, query=f"c={v1}&layout=summary"))
    page.get_by_label("ExactMatch across experiments").wait_for()
    s2 = demo.get(f"/v1/experiment/{v2}/summarize", comparison_experiment_id=v1)
    assert (
        pct(s2["scores"]["ExactMatch"]["score"])
        in page.get_by_label("ExactMatch across experiments").inner_text()
    )

    page.goto(experiment_url(demo, query=f"c={v1}&layout=summary_table"))
    table = page.get_by_role("table", name="Summary table")
    table.locator("tbody tr").first.wait_for()
    s1 = demo.get(f"/v1/experiment/{v1}/summarize", summarize_scores="true")
    lev_row = table.locator("tbody tr").filter(has_text="Levenshtein").inner_text()
    assert (
        pct(s2["scores"]["Levenshtein"]["score"]) in lev_row
        and pct(s1["scores"]["Levenshtein"]["score"]) in lev_row
    )
    with page.expect_download() as info:
        page.get_by_role("button", name="Download PDF").click()
    path = tmp_path / "summary.pdf"
    info.value.save_as(path)
    text = " ".join(p.extract_text() for p in PdfReader(path).pages)
    for name in ("Levenshtein", "ExactMatch", "numeric_diff"):
        assert name in text
        assert pct(s2["scores"][name]["score"]) in text
        assert pct(s1["scores"][name]["score"]) in text
    assert "model-v1" in text and "model-v2" in text


def test_columns_hide_reorder_pin_survive_a_reload(page, demo):
    page.goto(experiment_url(demo))
    wait_rows(page, 60)
    page.get_by_role("button", name="Display").click()
    page.get_by_label("Show Expected").uncheck()
    editor = page.get_by_role("list", name="Columns")
    editor.locator("li[data-column='metadata.category']").drag_to(editor.locator("li[data-column='input']"))
    page.get_by_label("Pin Output").check()
    page.keyboard.press("Escape")
    page.reload()
    wait_rows(page, 60)
    # metadata columns appear once the experiment's keys have loaded, which can be after the rows
    page.locator(".datatable [role=columnheader][data-column='metadata.category']").wait_for()
    headers = header_ids(page)
    assert "expected" not in headers
    assert headers.index("metadata.category") < headers.index("input")
    assert headers[0] == "output"  # pinned columns come first and stick to the left
    pinned = page.locator(".datatable [role=columnheader][data-column=output]")
    assert "pinned" in pinned.get_attribute("class")
    assert pinned.evaluate("e => getComputedStyle(e).position") == "sticky"


def test_custom_column_can_be_filtered_and_sorted(page, demo):
    page.goto(experiment_url(demo))
    wait_rows(page, 60)
    page.get_by_role("button", name="Display").click()
    page.get_by_label("Custom column name").fill("tok2")
    page.get_by_label("Custom column expression").fill("metrics.total_tokens * 2")
    page.get_by_role("button", name="Add column").click()
    page.keyboard.press("Escape")
    page.locator(".datatable [role=columnheader][data-column=tok2] button").first.click()  # sort ascending
    page.locator(".datatable [role=columnheader][data-column=tok2] button").first.click()  # descending
    page.wait_for_url("**desc%22%3Atrue**")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.datatable [role=gridcell][data-column=tok2]')]"
        ".filter(e => e.textContent).length >= 50"
    )
    cells = page.locator(".datatable [role=gridcell][data-column=tok2]").all_inner_texts()
    values = [float(c) for c in cells if c.strip()]
    assert values and values == sorted(values, reverse=True)
    page.get_by_role("button", name="Filter", exact=True).click()
    page.get_by_label("Filter column").select_option("tok2")
    page.get_by_label("Filter operator").select_option(">")
    page.get_by_label("Filter value").fill("70")
    page.get_by_role("button", name="Add filter").click()
    eid = demo.experiments["model-v2"]
    sql = f"SELECT id FROM experiment('{eid}', shape => 'summary') WHERE metrics.total_tokens * 2 > 70"
    expected = {r["id"] for r in demo.post("/btql", {"query": sql})["data"]}
    wait_rows(page, len(expected))
    assert set(row_ids(page)) == expected


def test_download_csv_visible_columns_and_json_all_fields(page, demo, tmp_path):
    eid = demo.experiments["model-v2"]
    sql = f"SELECT count(*) AS n FROM experiment('{eid}', shape => 'summary') WHERE metrics.errors > 0"
    errors = demo.post("/btql", {"query": sql})["data"][0]["n"]
    page.goto(experiment_url(demo, query="view=errors"))
    wait_rows(page, errors)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download").click()
        page.get_by_role("menuitem", name="Download as CSV", exact=True).click()
    info.value.save_as(tmp_path / "t.csv")
    table = list(csv.reader(io.StringIO((tmp_path / "t.csv").read_text())))
    assert table[0] == header_ids(page)
    assert len(table) - 1 == errors
    with page.expect_download() as info:
        page.get_by_role("button", name="Download").click()
        page.get_by_role("menuitem", name="Download as JSON (all fields)").click()
    info.value.save_as(tmp_path / "t.json")
    rows = json.loads((tmp_path / "t.json").read_text())
    assert len(rows) == errors and {"id", "input", "scores", "metrics", "metadata"} <= set(rows[0])


def test_rows_within_a_group_ordered_by_regressions(page, demo):
    """Item 6: inside a group, the test cases whose ExactMatch fell most against model-v1 come first."""
    v2, v1 = demo.experiments["model-v2"], demo.experiments["model-v1"]
    page.goto(experiment_url(demo, query=f"c={v1}&group=metadata.category&obr=1&rs=ExactMatch"))
    groups = page.locator("table[aria-label=Groups] tr.group-row")
    groups.first.wait_for()
    groups.filter(has=page.locator("xpath=self::*[@data-group='capitals']")).get_by_role("button").click()
    sql = (
        f"SELECT id, scores.ExactMatch - comparison_scores.ExactMatch AS change "
        f"FROM experiment('{v2}', shape => 'summary', compare => '{v1}') "
        "WHERE metadata.category = 'capitals' "
        "ORDER BY change ASC NULLS LAST, _pagination_key DESC, id ASC"
    )
    want = demo.post("/btql", {"query": sql})["data"]
    assert want[0]["change"] < 0  # there is a regression to put first
    wait_rows(page, len(want))
    assert row_ids(page) == [r["id"] for r in want]

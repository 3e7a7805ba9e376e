"""Comparing three experiments in the browser (issue 8, items 5-7): per-row deltas as the API gives
them, a header's regression count filtering to exactly those rows, diff mode marking the changed
words, every compared experiment in Grid, Summary, Summary table and groups, the Compare button,
and the project's comparison key."""

from __future__ import annotations

import httpx
import pytest
from pypdf import PdfReader

from tests.browser.compare_data import PROJECT, make_project
from tests.browser.helpers import pct, row_ids, wait_rows

pytestmark = pytest.mark.browser
SCORE = "Levenshtein"


@pytest.fixture(scope="module")
def three(demo):
    return make_project(demo.url, demo.server.key, demo.experiments)


def url(demo, three, query: str = "") -> str:
    c = f"{three['model-v1']},{three['model-v3']}"
    return f"{demo.url}/app/local/p/{PROJECT}/experiments/model-v2?c={c}{('&' + query) if query else ''}"


def rows(demo, three, **body):
    body = {"experiment_ids": [three["model-v1"], three["model-v3"]], "limit": 1000, **body}
    return demo.post(f"/v1/experiment/{three['model-v2']}/compare/rows", body)


def summary(demo, three):
    res = httpx.get(
        f"{demo.url}/v1/experiment/{three['model-v1']}/compare",
        params={"with": [three["model-v2"], three["model-v3"]]},
        headers=demo.headers,
        timeout=30,
    )
    res.raise_for_status()
    return res.json()


def test_three_way_list_shows_the_apis_per_row_deltas(page, demo, three):
    page.goto(url(demo, three))
    wait_rows(page, 60)
    page.wait_for_function("() => !document.querySelector('.datatable .skeleton')")
    want = {r["row"]["id"]: r for r in rows(demo, three)["rows"]}
    shown = page.eval_on_selector_all(
        ".datatable [role=row][data-row-id]",
        f"""rs => rs.filter(r => r.dataset.rowId).map(r => ({{id: r.dataset.rowId,
            lines: [...r.querySelectorAll('[data-column="scores.{SCORE}"] .cmp-line')].map(l => ({{
              e: l.dataset.experimentId, d: l.dataset.delta, text: l.innerText}}))}}))""",
    )
    assert len(shown) >= 30
    unmatched = checked = 0
    for row in shown:
        sides = want[row["id"]]["experiments"]
        assert [line["e"] for line in row["lines"]] == [s["experiment_id"] for s in sides]
        assert sides[0]["experiment_id"] == three["model-v1"]  # the base first
        for line, side in zip(row["lines"][1:], sides[1:], strict=True):
            delta = side["score_deltas"].get(SCORE)
            if side["traces"] == 0:
                unmatched += 1
                assert line["d"] == "" and "\u2013" in line["text"]
            elif delta is not None:
                checked += 1
                assert float(line["d"]) == pytest.approx(delta)
                assert f"{'-' if delta < 0 else '+'}{pct(abs(delta))}" in line["text"]
    assert checked > 30 and unmatched >= 1, (checked, unmatched, len(shown))  # model-v3 lacks some cases


def test_a_headers_regression_count_filters_to_exactly_those_rows(page, demo, three):
    page.goto(url(demo, three))
    wait_rows(page, 60)
    measure = next(m for m in summary(demo, three)["scores"] if m["name"] == "ExactMatch")
    for name in ("model-v3", "model-v2"):
        regressions = next(e for e in measure["experiments"] if e["experiment_id"] == three[name])[
            "regressions"
        ]
        assert regressions > 0
        header = page.get_by_test_id("compare-header-ExactMatch")
        header.get_by_role("button", name=f"{regressions} regressions of ExactMatch in {name}").click()
        wait_rows(page, regressions)
        change = {"experiment_id": three[name], "name": "ExactMatch", "direction": "regressions"}
        want = {r["row"]["id"] for r in rows(demo, three, change=change)["rows"]}
        assert len(want) == regressions  # one trace per test case here
        assert set(row_ids(page)) == want
        assert "chg=" in page.url
        page.reload()  # the filter is in the URL
        wait_rows(page, regressions)
        page.get_by_role("button", name="Show every row").click()
        wait_rows(page, 60)


def test_diff_mode_marks_the_changed_words(page, demo, three):
    first = rows(demo, three, limit=25)["rows"]

    def output(r, name):
        side = next(e for e in r["experiments"] if e["experiment_id"] == three[name])
        return side, (side.get("fields") or {}).get("output")

    hedged = wrong = None
    for r in rows(demo, three, limit=25, with_fields=True)["rows"]:
        v1, v2, v3 = (output(r, n)[1] for n in ("model-v1", "model-v2", "model-v3"))
        if v1 == v2 and v3 and v3.endswith(" I think") and hedged is None:
            hedged = r
        if v1 and v2 and v1 != v2 and " " not in v1 and " " not in v2 and wrong is None:
            wrong = (r, v1, v2)
    assert hedged is not None and wrong is not None and len(first) == 25
    page.goto(url(demo, three, "diff=1"))
    case = page.locator(f"section.cmp-case[data-row-id='{hedged['row']['id']}']")
    case.wait_for()
    v3_row = case.locator("tr.cmp-subrow[data-experiment='model-v3']")
    assert v3_row.locator("ins.diff-add").inner_text().strip() == "I think"
    assert v3_row.locator("del.diff-del").count() == 0
    assert (
        case.locator(
            "tr.cmp-subrow[data-experiment='model-v2'] ins, tr.cmp-subrow[data-experiment='model-v2'] del"
        ).count()
        == 0
    )
    row, before, after = wrong
    v2_row = page.locator(
        f"section.cmp-case[data-row-id='{row['row']['id']}'] tr.cmp-subrow[data-experiment='model-v2']"
    )
    assert v2_row.locator("del.diff-del").inner_text() == before
    assert v2_row.locator("ins.diff-add").inner_text() == after
    # Output vs expected: model-v3's corrected answers match their expected value exactly.
    page.get_by_role("radio", name="Output vs expected").check()
    page.wait_for_url("**dm=expected**")
    assert "diff=1" in page.url


def test_grid_summary_summary_table_and_groups_show_every_experiment(page, demo, three, tmp_path):
    s = summary(demo, three)
    page.goto(url(demo, three, "layout=grid"))
    grid = page.get_by_role("table", name="Grid layout")
    grid.locator("tbody tr").first.wait_for()
    assert [h.strip() for h in grid.locator("thead th").all_inner_texts()] == [
        "Input",
        "Expected",
        "model-v1 (base)",
        "model-v2",
        "model-v3",
    ]
    assert grid.locator("tbody tr").first.locator("td.grid-output").count() == 3

    page.goto(url(demo, three, "layout=summary"))
    card = page.get_by_label("ExactMatch across experiments")
    card.wait_for()
    em = next(m for m in s["scores"] if m["name"] == "ExactMatch")
    text = card.inner_text()
    for e in em["experiments"]:
        assert pct(e["value"]) in text
    v3 = em["experiments"][2]
    ci = v3["paired"]
    assert f"n={ci['n']}" in text and f"{'-' if ci['ci_low'] < 0 else '+'}{pct(abs(ci['ci_low']))}" in text
    # The histograms arrive after the averages (a request of their own): wait for the one chart.
    card.locator("figure.histogram svg").wait_for()
    assert card.locator("figure.histogram svg").count() == 1

    page.goto(url(demo, three, "layout=summary_table"))
    table = page.get_by_role("table", name="Summary table")
    table.locator("tbody tr").first.wait_for()
    row = table.locator("tbody tr[data-measure='ExactMatch']").inner_text()
    assert all(pct(e["value"]) in row for e in em["experiments"]) and f"n={ci['n']}" in row
    with page.expect_download() as info:
        page.get_by_role("button", name="Download PDF").click()
    path = tmp_path / "summary.pdf"
    info.value.save_as(path)
    pdf = " ".join(p.extract_text() for p in PdfReader(path).pages)
    assert "model-v3" in pdf and pct(v3["value"]) in pdf and f"n={ci['n']}" in pdf

    page.goto(url(demo, three, "group=metadata.category&gc=1"))
    groups = page.get_by_role("table", name="Groups")
    groups.locator("tbody tr").first.wait_for()
    found = demo.post(
        f"/v1/experiment/{three['model-v2']}/compare/groups",
        {"experiment_ids": [three["model-v1"], three["model-v3"]], "group_by": "metadata.category"},
    )
    capitals = next(g for g in found["groups"] if g["group"] == "capitals")
    for i, name in enumerate(("model-v1", "model-v2", "model-v3")):
        line = groups.locator(f"tr[data-group='capitals'][data-experiment='{name}']").inner_text()
        e = capitals["experiments"][i]
        assert str(e["count"]) in line and pct(e["scores"]["ExactMatch"]) in line
        if i:
            assert (
                f"▲{e['improvements']['ExactMatch']}" in line and f"▼{e['regressions']['ExactMatch']}" in line
            )


def test_compare_button_with_three_selected_and_the_base_in_the_picker(page, demo, three):
    page.goto(f"{demo.url}/app/local/p/{PROJECT}")
    for name in ("model-v1", "model-v2", "model-v3"):
        page.get_by_label(f"Select {name}").check()
    page.get_by_role("button", name="Compare (3)").click()
    # The newest opens, compared with the others; the oldest is the base.
    page.wait_for_url(f"**/experiments/model-v3?c={three['model-v1']},{three['model-v2']}")
    wait_rows(page, 60 - 3)
    header = page.get_by_test_id(f"compare-header-{SCORE}")
    header.locator(".cmp-hline").nth(2).wait_for()
    # The base first, then the page's experiment, then the others.
    assert [h.get_attribute("data-experiment") for h in header.locator(".cmp-hline").all()] == [
        "model-v1",
        "model-v3",
        "model-v2",
    ]
    page.get_by_role("button", name="Comparisons").click()
    page.get_by_label("Use model-v2 as the base").check()
    page.wait_for_url("**base=*")
    page.keyboard.press("Escape")
    header.locator(".cmp-hline").first.wait_for()
    page.wait_for_function(
        f"() => document.querySelector('[data-testid=\"compare-header-{SCORE}\"] .cmp-hline')?.dataset.experiment === 'model-v2'"
    )


def test_project_comparison_key_setting(page, demo, three):
    page.goto(f"{demo.url}/app/local/p/{PROJECT}/settings")
    field = page.get_by_label("Expression")
    field.wait_for()
    field.fill("input +")
    page.get_by_role("button", name="Save").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "comparison_key" in alert.inner_text()
    field.fill("[input, metadata.category]")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Comparison key saved", exact=True).wait_for()
    assert summary(demo, three)["comparison_key"] == "[input, metadata.category]"
    field.fill("")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Test cases match by input", exact=True).wait_for()
    assert summary(demo, three)["comparison_key"] == "input"

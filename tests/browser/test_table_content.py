"""Tables that say what they hold (issue 8 item 9): spans show their name, type and parent, search
finds span names, and the Scorer errors view shows each row's failure."""

from __future__ import annotations

import pytest

from tests.browser.conftest import experiment_url
from tests.browser.helpers import row_ids, wait_rows

pytestmark = pytest.mark.browser


def cells(page, column: str) -> dict[str, str]:
    return dict(
        page.eval_on_selector_all(
            ".datatable [role=row][data-row-id]:not([data-row-id=''])",
            f"rs => rs.map(r => [r.dataset.rowId, r.querySelector('[data-column=\"{column}\"]')?.innerText ?? ''])",
        )
    )


def test_scorer_errors_view_shows_why_each_row_is_there(page, demo):
    eid = demo.experiments["model-v2"]
    sql = f"SELECT id, metadata FROM experiment('{eid}', shape => 'summary') WHERE metrics.scorer_errors > 0"
    failing = {r["id"]: r["metadata"]["scorer_errors"] for r in demo.post("/btql", {"query": sql})["data"]}
    assert failing
    page.goto(experiment_url(demo, query="view=scorer_errors"))
    wait_rows(page, len(failing))
    shown = cells(page, "error")
    assert set(shown) == set(failing)
    for row_id, errors in failing.items():
        for name, traceback in errors.items():
            last = traceback.strip().splitlines()[-1]
            assert f"Scorer {name} failed: {last}" in shown[row_id]


def test_spans_show_name_type_and_parent_and_search_finds_span_names(page, demo):
    eid = demo.experiments["model-v2"]
    page.goto(experiment_url(demo, query="rt=spans&search=levenshtein"))
    sql = f"SELECT id FROM experiment('{eid}') WHERE span_attributes.name = 'Levenshtein'"
    expected = {r["id"] for r in demo.post("/btql", {"query": sql})["data"]}
    wait_rows(page, len(expected), "spans")
    assert set(row_ids(page)) == expected
    assert set(cells(page, "span_attributes.name").values()) == {"Levenshtein"}
    assert set(cells(page, "span_attributes.type").values()) == {"score"}
    page.goto(experiment_url(demo, query="rt=spans"))
    page.locator(".datatable [role=row][data-row-id]:not([data-row-id=''])").first.wait_for()
    names = cells(page, "span_attributes.name")
    # A score span sits under its trace's eval span; the eval span is a root.
    rows = {
        r["id"]: r
        for r in demo.post(f"/v1/experiment/{eid}/table", {"row_type": "spans", "limit": 100})["rows"]
    }
    # A parent on another page is named once the table's `span_names` request answers; until
    # then its id shows (in a <code>), so wait for the score rows' parents to be named.
    scored = [i for i, name in names.items() if rows[i]["span_attributes"]["type"] == "score" and name]
    assert scored
    page.wait_for_function(
        """ids => ids.every(id => !document.querySelector(
            `.datatable [data-row-id="${id}"] [data-column="span_parents"] code`))""",
        arg=scored,
    )
    parents = cells(page, "span_parents")
    for row_id, name in names.items():
        kind = rows[row_id]["span_attributes"]["type"]
        if kind == "eval":
            assert "root" in parents[row_id]
        elif kind == "score" and name:
            assert parents[row_id] == "eval"

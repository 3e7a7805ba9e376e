"""Diff mode on structured outputs and the trace view of a compared test case (issue 8, item 6).

Two experiments answer the same three questions with JSON outputs. In `json-b` the keys come in
another order (no change), one value changes, and one case is identical: diff mode must mark
exactly the changed value's line. The trace view of a compared case shows each experiment's scores
with the change the API reports, each field's diff against the base, and only the Trace view.
"""

from __future__ import annotations

import httpx
import pytest

from tests.query.helpers import trace_rows

pytestmark = pytest.mark.browser
PROJECT = "json-diff"

BASE = [
    {"answer": "Paris", "confidence": 0.9, "sources": ["atlas", "wiki"]},
    {"answer": "Lima", "confidence": 0.8, "sources": ["atlas"]},
    {"answer": "Oslo", "confidence": 0.7, "sources": []},
]
OTHER = [
    {"sources": ["atlas", "wiki"], "confidence": 0.4, "answer": "Paris"},  # keys moved, one value changed
    {"confidence": 0.8, "sources": ["atlas"], "answer": "Lima"},  # keys moved only
    {"answer": "Oslo", "confidence": 0.7, "sources": []},  # identical
]
QUESTIONS = ["capital of France", "capital of Peru", "capital of Norway"]


@pytest.fixture(scope="module")
def json_exps(demo):
    h = demo.headers
    with httpx.Client(base_url=demo.url, headers=h, timeout=30) as c:
        pid = c.post("/v1/project", json={"name": PROJECT}).json()["id"]
        ids = {}
        for name, outputs, score in (("json-a", BASE, 1.0), ("json-b", OTHER, 0.5)):
            ids[name] = c.post("/v1/experiment", json={"project_id": pid, "name": name}).json()["id"]
            rows = []
            for q, out in zip(QUESTIONS, outputs, strict=True):
                trace = trace_rows(
                    ids[name],
                    input={"question": q},
                    output=out,
                    child_scores=[{"quality": score if out is not outputs[2] else 1.0}],
                    metrics={"start": 0, "end": 1},
                )
                trace[0]["expected"] = {"answer": out["answer"]}
                rows += trace
            res = c.post("/logs3", json={"rows": rows, "api_version": 2})
            assert res.status_code == 200, res.text
    return ids


def app_url(demo, ids, query: str) -> str:
    return f"{demo.url}/app/local/p/{PROJECT}/experiments/json-b?c={ids['json-a']}&{query}"


def compared(demo, ids):
    body = {"experiment_ids": [ids["json-a"]], "limit": 10, "with_fields": True}
    return demo.post(f"/v1/experiment/{ids['json-b']}/compare/rows", body)["rows"]


def case_of(rows, question):
    return next(r for r in rows if r["row"]["input"]["question"] == question)


def test_json_outputs_are_diffed_by_structure(page, demo, json_exps):
    rows = compared(demo, json_exps)
    page.goto(app_url(demo, json_exps, "diff=1"))
    changed = page.locator(f"section.cmp-case[data-row-id='{case_of(rows, QUESTIONS[0])['row']['id']}']")
    changed.wait_for()
    other = changed.locator("tr.cmp-subrow[data-experiment='json-b']")
    added = [t.strip() for t in other.locator("ins.diff-add").all_inner_texts()]
    removed = [t.strip() for t in other.locator("del.diff-del").all_inner_texts()]
    assert added == ['"confidence": 0.4,'] and removed == ['"confidence": 0.9,']
    for question in QUESTIONS[1:]:  # moved keys, and an identical output: nothing marked
        case = page.locator(f"section.cmp-case[data-row-id='{case_of(rows, question)['row']['id']}']")
        assert (
            case.locator("tr.cmp-subrow[data-experiment='json-b'] .diff-text").get_attribute("data-changed")
            == "0"
        )
        assert case.locator("ins, del").count() == 0
    # Output vs expected: each output against its own expected value ({"answer": …}).
    page.get_by_role("radio", name="Output vs expected").check()
    page.wait_for_url("**dm=expected**")
    base_row = changed.locator("tr.cmp-subrow[data-experiment='json-a']")
    assert base_row.locator("ins.diff-add").count() > 0  # confidence and sources are not expected
    assert all("answer" not in t for t in base_row.locator("ins, del").all_inner_texts())


def test_trace_view_of_a_compared_case_shows_scores_diffs_and_only_the_trace_view(page, demo, json_exps):
    rows = compared(demo, json_exps)
    row = case_of(rows, QUESTIONS[0])
    b = next(e for e in row["experiments"] if e["experiment_id"] == json_exps["json-b"])
    assert b["score_deltas"]["quality"] == pytest.approx(-0.5)
    page.goto(app_url(demo, json_exps, f"tr={row['row']['root_span_id']}"))
    scores = page.get_by_role("table", name="Scores and timing across experiments")
    scores.wait_for()
    quality = scores.locator("tr", has=page.locator("th", has_text="quality"))
    assert quality.locator("td").all_inner_texts() == ["100.00%", "50.00% -50.00%"]
    output = page.locator("[aria-label='output across experiments']")
    output.wait_for()
    line = output.locator(".cmp-field-line[data-experiment='json-b']")
    assert [t.strip() for t in line.locator("ins.diff-add").all_inner_texts()] == ['"confidence": 0.4,']
    assert (
        page.locator(
            "[aria-label='input across experiments'] ins, [aria-label='input across experiments'] del"
        ).count()
        == 0
    )
    tabs = page.get_by_role("tablist", name="Trace view")
    assert tabs.get_by_role("tab", name="Trace").is_enabled()
    assert tabs.get_by_role("tab", name="Timeline").is_disabled()
    assert tabs.get_by_role("tab", name="Thread").is_disabled()

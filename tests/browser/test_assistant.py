"""The assistant panel without an LLM: "What improved from the last experiment?" and "What
patterns do you see in the low-scoring cases?" answered with their evidence (rows one click away),
and "Create a dataset from the rows where the model failed" asking before it writes."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.analysis.planted import planted_rows
from tests.browser.conftest import Demo
from tests.browser.helpers import wait_rows

pytestmark = pytest.mark.browser
N = 150


def _with_exact_match(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for r in rows:
        acc = (r.get("scores") or {}).get("acc")
        if acc is not None:
            r["scores"]["ExactMatch"] = 1 if acc >= 0.5 else 0
    return rows


@pytest.fixture(scope="module")
def planted(demo: Demo) -> dict[str, Any]:
    """Project `assistant`: `before`, then `after`, where topic = law scores 0.35 lower."""
    pid = demo.post("/v1/project", {"name": "assistant"})["id"]
    before = demo.post("/v1/experiment", {"project_id": pid, "name": "before"})["id"]
    after = demo.post("/v1/experiment", {"project_id": pid, "name": "after"})["id"]
    old, _ = planted_rows(before, N, effect=lambda m: -0.1, seed=3)
    new, metas = planted_rows(after, N, effect=lambda m: -0.35 if m["topic"] == "law" else 0.0, seed=3)
    rows = _with_exact_match(old) + _with_exact_match(new)
    res = httpx.post(
        f"{demo.url}/logs3", json={"rows": rows, "api_version": 2}, headers=demo.headers, timeout=60
    )
    assert res.status_code == 200, res.text
    failed = sum(1 for r in new if (r.get("scores") or {}).get("ExactMatch") == 0)
    return {
        "project": pid,
        "before": before,
        "after": after,
        "law": sum(1 for m in metas if m["topic"] == "law"),
        "failed": failed,
    }


def score_item(answer: Any, name: str) -> Any:
    """The answer's item of score `name`, told by its name alone (a substring match would also
    find another score whose example trace ids happen to contain the name, e.g. "acc" in hex)."""
    strong = answer.page.locator("strong", has_text=re.compile(f"^{re.escape(name)}$"))
    return answer.locator("li").filter(has=strong)


def open_panel(page: Any, demo: Demo) -> Any:
    page.goto(f"{demo.url}/app/local/p/assistant/experiments/after?assistant=1")
    panel = page.get_by_role("complementary", name="Assistant")
    panel.wait_for()
    return panel


def test_what_improved_is_answered_with_rows_to_open(page: Any, demo: Demo, planted: dict[str, Any]) -> None:
    panel = open_panel(page, demo)
    panel.get_by_role("button", name="What improved from the last experiment?").click()
    answer = panel.get_by_role("region", name="What improved from the last experiment?")
    answer.get_by_text("Compared with").wait_for()
    assert "before" in answer.inner_text()
    acc = score_item(answer, "acc")
    assert re.search(r"▲\d+ improved", acc.inner_text()) and re.search(r"▼\d+ regressed", acc.inner_text())
    # The paired t-test the API computed, in words: mean difference, interval, p-value and n.
    report = demo.post(f"/v1/experiment/{planted['after']}/analysis/changes", {})
    paired = next(s for s in report["scores"] if s["name"] == "acc")["paired"]
    line = acc.locator(".paired-line").inner_text()
    assert f"mean difference {paired['mean_diff'] * 100:.1f} pts" in line
    assert f"95% CI {paired['ci_low'] * 100:.1f} pts to {paired['ci_high'] * 100:.1f} pts" in line
    assert f"n = {paired['n']}" in line and paired["n"] == N
    link = acc.get_by_role("link").first
    target = link.get_attribute("title").removeprefix("Open trace ")
    link.click()
    page.wait_for_url(re.compile(f"tr={target}"))
    page.locator(".trace-panel").wait_for()


def test_patterns_in_low_scores_find_the_planted_slice_and_show_its_rows(
    page: Any, demo: Demo, planted: dict[str, Any]
) -> None:
    panel = open_panel(page, demo)
    ask = panel.get_by_role("textbox", name="Ask the assistant")
    ask.fill("What patterns do you see in the low-scoring cases?")
    ask.press("Enter")
    answer = panel.get_by_role("region", name="What patterns do you see in the low-scoring cases?")
    first = answer.locator("ol > li").first
    first.wait_for()
    text = first.inner_text()
    assert 'topic = "law"' in text and f"n = {planted['law']}" in text
    assert "Holm-adjusted" in answer.inner_text()
    assert first.get_by_role("link").count() == 5  # the slice's lowest-scoring traces
    first.get_by_role("button", name=f"Show these {planted['law']} rows").click()
    page.get_by_role("list", name="Active filters").get_by_text("metadata.\"topic\" = 'law'").wait_for()
    wait_rows(page, planted["law"])


def test_create_a_dataset_from_failed_rows_asks_first(page: Any, demo: Demo, planted: dict[str, Any]) -> None:
    panel = open_panel(page, demo)
    panel.get_by_role("button", name="Create a dataset from the rows where the model failed").click()
    dialog = page.get_by_role("dialog", name="Create a dataset from failed rows")
    dialog.get_by_label("Score").select_option("ExactMatch")
    dialog.get_by_label("Dataset name").fill("after failures")
    status = dialog.get_by_role("status")
    status.get_by_text(f"This will write {planted['failed']} rows to a new dataset").wait_for()
    # Nothing is written before the confirmation.
    assert demo.get("/v1/dataset", project_id=planted["project"])["objects"] == []
    dialog.get_by_role("button", name="Create dataset").click()
    panel.get_by_text(f"Wrote {planted['failed']} rows").wait_for()
    found = demo.get("/v1/dataset", project_id=planted["project"])["objects"]
    assert [d["name"] for d in found] == ["after failures"]
    events = demo.post(f"/v1/dataset/{found[0]['id']}/fetch", {"limit": 1000})["events"]
    assert len(events) == planted["failed"] and all(
        e["origin"]["object_id"] == planted["after"] for e in events
    )
    panel.get_by_role("button", name="Write an Eval() that re-runs it").click()
    code = panel.get_by_label("python code")
    code.wait_for()
    assert 'init_dataset(project="assistant", name="after failures")' in code.inner_text()


def test_a_question_it_cannot_answer_lists_those_it_can(
    page: Any, demo: Demo, planted: dict[str, Any]
) -> None:
    panel = open_panel(page, demo)
    ask = panel.get_by_role("textbox", name="Ask the assistant")
    ask.fill("Tell me a joke")
    ask.press("Enter")
    panel.get_by_text("Without an LLM I answer these questions").wait_for()


def test_on_a_comparison_what_improved_answers_for_each_experiment(
    page: Any, demo: Demo, planted: dict[str, Any]
) -> None:
    """Three experiments compared (base `before`): the answer has one part per compared experiment,
    each against the base, with the API's paired figures."""
    later = demo.post("/v1/experiment", {"project_id": planted["project"], "name": "later"})["id"]
    rows, _ = planted_rows(later, N, effect=lambda m: 0.2 if m["topic"] == "law" else 0.0, seed=3)
    res = httpx.post(
        f"{demo.url}/logs3", json={"rows": rows, "api_version": 2}, headers=demo.headers, timeout=60
    )
    assert res.status_code == 200, res.text
    before = planted["before"]
    page.goto(f"{demo.url}/app/local/p/assistant/experiments/after?c={before},{later}&assistant=1")
    panel = page.get_by_role("complementary", name="Assistant")
    chooser = panel.get_by_label("Experiment to analyse")
    chooser.wait_for()
    assert chooser.locator("option").all_inner_texts() == ["after", "before", "later"]
    panel.get_by_role("button", name="What improved from the last experiment?").click()
    answer = panel.get_by_role("region", name="What improved from the last experiment?")
    for name, eid in (("after", planted["after"]), ("later", later)):
        part = answer.get_by_role("region", name=f"Changes of {name}")
        part.get_by_text("Compared with").wait_for()
        assert "Compared with before" in part.inner_text()
        report = demo.post(f"/v1/experiment/{eid}/analysis/changes", {"base_experiment_id": before})
        paired = next(s for s in report["scores"] if s["name"] == "acc")["paired"]
        line = score_item(part, "acc").locator(".paired-line").inner_text()
        assert f"mean difference {paired['mean_diff'] * 100:.1f} pts" in line, (name, line)
    assert answer.get_by_role("region", name="Changes of before").count() == 0  # the base itself


def test_the_trace_assistant_in_a_fullscreen_trace(page: Any, demo: Demo, planted: dict[str, Any]) -> None:
    """A fullscreen trace offers its own assistant: a summary, the failed span and the slowest
    ones, computed from the trace's spans, each span one click away."""
    eid = demo.post("/v1/experiment", {"project_id": planted["project"], "name": "agent-run"})["id"]
    t = 1_800_000_000.0

    def span(sid: str, parent: str | None, name: str, kind: str, start: float, took: float, **f: Any) -> dict:
        row = {
            "id": sid,
            "span_id": sid,
            "root_span_id": "agent-1",
            "experiment_id": eid,
            "span_attributes": {"name": name, "type": kind},
            "metrics": {"start": start, "end": start + took},
            **f,
        }
        if parent:
            row["span_parents"] = [parent]
        return row

    rows = [
        span("agent-1", None, "agent", "task", t, 10.0, input="plan a trip", scores={"acc": 0.25}),
        span("agent-llm", "agent-1", "plan with the model", "llm", t + 0.5, 6.0),
        span(
            "agent-tool", "agent-1", "book hotel", "tool", t + 7, 2.0, error="HTTP 503 from the booking API"
        ),
    ]
    res = httpx.post(f"{demo.url}/logs3", json={"rows": rows}, headers=demo.headers, timeout=60)
    assert res.status_code == 200, res.text
    page.goto(f"{demo.url}/app/local/p/assistant/experiments/agent-run?tr=agent-1")
    trace = page.get_by_role("region", name="Trace")
    trace.wait_for()
    assert trace.get_by_role("button", name="Assistant on this trace").count() == 0  # fullscreen only
    trace.get_by_role("button", name="Fullscreen").click()
    trace.get_by_role("button", name="Assistant on this trace").click()
    panel = page.get_by_role("complementary", name="Trace assistant")
    panel.get_by_role("button", name="Summarise this trace").click()
    summary = panel.get_by_role("region", name="Summarise this trace")
    assert "3 spans over 10.0s" in summary.inner_text() or "3 spans over 10s" in summary.inner_text()
    assert "1 LLM call" in summary.inner_text() and "1 span failed" in summary.inner_text()
    assert "acc 25.00%" in summary.inner_text()
    panel.get_by_role("button", name="What took the longest?").click()
    slowest = panel.get_by_role("region", name="What took the longest?")
    assert [b.strip() for b in slowest.locator("li button").all_inner_texts()] == [
        "plan with the model",
        "book hotel",
    ]
    panel.get_by_role("button", name="Where did it fail?").click()
    failed = panel.get_by_role("region", name="Where did it fail?")
    failed.get_by_role("button", name="book hotel").click()
    page.wait_for_url(re.compile("sp=agent-tool"))
    page.locator(".span-detail[data-span-id='agent-tool']").get_by_text(
        "HTTP 503 from the booking API"
    ).wait_for()

"""`assay demo`: one command serves Assay with a demo project that has something in every view.

The demo runs once per module on a fresh data directory (four real `Eval()` runs through the
official SDK); the tests read what a user would look at through the API and in Chromium, then
re-run the command on the same directory (the same key, nothing loaded twice) and `--reset` it.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from assay.demo.agent import STEP_LIMIT
from assay.testing import sign_in
from tests.conftest import ASSAY

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

VARIANTS = ["baseline", "claude-sonnet", "gpt-4o", "prompt-v2"]


@dataclass
class Demo:
    url: str
    key: str
    data_dir: Path
    output: str

    def request(self, method: str, path: str, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.key}"}
        resp = httpx.request(method, self.url + path, headers=headers, timeout=60, **kw)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def sql(self, query: str) -> list[dict[str, Any]]:
        return list(self.request("POST", "/btql", json={"query": query, "fmt": "json"})["data"])

    def experiments(self) -> dict[str, dict[str, Any]]:
        found = self.request("GET", "/v1/experiment", params={"project_name": "demo"})["objects"]
        return {e["name"]: e for e in found}


class Running:
    """One `assay demo` process, its output in a log file."""

    def __init__(self, data_dir: Path, *args: str) -> None:
        self.log = data_dir.parent / f"{data_dir.name}-{time.monotonic_ns()}.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [ASSAY, "demo", "--port", "0", "--data-dir", str(data_dir), *args],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.data_dir = data_dir

    def ready(self, timeout: float = 300) -> Demo:
        deadline = time.time() + timeout
        while "Try: " not in self.log.read_text() and time.time() < deadline:
            assert self.proc.poll() is None, self.log.read_text()
            time.sleep(0.5)
        text = self.log.read_text()
        url = re.search(r"ready at (http://\S+)/app/", text).group(1)  # type: ignore[union-attr]
        key = re.search(r"API key: (\S+)", text).group(1)  # type: ignore[union-attr]
        return Demo(url, key, self.data_dir, text)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    run = Running(tmp_path_factory.mktemp("demo"))
    try:
        yield run
    finally:
        run.stop()


@pytest.fixture(scope="module")
def demo(running: Running) -> Demo:
    return running.ready()


def test_four_experiments_each_variant_with_improvements_and_regressions_against_the_baseline(demo):
    exps = demo.experiments()
    assert sorted(exps) == VARIANTS
    baseline = exps["baseline"]["id"]
    assert all(exps[name]["base_exp_id"] == baseline for name in VARIANTS if name != "baseline")
    assert len({e["dataset_id"] for e in exps.values()}) == 1
    for name in VARIANTS[1:]:
        summary = demo.request("GET", f"/v1/experiment/{exps[name]['id']}/summarize")
        assert summary["comparison_experiment_name"] == "baseline"
        for score in ("ExactMatch", "Correctness"):
            s = summary["scores"][score]
            assert s["improvements"] > 0 and s["regressions"] > 0, (name, score, s)
        assert summary["metrics"]["estimated_cost"]["metric"] > 0
        assert summary["metrics"]["llm_calls"]["metric"] >= 1
    # The story the README tells: gpt-4o is better overall, and worse at extraction.
    by_category = {
        (r["e"], r["c"]): r["s"]
        for name in ("baseline", "gpt-4o")
        for r in demo.sql(
            f"SELECT '{name}' AS e, metadata.category AS c, avg(scores.ExactMatch) AS s "
            f"FROM experiment('{exps[name]['id']}', shape => 'summary') GROUP BY 1, 2"
        )
    }
    assert by_category["gpt-4o", "capitals"] > by_category["baseline", "capitals"]
    assert by_category["gpt-4o", "extraction"] < by_category["baseline", "extraction"]


def test_the_dataset_has_200_cases_over_categories_and_difficulties_and_one_variant_has_trials(demo):
    exps = demo.experiments()
    cases = demo.request("POST", f"/v1/dataset/{exps['baseline']['dataset_id']}/fetch", json={"limit": 1000})
    records = cases["events"]
    assert len(records) >= 200
    assert {r["metadata"]["category"] for r in records} >= {
        "capitals",
        "arithmetic",
        "conversions",
        "extraction",
        "support",
        "charts",
    }
    assert {r["metadata"]["difficulty"] for r in records} == {"easy", "medium", "hard"}
    counts = {
        name: demo.sql(f"SELECT count(*) AS n FROM experiment('{e['id']}') WHERE is_root")[0]["n"]
        for name, e in exps.items()
    }
    assert counts["baseline"] == counts["gpt-4o"] == counts["claude-sonnet"] == len(records)
    assert counts["prompt-v2"] == 3 * len(records)
    per_case = demo.sql(
        f"SELECT origin.id AS id, count(*) AS n FROM experiment('{exps['prompt-v2']['id']}') "
        "WHERE is_root GROUP BY 1"
    )
    assert {r["n"] for r in per_case} == {3} and len(per_case) == len(records)


def llm_spans(demo: Demo, experiment: str, where: str = "true") -> list[dict[str, Any]]:
    eid = demo.experiments()[experiment]["id"]
    return demo.sql(
        f"SELECT input, output, metadata, metrics, span_parents, root_span_id FROM experiment('{eid}') "
        f"WHERE span_attributes.type = 'llm' AND span_attributes.name <> 'judge' AND {where} LIMIT 400"
    )


def test_llm_spans_hold_openai_messages_with_tool_calls_and_results(demo):
    spans = llm_spans(demo, "gpt-4o")
    assert spans and all(s["metadata"]["model"] == "gpt-4o" for s in spans)
    ok = [s for s in spans if s["output"] is not None]
    assert all(s["metrics"]["prompt_tokens"] > 0 and s["metrics"]["completion_tokens"] > 0 for s in ok)
    assert all(
        s["metrics"]["tokens"] == s["metrics"]["prompt_tokens"] + s["metrics"]["completion_tokens"]
        for s in ok
    )
    calls = [s for s in ok if s["output"][0]["message"].get("tool_calls")]
    assert calls, "some calls ask for a tool"
    call = calls[0]["output"][0]["message"]["tool_calls"][0]
    assert call["type"] == "function" and json.loads(call["function"]["arguments"])
    answered = [s for s in ok if any(m["role"] == "tool" for m in s["input"])]
    assert answered, "a later call reads the tool's result"
    result = next(m for m in answered[0]["input"] if m["role"] == "tool")
    assert result["tool_call_id"].startswith("call_")
    assert answered[0]["output"][0]["finish_reason"] == "stop"
    assert answered[0]["input"][0] == {"role": "system", "content": answered[0]["input"][0]["content"]}


def test_llm_spans_hold_anthropic_messages_with_tool_use_and_tool_results(demo):
    spans = [s for s in llm_spans(demo, "claude-sonnet") if s["output"] is not None]
    assert spans and all(s["metadata"]["model"] == "claude-3-5-sonnet-latest" for s in spans)
    assert all(s["output"]["type"] == "message" and s["output"]["role"] == "assistant" for s in spans)
    uses = [b for s in spans for b in s["output"]["content"] if b["type"] == "tool_use"]
    assert uses and all(u["id"].startswith("toolu_") and isinstance(u["input"], dict) for u in uses)
    results = [
        b
        for s in spans
        for m in s["input"]
        if m["role"] == "user" and isinstance(m["content"], list)
        for b in m["content"]
        if b["type"] == "tool_result"
    ]
    assert results and {r["tool_use_id"] for r in results} <= {u["id"] for u in uses}
    images = [
        b
        for s in spans
        for m in s["input"]
        if isinstance(m["content"], list)
        for b in m["content"]
        if b["type"] == "image"
    ]
    assert images and images[0]["source"]["media_type"] == "image/png"


def test_tool_spans_nest_under_function_spans_and_the_support_tool_calls_functions(demo):
    eid = demo.experiments()["baseline"]["id"]
    roots = demo.sql(
        f"SELECT root_span_id FROM experiment('{eid}') WHERE is_root AND metadata.category = 'support' "
        "AND error IS NULL LIMIT 8"
    )
    listed = ", ".join(f"'{r['root_span_id']}'" for r in roots)
    rows = demo.sql(
        f"SELECT span_id, span_parents, span_attributes FROM experiment('{eid}') WHERE root_span_id IN ({listed})"
    )
    by_id = {r["span_id"]: r for r in rows}

    def parent(r: dict[str, Any]) -> dict[str, Any]:
        return by_id[r["span_parents"][0]]

    tools = [r for r in rows if r["span_attributes"]["type"] == "tool"]
    assert tools and all(parent(t)["span_attributes"]["name"] == "tools" for t in tools)
    assert all(parent(t)["span_attributes"]["type"] == "function" for t in tools)
    inner = [r for r in rows if r["span_attributes"]["name"] == "orders_db.get"]
    assert inner and all(parent(r)["span_attributes"]["name"] == "lookup_order" for r in inner)


def test_the_judge_score_span_carries_a_rationale(demo):
    eid = demo.experiments()["baseline"]["id"]
    rows = demo.sql(
        f"SELECT scores, metadata, output, span_id FROM experiment('{eid}') "
        "WHERE span_attributes.type = 'score' AND span_attributes.name = 'Correctness' LIMIT 300"
    )
    assert rows
    for r in rows:
        assert r["metadata"]["choice"] in "ABCD" and len(r["metadata"]["rationale"]) > 20
        assert set(r["scores"]) == {"Correctness"}
    assert {r["metadata"]["choice"] for r in rows} >= {"A", "D"}
    judges = demo.sql(
        f"SELECT span_parents, metadata FROM experiment('{eid}') WHERE span_attributes.name = 'judge' LIMIT 5"
    )
    assert judges and judges[0]["metadata"]["model"] == "gpt-4o-mini"
    assert judges[0]["span_parents"][0] in {
        r["span_id"]
        for r in demo.sql(
            f"SELECT span_id FROM experiment('{eid}') WHERE span_attributes.name = 'Correctness'"
        )
    }


def test_task_errors_and_scorer_errors_are_recorded(demo):
    exps = demo.experiments()
    for name in VARIANTS:
        errors = demo.sql(
            f"SELECT error FROM experiment('{exps[name]['id']}') WHERE is_root AND error IS NOT NULL"
        )
        assert errors, name
    upstream = demo.sql(
        f"SELECT error FROM experiment('{exps['claude-sonnet']['id']}') WHERE is_root AND error IS NOT NULL"
    )
    assert any("overloaded" in str(r["error"]) for r in upstream)
    scorer_errors = [
        r
        for name in ("gpt-4o", "claude-sonnet")
        for r in demo.sql(
            f"SELECT metadata FROM experiment('{exps[name]['id']}') "
            "WHERE is_root AND metadata.scorer_errors IS NOT NULL"
        )
    ]
    failed = {k for r in scorer_errors for k in r["metadata"]["scorer_errors"]}
    assert failed == {"numeric_closeness", "json_fields"}


def test_chart_cases_carry_a_png_attachment_that_downloads(demo):
    eid = demo.experiments()["baseline"]["id"]
    rows = demo.sql(f"SELECT input FROM experiment('{eid}') WHERE is_root AND metadata.category = 'charts'")
    assert len(rows) >= 10
    ref = rows[0]["input"]["chart"]
    assert ref["type"] == "braintrust_attachment" and ref["content_type"] == "image/png"
    link = demo.request("GET", "/attachment", params={"key": ref["key"]})
    assert link["status"]["upload_status"] == "done"
    image = httpx.get(link["downloadUrl"], timeout=30)
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_one_long_trace_of_several_thousand_spans(demo):
    eid = demo.experiments()["baseline"]["id"]
    biggest = demo.sql(
        f"SELECT root_span_id, count(*) AS n FROM experiment('{eid}') GROUP BY 1 ORDER BY n DESC LIMIT 2"
    )
    assert biggest[0]["n"] > 3 * STEP_LIMIT >= 2000
    assert biggest[1]["n"] < 50  # only one
    root = demo.sql(
        f"SELECT error, input FROM experiment('{eid}') "
        f"WHERE is_root AND root_span_id = '{biggest[0]['root_span_id']}'"
    )[0]
    # The baseline's runaway research agent (the SDK logs no metadata on a trace whose task failed).
    assert "Attention Is All You Need" in root["input"] and "no answer after" in str(root["error"])


def test_the_assistants_slices_find_where_gpt_4o_is_weak(demo):
    """The README's tour: the slices analysis names `category = extraction` unprompted."""
    eid = demo.experiments()["gpt-4o"]["id"]
    found = demo.request("POST", f"/v1/experiment/{eid}/analysis/slices", json={"score": "ExactMatch"})
    assert [s["values"] for s in found["slices"]] == [[{"key": "category", "value": "extraction"}]]


def test_an_aggregate_score_a_classifier_and_topics_run_after_the_fact(demo):
    exps = demo.experiments()
    summary = demo.request("GET", f"/v1/experiment/{exps['gpt-4o']['id']}/summarize")
    overall = summary["scores"]["overall"]
    assert overall["improvements"] > 0 and overall["regressions"] > 0 and 0 < overall["score"] < 1
    for name, e in exps.items():
        labels = demo.sql(
            f"SELECT output FROM experiment('{e['id']}') WHERE span_attributes.type = 'classifier' "
            "AND span_attributes.name = 'answer style'"
        )
        assert len(labels) == len(demo.sql(f"SELECT id FROM experiment('{e['id']}') WHERE is_root")), name
        found = {c["label"] for r in labels for c in r["output"]}  # the labels (also in `classifications`)
        assert {"Short answer", "Number", "JSON"} <= found, (name, found)
    prose = demo.sql(
        f"SELECT output FROM experiment('{exps['claude-sonnet']['id']}') "
        "WHERE span_attributes.type = 'classifier' AND span_attributes.name = 'answer style'"
    )
    assert any(c["label"] == "Prose around the answer" for r in prose for c in r["output"])
    topics = demo.sql(
        f"SELECT output FROM experiment('{exps['baseline']['id']}') "
        "WHERE span_attributes.type = 'classifier' AND span_attributes.name = 'Topics'"
    )
    assert len(topics) == len(
        demo.sql(f"SELECT id FROM experiment('{exps['baseline']['id']}') WHERE is_root")
    )
    assert len({r["output"] for r in topics}) == 6  # each trace's topic, named by its terms


def test_two_reviewers_review_gpt_4o_and_rows_are_assigned_to_the_demo_user(demo):
    eid = demo.experiments()["gpt-4o"]["id"]
    progress = demo.request("GET", f"/v1/experiment/{eid}/summarize")["review_progress"]
    assert progress["reviewed"] == 8 and progress["total"] > 8
    reviewed = demo.sql(f"SELECT id, scores FROM experiment('{eid}') WHERE scores.helpfulness IS NOT NULL")
    assert len(reviewed) == 8
    both = [
        r
        for r in reviewed
        if len(demo.request("GET", f"/v1/experiment/{eid}/review", params={"id": r["id"]})["reviews"]) == 2
    ]
    assert len(both) == 4  # the demo user and Rita Reviewer, on the same rows
    state = demo.request("GET", f"/v1/experiment/{eid}/review", params={"id": both[0]["id"]})
    mine = [r["values"]["helpfulness"] for r in state["reviews"]]
    assert state["values"]["helpfulness"] == pytest.approx(sum(mine) / 2)  # averaged onto the row
    assert {r["reviewer"]["email"] for r in state["reviews"]} == {"demo@assay.local", "reviewer@assay.local"}
    views = demo.request("GET", f"/v1/experiment/{eid}/table/views")["objects"]
    mine_filter = next(v for v in views if v["id"] == "assigned_to_me")["filter"]
    assigned = demo.request("POST", f"/v1/experiment/{eid}/table", json={"filters": [mine_filter]})
    assert assigned["total"] == 6  # the demo key is the demo user's: their "Assigned to me"
    unreviewed = next(v for v in views if v["id"] == "unreviewed")["filter"]
    left = demo.request("POST", f"/v1/experiment/{eid}/table", json={"filters": [unreviewed]})
    assert left["total"] == progress["total"] - 8


def test_a_saved_view_compares_the_three_variants_against_the_baseline(demo):
    exps = demo.experiments()
    pid = exps["baseline"]["project_id"]
    views = demo.request(
        "GET", "/v1/view", params={"object_type": "project", "object_id": pid, "view_type": "experiment"}
    )["objects"]
    view = next(v for v in views if v["name"] == "Four-way comparison")
    ids = {exps[n]["id"] for n in ("gpt-4o", "claude-sonnet", "prompt-v2")}
    assert set(view["options"]["comparisonExperimentIds"]) == ids
    assert view["options"]["baseExperimentId"] == exps["baseline"]["id"]
    assert view["options"]["grouping"] == "metadata.category"


@pytest.fixture
def page(browser: Any, demo: Demo) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    sign_in(context, demo.url, demo.key)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    yield pg
    context.close()
    assert not errors, errors


@pytest.mark.browser
def test_the_printed_link_signs_a_fresh_browser_in_as_the_demo_user(browser, demo):
    """What the README says to do after `make demo`: open the printed sign-in link."""
    link = re.search(r"one-time link\): (http://\S+)", demo.output).group(1)  # type: ignore[union-attr]
    assert link.startswith(f"{demo.url}/app/accept#token=")
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        page = context.new_page()
        page.goto(link)
        page.get_by_text("demo@assay.local").first.wait_for()
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Projects").wait_for()
        page.get_by_role("link", name="demo").first.wait_for()  # the demo project, readable
        page.goto(link)  # the link works once
        page.get_by_text("already used").wait_for()
    finally:
        context.close()


def trace_with_tool(demo: Demo, experiment: str, tool: str) -> str:
    """A trace (the first by id) in which the agent called `tool`."""
    eid = demo.experiments()[experiment]["id"]
    return str(
        demo.sql(
            f"SELECT root_span_id FROM experiment('{eid}') WHERE span_attributes.type = 'tool' "
            f"AND span_attributes.name = '{tool}' ORDER BY root_span_id LIMIT 1"
        )[0]["root_span_id"]
    )


@pytest.mark.browser
def test_trace_view_shows_the_agent_tree_and_the_judges_rationale(page, demo):
    root = trace_with_tool(demo, "baseline", "lookup_order")
    page.goto(f"{demo.url}/app/local/p/demo/experiments/baseline?tr={root}")
    tree = page.get_by_role("region", name="Trace").get_by_role("tree", name="Span tree")
    tree.wait_for()
    for name in ("Chat Completion", "tools", "lookup_order", "orders_db.get", "Correctness", "judge"):
        tree.get_by_role("treeitem").filter(has_text=name).first.wait_for()
    scores = page.get_by_role("region", name="Span details").get_by_role("region", name="Scores")
    scores.get_by_label("Why Correctness").wait_for()
    assert "reference" in scores.get_by_label("Why Correctness").inner_text()


@pytest.mark.browser
def test_thread_view_shows_both_providers_conversations_with_tool_calls(page, demo):
    for experiment, tool in (("baseline", "calculator"), ("claude-sonnet", "search")):
        root = trace_with_tool(demo, experiment, tool)
        page.goto(f"{demo.url}/app/local/p/demo/experiments/{experiment}?tr={root}&tvt=thread")
        thread = page.get_by_role("region", name="Trace").get_by_label("Messages")
        thread.wait_for()
        roles = thread.locator("li.message").evaluate_all("ms => ms.map(m => m.dataset.role)")
        assert roles[:5] == ["system", "user", "assistant", "tool", "assistant"], (experiment, roles)
        assert thread.locator(f"[data-tool={tool}]").first.is_visible()


@pytest.mark.browser
def test_the_experiments_list_shows_the_four_experiments_and_compares_them(page, demo):
    page.goto(f"{demo.url}/app/local/p/demo")
    table = page.get_by_role("table", name="Experiments")
    for name in VARIANTS:
        table.locator(f"tr[data-experiment='{name}']").wait_for()
    exps = demo.experiments()
    others = ",".join(exps[n]["id"] for n in ("gpt-4o", "claude-sonnet", "prompt-v2"))
    base = exps["baseline"]["id"]
    page.goto(f"{demo.url}/app/local/p/demo/experiments/baseline?c={others}&base={base}")
    page.locator(".table-footer").filter(has_text="traces").first.wait_for()
    assert page.locator(".datatable [role=row][data-row-id]").count() > 0
    # each row's score cell holds one line per experiment: the baseline and the three variants
    lines = page.locator('.datatable [role=row][data-row-id] [data-column="scores.Correctness"]').first
    lines.locator(".cmp-line").nth(3).wait_for()
    assert lines.locator(".cmp-line").count() == 4
    # diff mode: each test case expands into one sub-row per experiment
    page.goto(f"{demo.url}/app/local/p/demo/experiments/baseline?c={others}&base={base}&diff=1")
    case = page.locator("section.cmp-case").first
    case.locator("tr.cmp-subrow").nth(3).wait_for()
    assert case.locator("tr.cmp-subrow").count() == 4


@pytest.mark.browser
def test_the_assistant_says_what_improved_against_the_baseline(page, demo):
    page.goto(f"{demo.url}/app/local/p/demo/experiments/gpt-4o?assistant=1")
    panel = page.get_by_role("complementary", name="Assistant")
    question = "What improved from the last experiment?"
    panel.get_by_role("button", name=question).click()
    answer = panel.get_by_role("region", name=question)
    answer.get_by_text("Compared with").wait_for()
    assert "baseline" in answer.inner_text()
    exact = answer.locator("li", has_text="ExactMatch").first
    assert re.search(r"▲\d+ improved", exact.inner_text()) and re.search(
        r"▼\d+ regressed", exact.inner_text()
    )


def test_rerunning_prints_the_same_key_and_loads_nothing_twice_and_reset_starts_over(running, demo):
    """Last in the module: it stops the module's server (one process holds the database)."""
    before = demo.experiments()
    assert (demo.data_dir / "demo-api-key").stat().st_mode & 0o077 == 0  # the owner's only
    running.stop()
    again = Running(demo.data_dir)
    try:
        second = again.ready(timeout=60)
    finally:
        again.stop()
    assert second.key == demo.key
    assert "already loaded" in second.output and "the same key as before" in second.output
    assert "Loading" not in second.output

    reset = Running(demo.data_dir, "--reset")
    try:
        third = reset.ready()
        assert third.key != demo.key
        after = third.experiments()
        assert sorted(after) == VARIANTS
        assert not {e["id"] for e in after.values()} & {e["id"] for e in before.values()}
        assert (
            third.sql(f"SELECT count(*) AS n FROM experiment('{after['baseline']['id']}') WHERE is_root")[0][
                "n"
            ]
            >= 200
        )
    finally:
        reset.stop()

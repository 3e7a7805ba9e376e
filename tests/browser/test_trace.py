"""The trace view as a user drives it (issue 8 items 1-5): open a row by click and by keyboard and
move on, fullscreen and its own page across reloads, score explanations, the timeline's order,
the thread of an OpenAI and an Anthropic agent with tool calls, and dark mode."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Demo, experiment_url
from tests.browser.helpers import row_ids, wait_rows
from tests.browser.trace_data import (
    DEEP,
    FILES_A,
    FILES_Q,
    RATIONALE,
    WEATHER_A,
    WEATHER_Q,
    anthropic_trace,
    big_trace,
    log_rows,
    openai_trace,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def agents(demo: Demo) -> dict[str, Any]:
    """Project `agents`, experiment `tools`: the OpenAI trace and the Anthropic trace."""
    pid = demo.post("/v1/project", {"name": "agents"})["id"]
    eid = demo.post("/v1/experiment", {"project_id": pid, "name": "tools"})["id"]
    openai, anthropic = openai_trace(eid), anthropic_trace(eid)
    plain = [
        {
            "id": "calc",
            "span_id": "calc",
            "root_span_id": "calc",
            "experiment_id": eid,
            "input": {"numbers": [1, 2]},
            "output": {"sum": 3},
            "span_attributes": {"name": "calc", "type": "task"},
        },
    ]
    log_rows(demo.url, demo.server.key, openai + anthropic + plain)
    return {
        "id": eid,
        "openai": openai[0]["root_span_id"],
        "anthropic": anthropic[0]["root_span_id"],
        "plain": "calc",
    }


def agents_url(demo: Demo, query: str = "") -> str:
    return f"{demo.url}/app/local/p/agents/experiments/tools{('?' + query) if query else ''}"


def rows_by_id(demo: Demo) -> dict[str, dict[str, Any]]:
    eid = demo.experiments["model-v2"]
    return {r["id"]: r for r in demo.post(f"/v1/experiment/{eid}/table", {"limit": 100})["rows"]}


def trace_panel(page: Any) -> Any:
    return page.get_by_role("region", name="Trace")


def shown_input(page: Any) -> str:
    field = page.get_by_role("region", name="Span details").get_by_role("region", name="Input")
    field.wait_for()
    return str(field.locator(".field-body").inner_text())


def test_open_a_trace_by_click_and_by_keyboard_and_move_to_the_next_row(page, demo):
    page.goto(experiment_url(demo))
    wait_rows(page, 60)
    order = row_ids(page)
    rows = rows_by_id(demo)
    first, second = rows[order[0]], rows[order[1]]
    page.locator(f".datatable [role=row][data-row-id='{first['id']}']").click()
    trace_panel(page).get_by_role("tree", name="Span tree").wait_for()
    assert f"tr={first['root_span_id']}" in page.url
    assert shown_input(page).strip() == first["input"]
    page.keyboard.press("j")  # the next row's trace replaces it
    page.wait_for_url(f"**tr={second['root_span_id']}**")
    page.get_by_role("region", name="Span details").get_by_text(second["input"], exact=True).wait_for()
    selected = page.locator(".datatable [role=row][aria-selected=true]")
    assert selected.get_attribute("data-row-id") == second["id"]
    page.keyboard.press("k")
    page.wait_for_url(f"**tr={first['root_span_id']}**")
    page.keyboard.press("Escape")
    trace_panel(page).wait_for(state="detached")
    assert "tr=" not in page.url

    # Keyboard only: focus a row, Enter opens it, the down arrow moves to the next row.
    page.locator(f".datatable [role=row][data-row-id='{second['id']}']").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**tr={second['root_span_id']}**")
    page.keyboard.press("ArrowDown")
    third = rows[order[2]]
    page.wait_for_url(f"**tr={third['root_span_id']}**")
    assert shown_input(page).strip() == third["input"]


def test_fullscreen_and_own_page_survive_a_reload(page, demo):
    page.goto(experiment_url(demo))
    wait_rows(page, 60)
    page.locator(".datatable [role=row][data-row-id]").first.click()
    panel = trace_panel(page)
    panel.get_by_role("tree", name="Span tree").wait_for()
    panel.get_by_role("button", name="Fullscreen").click()
    page.wait_for_url("**tfs=1**")
    page.reload()
    page.locator(".trace-panel.fullscreen").get_by_role("tree", name="Span tree").wait_for()
    # Select the LLM span, then open the trace on its own page: the span stays selected.
    page.get_by_role("treeitem").filter(has_text="chat completion").click()
    page.wait_for_url("**sp=**")
    span_id = page.get_by_role("treeitem", selected=True).get_attribute("data-span-id")
    page.get_by_role("link", name="Open in its own page").click()
    page.wait_for_url(f"**/trace/**sp={span_id}**")
    own = page.url
    page.reload()
    assert page.url == own
    page.get_by_role("tree", name="Span tree").wait_for()
    assert page.get_by_role("treeitem", selected=True).get_attribute("data-span-id") == span_id
    assert page.get_by_role("region", name="Span details").get_attribute("data-span-id") == span_id
    page.get_by_role("tab", name="Timeline").click()
    page.wait_for_url("**tvt=timeline**")
    page.reload()
    page.get_by_role("listbox", name="Timeline").wait_for()


def test_a_scores_explanation_is_visible(page, demo, agents):
    page.goto(agents_url(demo, f"tr={agents['openai']}"))
    scores = page.get_by_role("region", name="Span details").get_by_role("region", name="Scores")
    scores.get_by_text("Factuality").wait_for()
    assert "60.00%" in scores.inner_text()
    assert scores.get_by_label("Why Factuality").get_by_text(RATIONALE).is_visible()


def test_thread_shows_the_openai_and_anthropic_conversations_with_tool_calls(page, demo, agents):
    page.goto(agents_url(demo, f"tr={agents['openai']}&tvt=thread"))
    thread = page.get_by_role("region", name="Trace").get_by_label("Messages")
    thread.wait_for()
    roles = thread.locator("li.message").evaluate_all("ms => ms.map(m => m.dataset.role)")
    assert roles == ["system", "user", "assistant", "tool", "assistant"]  # deduplicated, in order
    assert thread.locator("[data-tool=get_weather]").is_visible()
    assert "Paris" in thread.locator("[data-tool=get_weather]").inner_text()
    assert "sunny" in thread.locator("li.message[data-role=tool]").inner_text()
    assert thread.locator("li.message").last.inner_text().endswith(WEATHER_A)
    assert thread.get_by_text(WEATHER_Q).count() == 1
    assert page.get_by_label("Thread scores").get_by_text("Factuality").is_visible()

    page.goto(agents_url(demo, f"tr={agents['anthropic']}&tvt=thread"))
    thread = page.get_by_role("region", name="Trace").get_by_label("Messages")
    thread.wait_for()
    roles = thread.locator("li.message").evaluate_all("ms => ms.map(m => m.dataset.role)")
    assert roles == ["user", "assistant", "tool", "assistant"]
    assert thread.locator("[data-tool=list_files]").is_visible()
    assert "a.txt b.txt c.txt" in thread.locator("li.message[data-role=tool]").inner_text()
    assert thread.get_by_text(FILES_Q).count() == 1
    assert FILES_A in thread.locator("li.message").last.inner_text()


def test_thread_explains_when_no_messages_are_recognised(page, demo, agents):
    page.goto(agents_url(demo, f"tr={agents['plain']}&tvt=thread"))
    trace = page.get_by_role("region", name="Trace")
    trace.get_by_text("No conversation recognised in this trace").wait_for()
    assert "OpenAI chat messages" in trace.inner_text() and "Anthropic messages" in trace.inner_text()
    assert trace.get_by_label("Messages").count() == 0


def test_timeline_bars_are_ordered_by_start_time(page, demo, agents):
    page.goto(agents_url(demo, f"tr={agents['openai']}&tvt=timeline"))
    timeline = page.get_by_role("listbox", name="Timeline")
    timeline.wait_for()
    bars = timeline.get_by_role("option")
    bars.first.wait_for()
    starts = [float(s) for s in bars.evaluate_all("bs => bs.map(b => b.dataset.start)")]
    assert len(starts) == 5 and starts == sorted(starts)
    colours = timeline.locator(".timeline-bar").evaluate_all("bs => bs.map(b => b.dataset.type)")
    assert colours == ["task", "llm", "tool", "llm", "score"]
    # Filter to LLM spans, keeping their ancestors, then without the hierarchy.
    page.get_by_role("button", name="Filter by span type").click()
    for kind in ("score", "task", "tool"):
        page.get_by_role("menuitem", name=kind, exact=True).click()
        if kind != "tool":
            page.get_by_role("button", name="Filter by span type").click()
    names = bars.evaluate_all("bs => bs.map(b => b.dataset.spanId)")
    assert names == [agents["openai"], f"{agents['openai']}-llm1", f"{agents['openai']}-llm2"]


def test_find_in_trace_highlights_matching_spans(page, demo, agents):
    page.goto(agents_url(demo, f"tr={agents['openai']}"))
    tree = page.get_by_role("tree", name="Span tree")
    tree.wait_for()
    page.get_by_label("Find in trace").fill("sunny")
    page.get_by_role("status").filter(has_text="spans").wait_for()
    matched = tree.locator(".tree-row.match").evaluate_all("rs => rs.map(r => r.dataset.spanId)")
    root = agents["openai"]
    assert set(matched) == {root, f"{root}-llm2", f"{root}-tool"}  # output, tool result, tool output
    page.get_by_label("Find in trace").press("Enter")
    assert page.get_by_role("treeitem", selected=True).get_attribute("data-span-id") in matched


def test_dark_mode_renders_and_is_remembered(page, demo, agents):
    page.goto(agents_url(demo, f"tr={agents['openai']}"))
    page.get_by_role("tree", name="Span tree").wait_for()
    page.get_by_role("button", name="Theme: system").click()
    page.get_by_role("menuitem", name="Dark").click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    page.reload()
    page.get_by_role("tree", name="Span tree").wait_for()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    panel = page.locator(".trace-view").evaluate(
        "e => getComputedStyle(e.closest('.trace-panel')).backgroundColor"
    )
    for colour in (background, panel):
        r, g, b = (int(x) for x in colour[colour.index("(") + 1 : colour.index(")")].split(",")[:3])
        assert max(r, g, b) < 60, colour  # a dark surface
    text = page.locator(".span-title").evaluate("e => getComputedStyle(e).color")
    assert min(int(x) for x in text[text.index("(") + 1 : text.index(")")].split(",")[:3]) > 180  # light text


@pytest.mark.slow
def test_a_30000_span_trace_opens_and_a_span_20_levels_deep_shows_its_details(page, demo):
    pid = demo.post("/v1/project", {"name": "big"})["id"]
    eid = demo.post("/v1/experiment", {"project_id": pid, "name": "big-trace"})["id"]
    log_rows(demo.url, demo.server.key, big_trace(eid, spans=30_000, input_bytes=2048))
    received: list[int] = []
    page.on("response", lambda r: received.append(len(r.body())) if "/trace/" in r.url else None)
    page.goto(f"{demo.url}/app/local/p/big/experiments/big-trace")
    wait_rows(page, 1)
    page.locator(".datatable [role=row][data-row-id]").first.click()
    tree = page.get_by_role("tree", name="Span tree")
    tree.wait_for()
    assert tree.get_attribute("data-span-count") == "30000"
    assert "30,000 spans" in page.locator(".trace-header").inner_text()
    assert tree.get_by_role("treeitem").count() < 200  # virtualised: only the rows in view exist
    page.get_by_label("Find in trace").fill(f"deep-{DEEP}")
    page.get_by_role("status").filter(has_text="1 span").wait_for()
    page.get_by_label("Find in trace").press("Enter")
    selected = tree.get_by_role("treeitem", selected=True)
    selected.filter(has_text=f"deep-{DEEP}").wait_for()
    assert selected.get_attribute("aria-level") == str(DEEP + 1)
    details = page.get_by_role("region", name="Span details")
    details.get_by_role("region", name="Input").get_by_text(f"the span {DEEP} levels deep").wait_for()
    # The browser got the skeleton and a few spans, never the 60 MB of inputs.
    assert sum(received) < 8 * 2**20, received


STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)


def test_the_app_runs_under_a_strict_content_security_policy(page, demo, agents):
    """No inline script, no injected <style>, no data: fonts: every page works under a policy
    allowing only the app's own origin (style attributes set through the CSSOM are allowed)."""

    def with_csp(route: Any) -> None:
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": STRICT_CSP})

    page.route("**/app/**", with_csp)
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI))"
    )
    page.goto(agents_url(demo))
    page.locator(".datatable [role=row][data-row-id]:not([data-row-id=''])").first.wait_for()
    page.locator(f".datatable [role=row][data-row-id='{agents['openai']}']").click()
    page.get_by_role("region", name="Span details").get_by_role("region", name="Input").wait_for()
    page.get_by_role("button", name="Views").click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Display", exact=True).click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Raw JSON").click()
    page.get_by_role("dialog", name="Raw JSON").get_by_role("tab", name="Full trace").click()
    page.keyboard.press("Escape")
    page.get_by_role("dialog").wait_for(state="hidden")
    page.get_by_role("tab", name="Thread").click()
    page.locator("li.message").first.wait_for()
    page.get_by_role("button", name="Theme: system").click()
    page.get_by_role("menuitem", name="Dark").click()
    page.get_by_role("tab", name="Timeline").click()
    page.locator(".timeline-bar").first.wait_for()
    page.wait_for_timeout(300)
    assert page.evaluate("window.__csp") == []
    assert page.evaluate("document.fonts.check('12px \"Inter Variable\"')")

"""Take the README's Web app screenshots of a running server holding the browser tests' project.

.venv/bin/assay keys create --data-dir /tmp/shots    # prints KEY (before serving: one process per database)
.venv/bin/assay serve --data-dir /tmp/shots &        # URL: http://127.0.0.1:8000
.venv/bin/python -c "import sys; from tests.browser.questions.evaluation import run; run(*sys.argv[1:])" URL KEY
.venv/bin/python -m tests.browser.screenshots URL KEY

(The guided tour's screenshots come from `assay demo` itself: tests/browser/tour.py.)

The trace-view shots use the demo's traces and, for the thread, the agent traces of
tests/browser/trace_data.py, which this script logs once (project `agents`) through the API.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import httpx

from assay.testing import CHROMIUM_ARGS, sign_in
from tests.browser.compare_data import PROJECT, make_project
from tests.browser.trace_data import anthropic_trace, log_rows, openai_trace

DOCS = Path(__file__).resolve().parents[2] / "docs"


def main(url: str, key: str) -> None:
    from playwright.sync_api import sync_playwright

    h = {"Authorization": f"Bearer {key}"}
    pid = httpx.get(f"{url}/v1/project", params={"project_name": "demo"}, headers=h).json()["objects"][0][
        "id"
    ]
    exps = {
        e["name"]: e["id"]
        for e in httpx.get(f"{url}/v1/experiment", params={"project_id": pid}, headers=h).json()["objects"]
    }
    exp = f"{url}/app/local/p/demo/experiments/model-v2?c={exps['model-v1']}"
    agents = agent_traces(url, key)
    table = httpx.post(f"{url}/v1/experiment/{exps['model-v2']}/table", json={"limit": 1}, headers=h).json()
    trace = f"{url}/app/local/p/demo/experiments/model-v2?tr={table['rows'][0]['root_span_id']}"
    tree = ".span-detail [aria-label=Input] .field-body"  # the tree, and the selected span loaded
    shots = {
        "experiments-list.png": (
            f"{url}/app/local/p/demo",
            "table[aria-label=Experiments] tbody tr[data-experiment]",
        ),
        "experiment-table.png": (exp + "&details=1", ".datatable [role=row][data-row-id]"),
        "experiment-grid.png": (exp + "&layout=grid", "table[aria-label='Grid layout'] tbody tr"),
        "summary-table.png": (exp + "&layout=summary_table", "table[aria-label='Summary table'] tbody tr"),
        "experiment-grouped.png": (
            exp + "&group=metadata.category&gc=1",
            "table[aria-label=Groups] tbody tr",
        ),
        "trace-tree.png": (f"{url}/app/local/p/agents/experiments/tools?tr={agents}", tree),
        "trace-timeline.png": (
            f"{url}/app/local/p/agents/experiments/tools?tr={agents}&tvt=timeline",
            ".timeline-bar",
        ),
        "trace-thread.png": (
            f"{url}/app/local/p/agents/experiments/tools?tr={agents}&tvt=thread",
            "li.message",
        ),
        "trace-demo.png": (trace, tree),
    }
    three = make_project(url, key, exps)
    compared = f"{url}/app/local/p/{PROJECT}/experiments/model-v2?c={three['model-v1']},{three['model-v3']}"
    # A three-way comparison, light and dark. Every shot is 1280x800: the smallest screen the app
    # is made for, where crowding shows first.
    compare = {
        "compare-list": (compared, ".datatable [role=row][data-row-id] .cmp-line"),
        "compare-diff": (compared + "&diff=1", "section.cmp-case ins.diff-add"),
        "compare-summary": (compared + "&layout=summary", "figure.histogram svg"),
    }
    dark = {"dark-mode.png": (f"{url}/app/local/p/agents/experiments/tools?tr={agents}", tree)}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        runs = [
            (shots, {"width": 1280, "height": 800}, "light"),
            (dark, {"width": 1280, "height": 800}, "dark"),
            ({f"{n}.png": v for n, v in compare.items()}, {"width": 1280, "height": 800}, "light"),
            ({f"{n}-dark.png": v for n, v in compare.items()}, {"width": 1280, "height": 800}, "dark"),
        ]
        for targets, viewport, scheme in runs:
            context = browser.new_context(viewport=viewport, color_scheme=scheme)  # type: ignore[arg-type]
            sign_in(context, url, key)
            page = context.new_page()
            for name, (target, ready) in targets.items():
                page.goto(target)
                page.locator(ready).first.wait_for()
                page.wait_for_timeout(600)
                page.screenshot(path=str(DOCS / name))
                print("wrote", DOCS / name)
            context.close()
        browser.close()


def agent_traces(url: str, key: str) -> str:
    """Project `agents`, experiment `tools` with the OpenAI and Anthropic agent traces (logged once);
    returns the OpenAI trace's root span id."""
    h = {"Authorization": f"Bearer {key}"}
    pid = httpx.post(f"{url}/v1/project", json={"name": "agents"}, headers=h).json()["id"]
    eid = httpx.post(f"{url}/v1/experiment", json={"project_id": pid, "name": "tools"}, headers=h).json()[
        "id"
    ]
    found = httpx.post(f"{url}/v1/experiment/{eid}/table", json={"limit": 10}, headers=h).json()["rows"]
    roots = [r["root_span_id"] for r in found if str(r["root_span_id"]).startswith("openai-")]
    if roots:
        return str(roots[0])
    rows = openai_trace(eid)
    log_rows(url, key, rows + anthropic_trace(eid))
    return str(rows[0]["root_span_id"])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

"""Take the screenshots of the README's guided tour from the demo project, so they never go stale.

.venv/bin/python -m tests.browser.tour              # runs `assay demo` on a fresh temporary data dir
.venv/bin/python -m tests.browser.tour URL KEY      # or uses a running `assay demo`

Every image is written to docs/tour-*.png; the README shows them in the order of `SHOTS`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from assay.testing import CHROMIUM_ARGS, sign_in

DOCS = Path(__file__).resolve().parents[2] / "docs"
ASSAY = Path(sys.executable).parent / "assay"


class Tour:
    """The running demo: its URL, key and experiment ids, and SQL over it."""

    def __init__(self, url: str, key: str) -> None:
        self.url, self.key = url, key
        found = self.get("/v1/experiment", project_name="demo")["objects"]
        self.exps = {e["name"]: e["id"] for e in found}

    def get(self, path: str, **params: Any) -> Any:
        res = httpx.get(self.url + path, params=params, headers=self.headers, timeout=60)
        res.raise_for_status()
        return res.json()

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def trace(self, experiment: str, tool: str) -> str:
        """The first trace (by case id) in which the agent called `tool` and did not fail."""
        return str(
            self.sql(
                f"SELECT root_span_id, origin.id AS case_id FROM experiment('{self.exps[experiment]}') "
                f"WHERE is_root AND error IS NULL AND root_span_id IN ({self._roots_calling(experiment, tool)}) "
                "ORDER BY case_id LIMIT 1"
            )[0]["root_span_id"]
        )

    def _roots_calling(self, experiment: str, tool: str) -> str:
        rows = self.sql(
            f"SELECT root_span_id FROM experiment('{self.exps[experiment]}') "
            f"WHERE span_attributes.type = 'tool' AND span_attributes.name = '{tool}'"
        )
        return ", ".join(f"'{r['root_span_id']}'" for r in rows)

    def sql(self, query: str) -> list[dict[str, Any]]:
        res = httpx.post(
            self.url + "/btql", json={"query": query, "fmt": "json"}, headers=self.headers, timeout=60
        )
        res.raise_for_status()
        return list(res.json()["data"])

    def longest(self, experiment: str) -> str:
        """The root span id of the trace with the most spans."""
        return str(
            self.sql(
                f"SELECT root_span_id, count(*) AS n FROM experiment('{self.exps[experiment]}') "
                "GROUP BY 1 ORDER BY n DESC LIMIT 1"
            )[0]["root_span_id"]
        )

    def others(self, experiment: str) -> str:
        """The ids of every experiment but `experiment`, for `c=` (a comparison of all of them)."""
        return ",".join(i for name, i in sorted(self.exps.items()) if name != experiment)

    def page(self, experiment: str, query: str = "") -> str:
        return f"{self.url}/app/local/p/demo/experiments/{experiment}{'?' + query if query else ''}"


IMPROVED = "What improved from the last experiment?"


def ask_what_improved(page: Any) -> None:
    panel = page.get_by_role("complementary", name="Assistant")
    panel.get_by_role("button", name=IMPROVED).click()
    panel.get_by_role("region", name=IMPROVED).get_by_text("Compared with").wait_for(timeout=60_000)


# name -> (the page to open, what must be on it, then what to do before the shot)
Shot = tuple[str, str] | tuple[str, str, Callable[[Any], None]]
SHOTS: dict[str, Callable[[Tour], Shot]] = {
    "tour-experiments.png": lambda t: (
        f"{t.url}/app/local/p/demo",
        "table[aria-label=Experiments] tbody tr[data-experiment=prompt-v2]",
    ),
    "tour-trace.png": lambda t: (
        t.page("baseline", f"tr={t.trace('baseline', 'lookup_order')}"),
        "[aria-label='Why Correctness']",
    ),
    "tour-thread.png": lambda t: (
        t.page("claude-sonnet", f"tr={t.trace('claude-sonnet', 'search')}&tvt=thread"),
        "li.message[data-role=tool]",
    ),
    "tour-long-trace.png": lambda t: (
        t.page("baseline", f"tr={t.longest('baseline')}&tfs=1"),
        "[role=treeitem]:has-text('step 3')",
    ),
    "tour-compare.png": lambda t: (
        t.page("gpt-4o", f"c={t.exps['baseline']}&group=metadata.category&gc=1"),
        "table[aria-label=Groups] tbody tr, tr.group-row",
    ),
    "tour-compare-four.png": lambda t: (
        t.page("baseline", f"c={t.others('baseline')}&base={t.exps['baseline']}"),
        '.datatable [role=row][data-row-id] [data-column="scores.Correctness"] .cmp-line >> nth=3',
    ),
    "tour-diff.png": lambda t: (
        t.page("baseline", f"c={t.others('baseline')}&base={t.exps['baseline']}&diff=1"),
        "section.cmp-case tr.cmp-subrow >> nth=3",
    ),
    "tour-assistant.png": lambda t: (
        t.page("gpt-4o", "assistant=1"),
        "[aria-label=Assistant]",
        ask_what_improved,
    ),
}


def take(tour: Tour) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 860})
        sign_in(context, tour.url, tour.key)
        page = context.new_page()
        for name, shot in SHOTS.items():
            target, ready, *then = shot(tour)
            page.goto(target)
            page.locator(ready).first.wait_for(timeout=60_000)
            for action in then:
                action(page)
            page.wait_for_timeout(600)
            page.screenshot(path=str(DOCS / name))
            print("wrote", DOCS / name)
        browser.close()


@contextmanager
def fresh_demo() -> Iterator[tuple[str, str]]:
    """`assay demo` on a temporary data directory, until the block ends."""
    data_dir = Path(tempfile.mkdtemp(prefix="assay-tour-"))
    log = data_dir.parent / f"{data_dir.name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(ASSAY), "demo", "--port", "0", "--data-dir", str(data_dir)], stdout=out, stderr=out
        )
    try:
        deadline = time.time() + 600
        while "Try: " not in log.read_text():
            if proc.poll() is not None or time.time() > deadline:
                raise SystemExit(f"assay demo did not start:\n{log.read_text()}")
            time.sleep(0.5)
        text = log.read_text()
        url = re.search(r"ready at (http://\S+)/app/", text).group(1)  # type: ignore[union-attr]
        key = re.search(r"API key: (\S+)", text).group(1)  # type: ignore[union-attr]
        yield url, key
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)
        log.unlink(missing_ok=True)


def main(argv: list[str]) -> None:
    if len(argv) == 2:
        take(Tour(*argv))
        return
    with fresh_demo() as (url, key):
        take(Tour(url, key))


if __name__ == "__main__":
    main(sys.argv[1:])

"""Take the README's screenshots of a running server with the demo loaded.

.venv/bin/python -m tests.browser.screenshots http://127.0.0.1:8000 <api key>
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import httpx

from tests.browser.conftest import CHROMIUM_ARGS

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
    shots = {
        "experiments-list.png": (
            f"{url}/app/local/p/demo",
            "table[aria-label=Experiments] tbody tr[data-experiment]",
        ),
        "experiment-table.png": (exp + "&details=1", ".datatable [role=row][data-row-id]"),
        "experiment-grid.png": (exp + "&layout=grid", "table[aria-label='Grid layout'] tbody tr"),
        "summary-table.png": (exp + "&layout=summary_table", "table[aria-label='Summary table'] tbody tr"),
        "experiment-grouped.png": (exp + "&group=metadata.category&gc=1", "tr.group-row"),
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 860})
        context.add_init_script(f"localStorage.setItem('assay.api_key', {key!r})")
        page = context.new_page()
        for name, (target, ready) in shots.items():
            page.goto(target)
            page.locator(ready).first.wait_for()
            page.wait_for_timeout(600)
            page.screenshot(path=str(DOCS / name))
            print("wrote", DOCS / name)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

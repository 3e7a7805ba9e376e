"""Open a 100,000-trace experiment in headless Chromium and time what a user waits for.

    .venv/bin/python bench/ui.py [--traces 100000] [--data-dir bench/data/ui]

Reports time to first rows (navigation start → first row painted), time to apply a filter (choosing
the Errors view → the filtered rows shown; and until their count is shown), time to group (choosing a group-by field → group rows
shown), the JS heap and the resident memory of all Chromium processes. The data set is generated
once through `/logs3` and reused. Figures are printed and written to bench/results/ui.json; no target
is asserted (see DESIGN.md, Testing).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import psutil

from assay.testing import CHROMIUM_ARGS, sign_in, start_server

ROOT = Path(__file__).resolve().parents[1]
CATEGORIES = ["capitals", "arithmetic", "science", "history", "language"]


def serve(data_dir: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    """Serve the kept data directory, reusing the key made when it was generated."""
    key_file = data_dir / "key"
    server = start_server(data_dir, key=key_file.read_text().strip() if key_file.exists() else None)
    key_file.write_text(server.key)
    return server.process, server.url, server.key


def ensure_data(url: str, key: str, traces: int) -> None:
    """A project `bench-ui` with experiment `big-<traces>`: a root and an llm span per trace."""
    h = {"Authorization": f"Bearer {key}"}
    pid = httpx.post(url + "/v1/project", json={"name": "bench-ui"}, headers=h).json()["id"]
    name = f"big-{traces}"
    found = httpx.get(url + "/v1/experiment", params={"project_id": pid, "experiment_name": name}, headers=h)
    if found.json()["objects"]:
        return
    eid = httpx.post(url + "/v1/experiment", json={"project_id": pid, "name": name}, headers=h).json()["id"]
    rnd = random.Random(7)
    batch: list[dict] = []
    started = time.time()
    with httpx.Client(timeout=300, headers=h) as client:
        for i in range(traces):
            root, llm = str(uuid.uuid4()), str(uuid.uuid4())
            t0 = 1_700_000_000 + i
            cat = CATEGORIES[i % len(CATEGORIES)]
            batch.append(
                {
                    "id": root,
                    "span_id": root,
                    "root_span_id": root,
                    "experiment_id": eid,
                    "input": f"question {i} about {cat}",
                    "output": f"answer {i}",
                    "expected": f"answer {i}",
                    "scores": {"accuracy": rnd.random(), "exact": float(rnd.random() < 0.7)},
                    "metadata": {"category": cat, "difficulty": rnd.choice(["easy", "medium", "hard"])},
                    "metrics": {"start": t0, "end": t0 + rnd.random()},
                    "error": "timeout" if i % 97 == 0 else None,
                    "span_attributes": {"type": "eval", "name": "eval"},
                }
            )
            batch.append(
                {
                    "id": llm,
                    "span_id": llm,
                    "root_span_id": root,
                    "span_parents": [root],
                    "experiment_id": eid,
                    "metrics": {
                        "start": t0,
                        "end": t0 + 0.5,
                        "prompt_tokens": 30,
                        "completion_tokens": 5,
                        "tokens": 35,
                    },
                    "metadata": {"model": "gpt-4o-mini"},
                    "span_attributes": {"type": "llm", "name": "chat"},
                }
            )
            if len(batch) >= 10_000:
                client.post(url + "/logs3", json={"rows": batch, "api_version": 2}).raise_for_status()
                batch = []
        if batch:
            client.post(url + "/logs3", json={"rows": batch, "api_version": 2}).raise_for_status()
    print(f"generated {traces} traces in {time.time() - started:.1f} s")


def chromium_memory() -> tuple[int, int]:
    """(RSS, USS) summed over the Chromium processes this script started. RSS counts shared pages
    once per process, so it overstates; USS counts only each process's own pages."""
    procs = [p for p in psutil.Process().children(recursive=True) if "chrom" in p.name().lower()]
    rss = sum(p.memory_info().rss for p in procs)
    uss = sum(p.memory_full_info().uss for p in procs)
    return rss, uss


def measure(url: str, key: str, traces: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    target = f"{url}/app/local/p/bench-ui/experiments/big-{traces}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        sign_in(context, url, key)
        page = context.new_page()
        page.goto(f"{url}/app/login")  # warm the asset cache, as a returning user has it
        t0 = time.perf_counter()
        page.goto(target)
        page.wait_for_function(
            "() => !!document.querySelector('.datatable [role=row][data-row-id]:not([data-row-id=\"\"])')",
            timeout=120_000,
        )
        first_rows = time.perf_counter() - t0
        page.locator(".table-footer").filter(has_text=f"{traces:,} traces").wait_for(timeout=120_000)
        page.locator(".hstats").first.wait_for(timeout=120_000)  # the page has settled: headers are in

        page.get_by_role("button", name="Views").click()
        t0 = time.perf_counter()
        page.get_by_role("menuitem", name="Errors", exact=True).click()
        errors = len(range(0, traces, 97))
        page.wait_for_function(
            f"() => document.querySelector('.table-footer').textContent !== '{traces:,} traces'"
            " && !!document.querySelector('.datatable [role=row][data-row-id]:not([data-row-id=\"\"])')",
            timeout=120_000,
        )
        filtered = time.perf_counter() - t0  # the filtered rows are on screen
        page.locator(".table-footer").filter(has_text=f"{errors:,} traces").wait_for(timeout=120_000)
        filtered_total = time.perf_counter() - t0  # ... and their count

        page.get_by_role("button", name="Views").click()
        page.get_by_role("menuitem", name="Default view").click()
        page.locator(".table-footer").filter(has_text=f"{traces:,} traces").wait_for(timeout=120_000)
        page.get_by_role("button", name="Display").click()
        t0 = time.perf_counter()
        page.get_by_label("Group by").select_option("metadata.category")
        page.locator("table[aria-label=Groups] tr.group-row").nth(len(CATEGORIES) - 1).wait_for(
            timeout=120_000
        )
        grouped = time.perf_counter() - t0
        page.keyboard.press("Escape")

        page.get_by_role("button", name="Display").click()
        page.get_by_label("Group by").select_option("")
        page.keyboard.press("Escape")
        page.locator(".datatable .scroller").first.evaluate("e => e.scrollTop = e.scrollHeight / 2")
        page.wait_for_timeout(1500)
        heap = page.evaluate("() => performance.memory ? performance.memory.usedJSHeapSize : 0")
        rss, uss = chromium_memory()
        browser.close()
    return {
        "traces": traces,
        "first_rows_s": round(first_rows, 3),
        "filter_s": round(filtered, 3),
        "filter_with_count_s": round(filtered_total, 3),
        "group_s": round(grouped, 3),
        "js_heap_mb": round(heap / 2**20, 1),
        "chromium_rss_mb": round(rss / 2**20, 1),
        "chromium_uss_mb": round(uss / 2**20, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--traces", type=int, default=100_000)
    ap.add_argument("--data-dir", type=Path, default=ROOT / "bench" / "data" / "ui")
    args = ap.parse_args()
    proc, url, key = serve(args.data_dir)
    try:
        ensure_data(url, key, args.traces)
        result = measure(url, key, args.traces)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(json.dumps(result, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "ui.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()

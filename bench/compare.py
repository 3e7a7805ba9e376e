"""Comparison benchmark: a base and 7 experiments of 100,000 traces each, through a real server.

    .venv/bin/python bench/compare.py [--traces 100000] [--experiments 8] [--repeat 5] [--regenerate]
                                      [--data-dir DIR] [--only summary,groups] [--browser]

Generates (by this script, once; kept in bench/data/compare/) one project with EXPERIMENTS
experiments of TRACES traces (a root span with input, output, expected and metadata, an llm span
with tokens, a score span with two scores), written through the store's write path; every
experiment runs the same test cases with different scores, and a tenth of the cases run twice
(trials). Then it starts `assay serve` on that data and times over HTTP, median of --repeat runs
after one warm-up (the wall time, and the server process's CPU time, all threads):

  first rows     POST /v1/experiment/{newest}/compare/rows: the first 100 rows, each with the
                 base's and the 6 other experiments' test cases and deltas (what the List shows)
  summary        GET /v1/experiment/{base}/compare?with=…7: means, improvements, regressions and
                 the paired t-test (95% CI, p) of every score and metric for all 8 experiments
  regressions    the first 100 rows whose test case regressed on one score in one experiment
  count          how many rows regressed (the footer)
  histograms     10-bin histograms of every score for the 8 experiments
  groups         per metadata.category, all 8 experiments with improvements/regressions

With --browser it also opens the comparison in headless Chromium and times navigation start → the
first row with its deltas painted (List), and → the first confidence interval shown (Summary).

Targets on a 2-core machine: first rows < 1 s and summary < 1 s. Figures are printed and written
to bench/results/compare.json; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from assay.services.auth import create_api_key
from assay.store import open_store
from assay.store.base import ObjectRef, RowWrite, WriteRequest
from assay.testing import start_server

ROOT = Path(__file__).resolve().parents[1]
console = Console()
CATEGORIES = ("math", "code", "writing", "trivia", "reasoning")


def spans(n: int, trial: int, seed: int, rnd: random.Random) -> list[dict[str, Any]]:
    """Test case n (trial `trial`) of experiment `seed`: a root, an llm and a score span."""
    root, llm, score = (str(uuid.uuid4()) for _ in range(3))
    t0 = 1_700_000_000.0 + n
    question = f"case {n}: what is {n} * 3? Answer with the number only."
    good = rnd.random() < 0.55 + 0.04 * seed
    common = {"root_span_id": root, "created": "2026-11-01T12:00:00+00:00"}
    return [
        {
            **common,
            "id": root,
            "span_id": root,
            "input": {"question": question, "case": n},
            "output": f"The answer is {n * 3 if good else n * 3 + 1}.",
            "expected": f"The answer is {n * 3}.",
            "metadata": {"category": CATEGORIES[n % 5], "trial": trial, "model": f"model-{seed}"},
            "metrics": {"start": t0, "end": t0 + 1.0 + rnd.random()},
            "span_attributes": {"name": "eval", "type": "eval"},
        },
        {
            **common,
            "id": llm,
            "span_id": llm,
            "span_parents": [root],
            "metrics": {
                "start": t0 + 0.1,
                "end": t0 + 0.9,
                "prompt_tokens": 30 + n % 200,
                "completion_tokens": 5 + (n + seed) % 20,
            },
            "span_attributes": {"name": "chat", "type": "llm"},
        },
        {
            **common,
            "id": score,
            "span_id": score,
            "span_parents": [root],
            "scores": {"accuracy": float(good), "relevance": round(rnd.random(), 3)},
            "span_attributes": {"name": "scorers", "type": "score"},
        },
    ]


def test_cases(traces: int) -> list[tuple[int, int]]:
    """(case, trial) of every trace, in write order: a tenth of the cases run twice."""
    cases = [(n, 0) for n in range(traces * 10 // 11)]
    return cases + [(n, 1) for n in range(traces - len(cases))]


def reference_accuracy(seed: int, traces: int) -> dict[int, list[float]]:
    """Experiment `seed`'s accuracy per test case (one value per trial), recomputed by replaying
    `spans`' random draws (good or not, duration, relevance) without the server."""
    rnd = random.Random(seed)
    out: dict[int, list[float]] = {}
    for n, _ in test_cases(traces):
        good = rnd.random() < 0.55 + 0.04 * seed
        rnd.random(), rnd.random()  # the duration and the relevance
        out.setdefault(n, []).append(float(good))
    return out


def check_against_reference(summary: dict[str, Any], experiments: int, traces: int) -> list[str]:
    """The summary's accuracy figures against a hand computation (plain Python, and SciPy's
    ttest_rel when installed): means, differences, improvements/regressions, the paired test.
    Returns the mismatches (empty when every figure agrees)."""
    by_seed = [reference_accuracy(seed, traces) for seed in range(experiments)]
    base = {n: statistics.fmean(v) for n, v in by_seed[0].items()}
    measure = next(m for m in summary["scores"] if m["name"] == "accuracy")
    problems: list[str] = []

    def same(label: str, got: Any, want: float) -> None:
        if got is None or abs(got - want) > 1e-9 * max(1.0, abs(want)):
            problems.append(f"{label}: server {got}, reference {want}")

    try:
        from scipy import stats as scipy_stats
    except ImportError:  # the bench runs without the test extra too; the t-test is then not checked
        scipy_stats = None
    for seed, (cases, side) in enumerate(zip(by_seed, measure["experiments"], strict=True)):
        values = [v for vs in cases.values() for v in vs]
        same(f"run-{seed} mean", side["value"], statistics.fmean(values))
        if seed == 0:
            continue
        same(
            f"run-{seed} diff",
            side["diff"],
            statistics.fmean(values) - statistics.fmean([v for vs in by_seed[0].values() for v in vs]),
        )
        same(
            f"run-{seed} improvements",
            side["improvements"],
            sum(v > base[n] for n, vs in cases.items() for v in vs),
        )
        same(
            f"run-{seed} regressions",
            side["regressions"],
            sum(v < base[n] for n, vs in cases.items() for v in vs),
        )
        mine = [statistics.fmean(cases[n]) for n in base]
        theirs = list(base.values())
        paired = side["paired"]
        same(f"run-{seed} paired n", paired["n"], len(mine))
        same(
            f"run-{seed} mean_diff",
            paired["mean_diff"],
            statistics.fmean(a - b for a, b in zip(mine, theirs, strict=True)),
        )
        if scipy_stats is not None:
            want = scipy_stats.ttest_rel(mine, theirs)
            ci = want.confidence_interval(0.95)
            same(f"run-{seed} p_value", paired["p_value"], float(want.pvalue))
            same(f"run-{seed} ci_low", paired["ci_low"], float(ci.low))
            same(f"run-{seed} ci_high", paired["ci_high"], float(ci.high))
    return problems


def generate(data_dir: Path, experiments: int, traces: int) -> str:
    """Write the data set and return an API key for it."""
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    store = open_store(f"duckdb:///{(data_dir / 'assay.duckdb').resolve()}")
    try:
        key = create_api_key(store, "local")
        org = store.ensure_org("local")
        project, _ = store.create_object(
            "project",
            {
                "id": str(uuid.uuid4()),
                "org_id": org.id,
                "name": "bench-compare",
                "created": "2026-11-01T00:00:00+00:00",
                "deleted_at": None,
            },
        )
        cases = test_cases(traces)
        with Progress(console=console, transient=True) as bar:
            for seed in range(experiments):
                doc = {
                    "id": str(uuid.uuid4()),
                    "project_id": project["id"],
                    "name": f"run-{seed}",
                    "created": f"2026-11-{seed + 1:02d}T00:00:00+00:00",
                    "deleted_at": None,
                }
                exp, _ = store.create_object("experiment", doc)
                ref = ObjectRef("experiment", exp["id"])
                rnd = random.Random(seed)
                task = bar.add_task(f"writing run-{seed}", total=traces)
                for start in range(0, traces, 2000):
                    rows = [r for n, t in cases[start : start + 2000] for r in spans(n, t, seed, rnd)]
                    store.write(WriteRequest(rows=[RowWrite(ref, project["id"], r["id"], r) for r in rows]))
                    bar.update(task, advance=min(2000, traces - start))
        ids = [e["id"] for e in store.list_objects("experiment", project_id=project["id"])]
        started = time.perf_counter()
        store.refresh_summaries("experiment", ids)  # type: ignore[attr-defined]  # DuckDB only
        console.print(
            f"trace summaries of {experiments * traces:,} traces: {time.perf_counter() - started:.1f} s"
        )
    finally:
        store.close()
    (data_dir / "key").write_text(key)
    (data_dir / "shape").write_text(f"{experiments}x{traces}")
    return key


def cpu_seconds(pid: int) -> float:
    """The process's CPU time so far, all threads (utime + stime of /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(fn: Callable[[], Any], repeat: int, pid: int) -> tuple[float, float, float, Any]:
    """Median wall milliseconds and median server CPU milliseconds of `repeat` runs after a warm-up
    (on a shared machine the CPU figure moves far less than the wall time), and the warm-up's wall
    milliseconds (the first comparison of an experiment builds its stored test cases)."""
    start = time.perf_counter()
    result = fn()  # warm-up
    first = (time.perf_counter() - start) * 1000
    samples, cpu = [], []
    for _ in range(repeat):
        start, used = time.perf_counter(), cpu_seconds(pid)
        result = fn()
        samples.append(time.perf_counter() - start)
        cpu.append(cpu_seconds(pid) - used)
    return first, statistics.median(samples) * 1000, statistics.median(cpu) * 1000, result


def in_browser(url: str, key: str, repeat: int) -> dict[str, dict[str, Any]]:
    """Navigation start to the first row with deltas (List), and to the first interval (Summary)."""
    import shutil as sh

    from playwright.sync_api import sync_playwright

    from assay.testing import CHROMIUM_ARGS, sign_in

    out: dict[str, dict[str, Any]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=sh.which("chromium"), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        sign_in(context, url.split("/app/", 1)[0], key)
        page = context.new_page()
        for name, target, ready in (
            ("browser first rows", url, ".datatable [role=row][data-row-id] .cmp-line .chg"),
            ("browser summary", url + "&layout=summary", ".cmp-card .ci"),
        ):
            samples = []
            for _ in range(repeat + 1):  # the first is a warm-up
                page.goto(target)
                page.locator(ready).first.wait_for(timeout=120_000)
                samples.append(page.evaluate("() => performance.now()"))
            out[name] = {"ms": round(statistics.median(samples[1:]), 1), "result": ready, "target_ms": 1000.0}
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--traces", type=int, default=100_000, help="traces per experiment")
    parser.add_argument("--experiments", type=int, default=8, help="the base and up to 7 others")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per request (median reported)")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "bench/data/compare")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--browser", action="store_true", help="also time the web app in headless Chromium")
    parser.add_argument(
        "--only", default="", help="comma-separated requests to time (default: all), e.g. summary,groups"
    )
    args = parser.parse_args()
    if not 2 <= args.experiments <= 8:
        parser.error("--experiments must be between 2 and 8")

    shape = f"{args.experiments}x{args.traces}"
    marker = args.data_dir / "shape"
    if args.regenerate or not marker.exists() or marker.read_text() != shape:
        started = time.perf_counter()
        generate(args.data_dir, args.experiments, args.traces)
        console.print(
            f"generated {args.experiments * args.traces * 3:,} spans in {time.perf_counter() - started:.0f} s"
        )
    key = (args.data_dir / "key").read_text().strip()
    server = start_server(args.data_dir, key=key)
    results: dict[str, dict[str, Any]] = {}
    try:
        h = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=server.url, headers=h, timeout=600) as c:
            pid = c.get("/v1/project", params={"project_name": "bench-compare"}).json()["objects"][0]["id"]
            exps = sorted(
                c.get("/v1/experiment", params={"project_id": pid}).json()["objects"],
                key=lambda e: e["created"],
            )
            base, others = exps[0]["id"], [e["id"] for e in exps[1:]]
            newest, middle = others[-1], others[:-1]
            rows_body = {"experiment_ids": [base, *middle], "limit": 100, "with_total": False}
            change = {"experiment_id": others[0], "name": "accuracy", "direction": "regressions"}

            def post(path: str, body: dict[str, Any]) -> Any:
                res = c.post(path, json=body)
                res.raise_for_status()
                return res.json()

            def get(path: str, params: dict[str, Any]) -> Any:
                res = c.get(path, params=params)
                res.raise_for_status()
                return res.json()

            cases: dict[str, tuple[Callable[[], Any], Callable[[Any], str], float | None]] = {
                "first rows": (
                    lambda: post(f"/v1/experiment/{newest}/compare/rows", rows_body),
                    lambda r: f"{len(r['rows'])} rows x {len(r['experiments'])} experiments",
                    1000.0,
                ),
                "summary": (
                    lambda: get(f"/v1/experiment/{base}/compare", {"with": others}),
                    lambda r: (
                        f"{len(r['scores'])} scores, {len(r['metrics'])} metrics x {len(r['experiments'])}"
                    ),
                    1000.0,
                ),
                "regressions": (
                    lambda: post(f"/v1/experiment/{newest}/compare/rows", {**rows_body, "change": change}),
                    lambda r: f"{len(r['rows'])} rows",
                    None,
                ),
                "count": (
                    lambda: post(f"/v1/experiment/{newest}/compare/count", {**rows_body, "change": change}),
                    lambda r: f"{r['total']:,} rows",
                    None,
                ),
                "histograms": (
                    lambda: get(f"/v1/experiment/{base}/compare/histograms", {"with": others}),
                    lambda r: f"{len(r['scores'])} scores",
                    None,
                ),
                "groups": (
                    lambda: post(
                        f"/v1/experiment/{newest}/compare/groups",
                        {**rows_body, "group_by": "metadata.category"},
                    ),
                    lambda r: f"{len(r['groups'])} groups",
                    None,
                ),
            }
            wanted = [n.strip() for n in args.only.split(",") if n.strip()] or list(cases)
            if unknown := [n for n in wanted if n not in cases]:
                parser.error(f"--only: unknown request(s) {', '.join(unknown)} (known: {', '.join(cases)})")
            load = os.getloadavg()
            table = Table(
                title=f"Comparing {args.experiments} experiments of {args.traces:,} traces "
                f"({os.cpu_count()} CPUs, HTTP, median of {args.repeat}; load average {load[0]:.1f} at the start)"
            )
            for col in ("request", "result", "warm-up", "time", "server CPU", "target"):
                table.add_column(col, justify="right" if col in ("warm-up", "time", "server CPU") else "left")
            results_of: dict[str, Any] = {}
            for name in wanted:
                fn, describe, target = cases[name]
                first, ms, cpu_ms, found = timed(fn, args.repeat, server.process.pid)
                results_of[name] = found
                verdict = "" if target is None else ("met" if ms < target else "[red]missed[/red]")
                results[name] = {
                    "ms": round(ms, 1),
                    "server_cpu_ms": round(cpu_ms, 1),
                    "warm_up_ms": round(first, 1),
                    "result": describe(found),
                    "target_ms": target,
                    "load": round(os.getloadavg()[0], 2),
                }
                table.add_row(
                    name,
                    describe(found),
                    f"{first:,.0f} ms",
                    f"{ms:,.0f} ms",
                    f"{cpu_ms:,.0f} ms",
                    (f"< {target:,.0f} ms: {verdict}" if target else ""),
                )
            console.print(table)
            console.print(
                f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}"
            )
            if "summary" in results_of:
                problems = check_against_reference(results_of["summary"], args.experiments, args.traces)
                results["reference"] = {"mismatches": problems}
                console.print(
                    "summary vs the hand-computed reference (accuracy: means, diffs, improvements, "
                    f"regressions, paired n, mean, CI, p): {'all agree' if not problems else 'MISMATCH'}"
                )
                for p in problems:
                    console.print(f"  [red]{p}[/red]")
            if args.browser:
                project = c.get(f"/v1/project/{pid}").json()["name"]
                page_url = f"{server.url}/app/local/p/{project}/experiments/{exps[-1]['name']}?c={','.join([base, *middle])}"
                results.update(in_browser(page_url, key, args.repeat))
                for name in ("browser first rows", "browser summary"):
                    console.print(f"{name}: {results[name]['ms']:,.0f} ms (median of {args.repeat})")
    finally:
        server.stop()
    out = ROOT / "bench/results/compare.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps({"experiments": args.experiments, "traces": args.traces, "results": results}, indent=2)
    )
    console.print(
        f"rerun: .venv/bin/python bench/compare.py {' '.join(sys.argv[1:])}".rstrip(), highlight=False
    )


if __name__ == "__main__":
    main()

"""Analysis benchmark: slices that underperform over a large experiment (the assistant, no LLM).

Generates (by this script; nothing is committed) one experiment of TRACES traces, each a root span
with 5 metadata fields (model 3 values, lang 4, topic 6, difficulty 3, region 5) and one score
span with two scores, `accuracy` (one value planted 0.2 lower) and `relevance`, written directly
into a DuckDB file through the store's write path. Then it times, through the service layer (query
trees, `Store.execute`, the same path as the API route), the slice analysis over both scores with
pairs of values (one statement per key and per pair of keys: 5 + 10), and without pairs. The
trace summaries' one-off refresh after the writes is timed separately. Each figure is the median
of --repeat runs after one warm-up. Target: slices in under 2 s at 100,000 traces.

Run: .venv/bin/python bench/score.py [--traces 100000] [--repeat 3] [--regenerate]
(retrospective scoring throughput, the other half of this file's brief, is not measured yet).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from assay.server.settings import Settings
from assay.services.analysis.models import SliceQuery
from assay.services.analysis.scope import Scope
from assay.services.analysis.slices import analyze
from assay.services.auth import OrgKeyPolicy, Principal
from assay.services.context import Services
from assay.store import open_store
from assay.store.base import ObjectRef, RowWrite, WriteRequest

console = Console()
FIELDS = {
    "model": ("gpt-4o", "gpt-4o-mini", "claude"),
    "lang": ("en", "fr", "de", "es"),
    "topic": ("math", "code", "writing", "trivia", "law", "medicine"),
    "difficulty": ("easy", "medium", "hard"),
    "region": ("eu", "us", "apac", "latam", "mea"),
}
PLANTED = ("topic", "law")


def trace(n: int, rng: random.Random) -> list[dict[str, Any]]:
    root, score = str(uuid.uuid4()), str(uuid.uuid4())
    meta = {k: rng.choice(v) for k, v in FIELDS.items()}
    drop = 0.2 if meta[PLANTED[0]] == PLANTED[1] else 0.0
    acc = min(1.0, max(0.0, rng.gauss(0.7 - drop, 0.15)))
    rel = min(1.0, max(0.0, rng.gauss(0.6, 0.2)))
    common = {"root_span_id": root, "created": "2026-11-01T12:00:00+00:00"}
    return [
        {
            **common,
            "id": root,
            "span_id": root,
            "input": {"question": f"case {n}"},
            "output": f"answer {n}",
            "metadata": meta,
            "span_attributes": {"name": "eval", "type": "eval"},
        },
        {
            **common,
            "id": score,
            "span_id": score,
            "span_parents": [root],
            "scores": {"accuracy": acc, "relevance": rel},
            "span_attributes": {"name": "scorers", "type": "score"},
        },
    ]


def generate(path: Path, traces: int) -> tuple[str, int]:
    """The experiment's id and how many traces hold the planted value."""
    if path.exists():
        path.unlink()
    store = open_store(f"duckdb:///{path.resolve()}")
    rng = random.Random(13)
    planted = 0
    try:
        org = store.ensure_org("bench")
        now = "2026-11-01T00:00:00+00:00"
        project, _ = store.create_object(
            "project",
            {"id": str(uuid.uuid4()), "org_id": org.id, "name": "bench", "created": now, "deleted_at": None},
        )
        doc = {
            "id": str(uuid.uuid4()),
            "project_id": project["id"],
            "name": "slices",
            "created": now,
            "deleted_at": None,
        }
        exp, _ = store.create_object("experiment", doc)
        ref = ObjectRef("experiment", exp["id"])
        for start in range(0, traces, 5000):
            rows = [r for n in range(start, min(start + 5000, traces)) for r in trace(n, rng)]
            planted += sum(1 for r in rows if (r.get("metadata") or {}).get(PLANTED[0]) == PLANTED[1])
            store.write(WriteRequest(rows=[RowWrite(ref, project["id"], r["id"], r) for r in rows]))
    finally:
        store.close()
    return exp["id"], planted


def timed(fn: Any, repeat: int) -> tuple[float, Any]:
    result = fn()  # warm-up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--traces", type=int, default=10_000, help="traces in the experiment (default 10,000)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (median reported)")
    parser.add_argument("--db", type=Path, default=Path("bench/data/score.duckdb"), help="data file")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the data file")
    args = parser.parse_args()

    marker = args.db.with_suffix(".traces")
    generated = False
    if (
        args.regenerate
        or not args.db.exists()
        or not marker.exists()
        or marker.read_text().split()[0] != str(args.traces)
    ):
        args.db.parent.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        eid, planted = generate(args.db, args.traces)
        generated = True
        marker.write_text(f"{args.traces} {eid} {planted}")
        console.print(
            f"generated {args.traces:,} traces ({2 * args.traces:,} spans) in {time.perf_counter() - start:.0f} s"
        )
    _, eid, planted_text = marker.read_text().split()
    planted = int(planted_text)

    store = open_store(f"duckdb:///{args.db.resolve()}")
    try:
        org = store.ensure_org("bench")
        svc = Services(store=store, settings=Settings(), policy=OrgKeyPolicy(store))
        who = Principal("bench", org.id, org.name)
        start = time.perf_counter()
        store.refresh_summaries("experiment", [eid])  # type: ignore[attr-defined]
        refresh = time.perf_counter() - start if generated else None
        with_pairs, report = timed(lambda: analyze(Scope(svc, who, eid), SliceQuery()), args.repeat)
        singles, _ = timed(lambda: analyze(Scope(svc, who, eid), SliceQuery(pairs=False)), args.repeat)
    finally:
        store.close()

    first = report.slices[0] if report.slices else None
    found = f"{first.values[0].key}={first.values[0].value} ({first.score}), n={first.n}" if first else "none"
    correct = bool(first and (first.values[0].key, first.values[0].value) == PLANTED and first.n == planted)
    table = Table(
        title=f"Slice analysis over {args.traces:,} traces, 5 metadata fields, 2 scores ({os.cpu_count()} CPUs, median of {args.repeat})"
    )
    for col in ("step", "time", "target", "notes"):
        table.add_column(col, justify="right" if col == "time" else "left")
    if refresh is not None:
        table.add_row(
            "summary refresh (once, after writing)", f"{refresh:.2f} s", "", "paid by the first summary read"
        )
    table.add_row(
        "slices with pairs", f"{with_pairs:.2f} s", "< 2 s" + (" ✓" if with_pairs < 2 else " ✗"),
        f"{report.tested} slices tested, {len(report.slices)} reported",
    )  # fmt: skip
    table.add_row("slices, single values only", f"{singles:.2f} s", "", "")
    console.print(table)
    style = "green" if correct else "red"
    console.print(f"first slice: {found}; planted topic=law with n={planted}", style=style)
    console.print(
        f"rerun: .venv/bin/python bench/score.py --traces {args.traces} --repeat {args.repeat}", style="dim"
    )
    if not correct:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

"""Analysis benchmark: slices that underperform over a large experiment (the assistant, no LLM).

Generates (by this script; nothing is committed) one experiment of TRACES traces, each a root span
with 5 metadata fields (model 3 values, lang 4, topic 6, difficulty 3, region 5) and one score
span with two scores, `accuracy` (one value planted 0.2 lower) and `relevance`, written directly
into a DuckDB file through the store's write path. Then it times, through the service layer (query
trees, `Store.execute`, the same path as the API route), the slice analysis over both scores with
pairs of values (one grouped statement over all 5 keys, whose groups sum into every value and
pair), and without pairs. The
trace summaries' one-off refresh after the writes is timed separately. Each figure is the median
of --repeat runs after one warm-up. Target: slices in under 2 s at 100,000 traces.

Retrospective scoring throughput: a fresh experiment of --score-rows traces of the same shape (its
own file, regenerated each run, so reruns never meet results already written) is scored by a job
with heuristic built-ins (Levenshtein, ExactMatch) and a rules classifier, through the same path
as `POST /v1/job`: rows chosen, chunks claimed, rows read, scorers run, result spans written
through ingest. Reported: rows per second, for all scorers together and per row x scorer.

Run: .venv/bin/python bench/score.py [--traces 100000] [--repeat 3] [--regenerate] [--score-rows 2000]
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
from assay.services.access import AccessPolicy
from assay.services.analysis.models import SliceQuery
from assay.services.analysis.scope import Scope
from assay.services.analysis.slices import analyze
from assay.services.auth import owner_of
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
            "expected": f"answer {n if n % 3 else n + 1}",  # what the scoring half compares against
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


def scoring_throughput(path: Path, rows: int, chunk: int) -> tuple[float, float, int, int]:
    """(seconds to create the job, seconds to run it, rows done, result spans) for a fresh experiment."""
    from assay.model.functions import CreateFunction
    from assay.services.functions import create_function
    from assay.services.jobs.model import CreateScoreJob, ScorerRef
    from assay.services.jobs.service import create_score_job
    from assay.services.jobs.worker import drain

    eid, _ = generate(path, rows)
    store = open_store(f"duckdb:///{path.resolve()}")
    try:
        org = store.ensure_org("bench")
        policy = AccessPolicy(store)
        svc = Services(store=store, settings=Settings(job_chunk_rows=chunk), policy=policy)
        who = policy.for_user(owner_of(store, org.id).id, org.name)  # the organization's owner
        project_id = store.get_object("experiment", eid)["project_id"]  # type: ignore[index]
        rules = {"type": "rules", "rules": [{"label": "short", "regex": "^answer [0-9]$"}]}
        classifier = create_function(
            svc,
            who,
            CreateFunction(
                project_id=project_id, name="short", function_type="classifier", function_data=rules
            ),
        )
        scorers = [
            ScorerRef(type="global", name="Levenshtein"),
            ScorerRef(type="global", name="ExactMatch"),
            ScorerRef(type="function", id=classifier["id"]),
        ]
        start = time.perf_counter()
        job = create_score_job(svc, who, CreateScoreJob(object_id=eid, scorers=scorers))
        created = time.perf_counter() - start
        start = time.perf_counter()
        drain(svc)
        ran = time.perf_counter() - start
        done = store.jobs.get(job.id)
        assert done is not None and done.state == "done" and not done.failed, done
        return created, ran, done.done, done.done * len(scorers)
    finally:
        store.close()


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
    parser.add_argument(
        "--score-rows", type=int, default=2000, help="traces scored by the job (default 2,000)"
    )
    parser.add_argument("--chunk", type=int, default=100, help="rows per job chunk (ASSAY_JOB_CHUNK_ROWS)")
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
        policy = AccessPolicy(store)
        svc = Services(store=store, settings=Settings(), policy=policy)
        who = policy.for_user(owner_of(store, org.id).id, org.name)  # the organization's owner
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
    created, ran, rows, results = scoring_throughput(
        args.db.with_name("score-jobs.duckdb"), args.score_rows, args.chunk
    )
    jobs = Table(
        title=f"Retrospective scoring of {rows:,} traces: Levenshtein, ExactMatch, a rules classifier (chunks of {args.chunk})"
    )
    for col in ("step", "time", "rate"):
        jobs.add_column(col, justify="left" if col == "step" else "right")
    jobs.add_row("create the job (choose rows, freeze scorers)", f"{created:.2f} s", "")
    jobs.add_row("run it (read, score, write result spans)", f"{ran:.2f} s", f"{rows / ran:,.0f} rows/s")
    jobs.add_row("result spans written", f"{results:,}", f"{results / ran:,.0f} spans/s")
    console.print(jobs)
    style = "green" if correct else "red"
    console.print(f"first slice: {found}; planted topic=law with n={planted}", style=style)
    console.print(
        f"rerun: .venv/bin/python bench/score.py --traces {args.traces} --repeat {args.repeat} --score-rows {args.score_rows}",
        style="dim",
    )
    if not correct:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

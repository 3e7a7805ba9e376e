"""Query benchmark: Assay's query layer next to hand-written DuckDB SQL on the same file.

Generates (by this script; nothing is committed) two experiments of TRACES traces of 5 spans each
(root, task, llm, two scorers), written directly into a DuckDB file through the store's write
path, then times four questions both ways:
  filter      a page of llm spans matching metadata, metric and span-type conditions
  group-by    per metadata.category: trace-level score averages and counts (summary shape)
  summary     the newest page of one-row-per-trace summaries (`SELECT *`, summary shape)
  comparison  test cases whose trace accuracy fell against the baseline experiment
Each figure is the median of --repeat runs after one warm-up; the Assay figure includes parsing,
access checks, compilation and decoding rows to API values. Targets: <= 1.5x the hand-written
SQL and < 300 ms per query. The data file is kept in bench/data/ for reruns. Trace summaries are
materialised (`store/duckdb/summaries.py`); the one-off refresh after writes is timed separately.

`--postgres` also copies the data file into a fresh PostgreSQL 15 cluster started here (durable,
through `assay migrate`'s copy; timed) and times the same Assay queries there (the hand-written
column stays DuckDB's).

Run: .venv/bin/python bench/query.py [--traces 100000] [--repeat 5] [--regenerate] [--postgres]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from assay.server.settings import Settings
from assay.services.access import AccessPolicy
from assay.services.auth import Principal, create_api_key, owner_of
from assay.services.context import Services
from assay.services.queries import run_query
from assay.store import open_store
from assay.store.base import ObjectRef, RowWrite, WriteRequest

console = Console()
CATEGORIES = ("math", "code", "writing", "trivia", "reasoning")
MODELS = ("gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet")


def trace(n: int, seed: int) -> list[dict[str, Any]]:
    """One test case: root, task, llm and two score spans. `seed` varies the scores per experiment."""
    ids = [str(uuid.uuid4()) for _ in range(5)]
    root, task, llm, s1, s2 = ids
    t0 = 1_700_000_000.0 + n
    question = f"case {n}: what is {n} * 3?"
    acc = ((n * 7 + seed * 13) % 11) / 10
    rel = ((n * 5 + seed * 3) % 9) / 8
    common = {"root_span_id": root, "created": "2026-11-01T12:00:00+00:00"}
    return [
        {
            **common,
            "id": root,
            "span_id": root,
            "input": {"question": question},
            "output": str(n * 3),
            "expected": str(n * 3),
            "metadata": {"category": CATEGORIES[n % 5], "difficulty": n % 3, "case": n},
            "metrics": {"start": t0, "end": t0 + 2.0},
            "span_attributes": {"name": "eval", "type": "eval"},
        },
        {
            **common,
            "id": task,
            "span_id": task,
            "span_parents": [root],
            "input": {"question": question},
            "output": str(n * 3),
            "metrics": {"start": t0 + 0.01, "end": t0 + 1.9},
            "span_attributes": {"name": "task", "type": "task"},
        },
        {
            **common,
            "id": llm,
            "span_id": llm,
            "span_parents": [task],
            "input": [{"role": "user", "content": question}],
            "output": [{"role": "assistant", "content": str(n * 3)}],
            "metadata": {"model": MODELS[n % 3], "temperature": 0},
            "metrics": {
                "start": t0 + 0.02,
                "end": t0 + 1.8,
                "prompt_tokens": 20 + n % 1000,
                "completion_tokens": 5 + n % 50,
            },
            "span_attributes": {"name": "chat", "type": "llm"},
        },
        {
            **common,
            "id": s1,
            "span_id": s1,
            "span_parents": [root],
            "scores": {"accuracy": acc},
            "metrics": {"start": t0 + 1.91, "end": t0 + 1.95},
            "span_attributes": {"name": "accuracy", "type": "score"},
        },
        {
            **common,
            "id": s2,
            "span_id": s2,
            "span_parents": [root],
            "scores": {"relevance": rel},
            "metrics": {"start": t0 + 1.96, "end": t0 + 1.99},
            "span_attributes": {"name": "relevance", "type": "score"},
        },
    ]


def generate(path: Path, traces: int) -> None:
    if path.exists():
        path.unlink()
    store = open_store(f"duckdb:///{path.resolve()}")
    try:
        org = store.ensure_org("bench")
        now = "2026-11-01T00:00:00+00:00"
        project, _ = store.create_object(
            "project",
            {"id": str(uuid.uuid4()), "org_id": org.id, "name": "bench", "created": now, "deleted_at": None},
        )
        with Progress(console=console, transient=True) as bar:
            for name, seed in (("baseline", 1), ("current", 2)):
                doc = {
                    "id": str(uuid.uuid4()),
                    "project_id": project["id"],
                    "name": name,
                    "created": now,
                    "deleted_at": None,
                }
                exp, _ = store.create_object("experiment", doc)
                ref = ObjectRef("experiment", exp["id"])
                task = bar.add_task(f"writing {name}", total=traces)
                for start in range(0, traces, 2000):
                    rows = [r for n in range(start, min(start + 2000, traces)) for r in trace(n, seed)]
                    store.write(WriteRequest(rows=[RowWrite(ref, project["id"], r["id"], r) for r in rows]))
                    bar.update(task, advance=min(2000, traces - start))
    finally:
        store.close()


def hand_written(current: str, baseline: str) -> dict[str, str]:
    """What someone fluent in DuckDB would write by hand against the `rows` table."""
    obj = f"object_type = 'experiment' AND object_id = '{current}'"
    both = f"object_type = 'experiment' AND object_id IN ('{current}', '{baseline}')"
    return {
        "filter": f"""
            SELECT id, metrics['prompt_tokens'] AS tokens, json_extract_string(metadata, '$.model') AS model
            FROM rows WHERE {obj} AND span_type = 'llm' AND metrics['prompt_tokens'] > 500
              AND json_extract_string(metadata, '$.model') = 'gpt-4o'
            ORDER BY _pagination_key DESC LIMIT 1000""",
        "group-by": f"""
            WITH s AS (SELECT root_span_id, avg(scores['accuracy']) AS acc, avg(scores['relevance']) AS rel
                       FROM rows WHERE {obj} GROUP BY root_span_id),
                 r AS (SELECT root_span_id, json_extract(metadata, '$.category') AS category
                       FROM rows WHERE {obj} AND is_root)
            SELECT category, avg(acc), avg(rel), count(*) FROM r JOIN s USING (root_span_id)
            GROUP BY category ORDER BY category""",
        "summary": f"""
            WITH page AS (SELECT root_span_id, min(_pagination_key) AS k FROM rows WHERE {obj}
                          GROUP BY root_span_id ORDER BY k DESC LIMIT 1000),
                 spans AS (SELECT * FROM rows WHERE {obj} AND root_span_id IN (SELECT root_span_id FROM page)),
                 agg AS (SELECT root_span_id, avg(scores['accuracy']) AS accuracy, avg(scores['relevance']) AS relevance,
                                max(metrics['end']) - min(metrics['start']) AS duration,
                                sum(metrics['prompt_tokens']) AS prompt_tokens, count(*) AS span_count
                         FROM spans GROUP BY root_span_id)
            SELECT r.id, r.input, r.output, r.expected, r.metadata, a.*, p.k
            FROM page p JOIN agg a USING (root_span_id) JOIN spans r ON r.root_span_id = p.root_span_id AND r.is_root
            ORDER BY p.k DESC""",
        "comparison": f"""
            WITH t AS (SELECT object_id, root_span_id, avg(scores['accuracy']) AS acc FROM rows
                       WHERE {both} GROUP BY object_id, root_span_id),
                 k AS (SELECT root_span_id, md5(CAST(input AS VARCHAR)) AS match_key FROM rows WHERE {both} AND is_root),
                 a AS (SELECT match_key, avg(acc) AS acc FROM t JOIN k USING (root_span_id)
                       WHERE object_id = '{current}' GROUP BY match_key),
                 b AS (SELECT match_key, avg(acc) AS acc FROM t JOIN k USING (root_span_id)
                       WHERE object_id = '{baseline}' GROUP BY match_key)
            SELECT match_key, a.acc, b.acc FROM a JOIN b USING (match_key) WHERE a.acc < b.acc
            ORDER BY match_key LIMIT 1000""",
    }


def through_assay(current: str, baseline: str) -> dict[str, str]:
    src = f"experiment('{current}')"
    summary = f"experiment('{current}', shape => 'summary')"
    return {
        "filter": f"SELECT id, metrics.prompt_tokens AS tokens, metadata.model AS model FROM {src} "
        "WHERE span_attributes.type = 'llm' AND metrics.prompt_tokens > 500 AND metadata.model = 'gpt-4o'",
        "group-by": "SELECT metadata.category AS category, avg(scores.accuracy) AS accuracy, "
        f"avg(scores.relevance) AS relevance, count(*) AS traces FROM {summary} GROUP BY 1 ORDER BY 1",
        "summary": f"SELECT * FROM {summary}",
        "comparison": "SELECT match_key, "
        f"avg(CASE WHEN experiment_id = '{current}' THEN scores.accuracy END) AS current, "
        f"avg(CASE WHEN experiment_id = '{baseline}' THEN scores.accuracy END) AS baseline "
        f"FROM experiment('{current}', '{baseline}', shape => 'summary') GROUP BY match_key "
        "HAVING current < baseline ORDER BY match_key LIMIT 1000",
    }


@dataclass
class Postgres:
    """The data file copied into a fresh PostgreSQL cluster, and the services reading it."""

    cluster: Any
    store: Any
    svc: Services
    who: Principal
    copy_s: float
    rows: int
    refresh_ms: float
    size: int

    @classmethod
    def start(cls, source: Any, current: str, baseline: str) -> Postgres:
        from assay.services import migration
        from assay.store.postgres.store import PostgresStore
        from assay.testing_postgres import start_cluster

        cluster = start_cluster(durable=True)
        store = PostgresStore(cluster.create_database("assay_bench"), background=False)
        with console.status("copying the data file into PostgreSQL"):
            start = time.perf_counter()
            moved = migration.copy(source, store, lambda *_: None)
            copy_s = time.perf_counter() - start
        start = time.perf_counter()
        store.refresh_summaries("experiment", [current, baseline])
        refresh_ms = (time.perf_counter() - start) * 1000
        import psycopg

        with psycopg.connect(store.url) as con:
            found = con.execute("SELECT pg_database_size(current_database())").fetchone()
        org = store.ensure_org("bench")
        policy = AccessPolicy(store)
        svc = Services(store=store, settings=Settings(), policy=policy)
        who = policy.for_user(owner_of(store, org.id).id, org.name)  # the organization's owner
        size = int(found[0]) if found else 0
        return cls(cluster, store, svc, who, copy_s, sum(moved.rows.values()), refresh_ms, size)

    def close(self) -> None:
        self.store.close()
        self.cluster.stop()


def timed(fn: Any, repeat: int) -> tuple[float, int]:
    rows = len(fn())  # warm-up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000, rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--traces", type=int, default=100_000, help="traces per experiment (5 spans each)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query (median reported)")
    parser.add_argument("--db", type=Path, default=Path("bench/data/query.duckdb"), help="data file")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the data file")
    parser.add_argument("--only", choices=["filter", "group-by", "summary", "comparison"], action="append")
    parser.add_argument("--postgres", action="store_true", help="also time the queries on PostgreSQL")
    args = parser.parse_args()

    marker = args.db.with_suffix(".traces")
    if (
        args.regenerate
        or not args.db.exists()
        or not marker.exists()
        or marker.read_text() != str(args.traces)
    ):
        args.db.parent.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        generate(args.db, args.traces)
        marker.write_text(str(args.traces))
        console.print(f"generated {2 * args.traces * 5:,} spans in {time.perf_counter() - start:.0f} s")

    store = open_store(f"duckdb:///{args.db.resolve()}")
    try:
        org = store.ensure_org("bench")
        policy = AccessPolicy(store)
        svc = Services(store=store, settings=Settings(), policy=policy)
        who = policy.authenticate(create_api_key(store, org.name, "bench"))
        exps = {e["name"]: e["id"] for e in store.list_objects("experiment", org_id=org.id)}
        current, baseline = exps["current"], exps["baseline"]
        con = store._reader()  # type: ignore[attr-defined]
        # Summaries are materialised and refreshed lazily after writes: time one full rebuild
        # (what the first summary read pays after the whole experiment was written).
        store._writer.submit(  # type: ignore[attr-defined]
            lambda c: c.execute(
                "INSERT INTO dirty_traces (object_type, object_id, root_span_id)"
                " SELECT DISTINCT object_type, object_id, root_span_id FROM rows"
            )
        )
        start = time.perf_counter()
        store.refresh_summaries("experiment", [current, baseline])  # type: ignore[attr-defined]
        refresh_ms = (time.perf_counter() - start) * 1000
        hand, ours = hand_written(current, baseline), through_assay(current, baseline)
        pg = Postgres.start(store, current, baseline) if args.postgres else None
        table = Table(
            title=f"Assay query layer vs hand-written DuckDB ({os.cpu_count()} CPUs, "
            f"{args.traces:,} traces x 5 spans per experiment, median of {args.repeat})"
        )
        columns = ["query", "rows", "hand-written", "assay", "ratio", "targets"]
        for col in columns + (["assay on PostgreSQL"] if pg else []):
            table.add_column(col, justify="left" if col in ("query", "targets") else "right")
        for name in args.only or list(hand):
            h_ms, h_rows = timed(lambda name=name: con.execute(hand[name]).fetchall(), args.repeat)
            a_ms, a_rows = timed(lambda name=name: run_query(svc, who, ours[name]).rows, args.repeat)
            ok = a_ms <= 1.5 * h_ms and a_ms < 300
            cells = [
                name,
                f"{a_rows:,}" + ("" if a_rows == h_rows else f" (hand {h_rows:,})"),
                f"{h_ms:,.1f} ms",
                f"{a_ms:,.1f} ms",
                f"{a_ms / h_ms:.2f}x",
                "met" if ok else "[red]missed[/red]",
            ]
            if pg:
                p_ms, p_rows = timed(
                    lambda name=name: run_query(pg.svc, pg.who, ours[name]).rows, args.repeat
                )
                cells.append(f"{p_ms:,.1f} ms" + ("" if p_rows == a_rows else f" ({p_rows:,} rows)"))
            table.add_row(*cells)
        console.print(table)
        console.print(
            f"summary refresh after writes (once, both experiments, {2 * args.traces:,} traces): "
            f"{refresh_ms:,.0f} ms",
            highlight=False,
        )
        if pg:
            console.print(
                f"PostgreSQL: copy of the file {pg.copy_s:,.1f} s ({pg.rows:,} rows), summary refresh "
                f"{pg.refresh_ms:,.0f} ms, database {pg.size / 2**20:,.0f} MiB",
                highlight=False,
            )
            pg.close()
    finally:
        store.close()
    console.print(
        f"rerun: {Path(sys.executable).name} bench/query.py " + " ".join(sys.argv[1:]), highlight=False
    )


if __name__ == "__main__":
    main()

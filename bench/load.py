"""Load benchmark: many writers and readers at once against one real `assay serve`, for minutes.

WRITERS threads each post `/logs3` requests (a few Eval-shaped traces each) back to back;
READERS threads cycle through the reads a team's browsers and scripts make: a page of traces
(`POST .../fetch`), the experiment summary (`GET .../summarize`, with comparison counts against a
second experiment) and a `/btql` aggregate. Every request's status and latency is recorded; a row
counts as acknowledged once its request got a 2xx. At the end the benchmark reads every row back
and checks that each acknowledged row is there.

It prints errors by status (0 expected), p50/p99 latency of reads and writes, the request and
row rates, and the command to rerun; it exits with 1 on any error or missing row. Timings are
wall-clock on a machine shared with the client threads (Python: the client competes with the
server for the two cores), so compare runs made back to back.

Run: .venv/bin/python bench/load.py [--duration 180] [--writers 50] [--readers 20]
     .venv/bin/python bench/load.py --url http://127.0.0.1:8000 --key sk-...   # an existing server
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import orjson
from rich.console import Console
from rich.table import Table

from assay.testing import start_server

console = Console()
TRACES_PER_REQUEST = 3  # 4 spans each: 12 rows per write


def trace(experiment_id: str, writer: int, n: int) -> list[dict[str, Any]]:
    """One Eval test case: root, task, llm and a score span, with ids unique to (writer, n)."""
    root = f"w{writer}-{n}"
    t0 = 1_700_000_000.0 + n
    common = {"experiment_id": experiment_id, "root_span_id": root}
    question = f"case {n % 500}: what is {n % 97} * 3?"
    return [
        {
            **common,
            "id": root,
            "span_id": root,
            "input": {"question": question},
            "output": str(n % 97 * 3),
            "expected": str(n % 97 * 3),
            "metadata": {"writer": writer, "category": ("math", "code", "trivia")[n % 3]},
            "metrics": {"start": t0, "end": t0 + 1.5},
            "span_attributes": {"name": "eval", "type": "eval"},
        },
        {
            **common,
            "id": f"{root}-task",
            "span_id": f"{root}-task",
            "span_parents": [root],
            "input": {"question": question},
            "output": str(n % 97 * 3),
            "metrics": {"start": t0 + 0.1, "end": t0 + 1.4},
            "span_attributes": {"name": "task", "type": "task"},
        },
        {
            **common,
            "id": f"{root}-llm",
            "span_id": f"{root}-llm",
            "span_parents": [f"{root}-task"],
            "input": [{"role": "user", "content": question}],
            "output": {"role": "assistant", "content": str(n % 97 * 3)},
            "metadata": {"model": "gpt-4o-mini"},
            "metrics": {"start": t0 + 0.2, "end": t0 + 1.3, "prompt_tokens": 40, "completion_tokens": 5},
            "span_attributes": {"name": "chat", "type": "llm"},
        },
        {
            **common,
            "id": f"{root}-score",
            "span_id": f"{root}-score",
            "span_parents": [root],
            "scores": {"accuracy": (n * 7 % 11) / 10},
            "span_attributes": {"name": "accuracy", "type": "score"},
        },
    ]


@dataclass
class Record:
    """What every thread saw, merged under a lock."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    acked: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, status: str, seconds: float, detail: str = "") -> None:
        with self.lock:
            self.statuses[(kind, status)] += 1
            self.latencies[kind].append(seconds)
            if not status.startswith("2") and len(self.errors) < 20:
                self.errors.append(f"{kind} {status} {detail[:200]}")


def timed(record: Record, kind: str, call: Any) -> httpx.Response | None:
    start = time.perf_counter()
    try:
        response: httpx.Response = call()
    except httpx.HTTPError as exc:
        record.add(kind, type(exc).__name__, time.perf_counter() - start, str(exc))
        return None
    record.add(kind, str(response.status_code), time.perf_counter() - start, response.text)
    return response


def writer(url: str, key: str, eid: str, index: int, stop: threading.Event, record: Record) -> None:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=120) as http:
        for n in itertools.count():
            if stop.is_set():
                return
            rows = [
                r for t in range(TRACES_PER_REQUEST) for r in trace(eid, index, n * TRACES_PER_REQUEST + t)
            ]
            body = orjson.dumps({"rows": rows, "api_version": 2})
            response = timed(record, "write /logs3", partial(http.post, "/logs3", content=body))
            if response is not None and response.is_success:
                with record.lock:
                    record.acked.update(r["id"] for r in rows)


def reader(
    url: str, key: str, eid: str, base: str, index: int, stop: threading.Event, record: Record
) -> None:
    query = f"SELECT metadata.category AS c, count(*) AS n, avg(scores.accuracy) AS a FROM experiment('{eid}') GROUP BY 1"
    reads = [
        ("read fetch", lambda http: http.post(f"/v1/experiment/{eid}/fetch", json={"limit": 20})),
        (
            "read summarize",
            lambda http: http.get(
                f"/v1/experiment/{eid}/summarize", params={"comparison_experiment_id": base}
            ),
        ),
        ("read /btql", lambda http: http.post("/btql", json={"query": query})),
    ]
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=120) as http:
        for n in itertools.count(index):
            if stop.is_set():
                return
            kind, call = reads[n % len(reads)]
            timed(record, kind, partial(call, http))


def stored_ids(url: str, key: str, eid: str) -> set[str]:
    ids: set[str] = set()
    cursor = None
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=300) as http:
        while True:
            body: dict[str, Any] = {"limit": 5000, **({"cursor": cursor} if cursor else {})}
            page = http.post(f"/v1/experiment/{eid}/fetch", json=body)
            page.raise_for_status()
            ids.update(e["id"] for e in page.json()["events"])
            cursor = page.json().get("cursor")
            if not cursor:
                return ids


def setup(url: str, key: str) -> tuple[str, str]:
    """Two experiments: the one written to, and a base of 300 traces to compare with."""
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=120) as http:
        project = http.post("/v1/project", json={"name": f"load-{uuid.uuid4().hex[:6]}"}).json()
        made = [
            http.post("/v1/experiment", json={"project_id": project["id"], "name": name}).json()["id"]
            for name in ("base", "load")
        ]
        base, eid = made
        rows = [r for n in range(300) for r in trace(base, 0, n)]
        for start in range(0, len(rows), 600):
            http.post("/logs3", json={"rows": rows[start : start + 600]}).raise_for_status()
        return eid, base


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def report(record: Record, seconds: float, missing: int, args: argparse.Namespace) -> bool:
    table = Table(title=f"{args.writers} writers, {args.readers} readers, {seconds:.0f} s")
    for col in ("requests", "kind", "ok", "errors", "p50 ms", "p99 ms", "per s"):
        table.add_column(col, justify="right" if col != "kind" else "left")
    for kind in sorted(record.latencies):
        lat = record.latencies[kind]
        ok = sum(n for (k, s), n in record.statuses.items() if k == kind and s.startswith("2"))
        table.add_row(
            f"{len(lat):,}",
            kind,
            f"{ok:,}",
            f"{len(lat) - ok:,}",
            f"{pct(lat, 0.5):.0f}",
            f"{pct(lat, 0.99):.0f}",
            f"{len(lat) / seconds:.1f}",
        )
    for group in ("read", "write"):
        lat = [x for k, v in record.latencies.items() if k.startswith(group) for x in v]
        table.add_row(
            f"{len(lat):,}", f"all {group}s", "", "", f"{pct(lat, 0.5):.0f}", f"{pct(lat, 0.99):.0f}", ""
        )
    console.print(table)
    errors = Counter({s: n for (k, s), n in record.statuses.items() if not s.startswith("2")})
    console.print(f"errors by status: {dict(errors) or 'none'}")
    for line in record.errors:
        console.print(f"  {line}")
    console.print(
        f"rows acknowledged: {len(record.acked):,} ({len(record.acked) / seconds:,.0f}/s); "
        f"missing after the run: {missing:,}"
    )
    write_lat = record.latencies.get("write /logs3", [])
    if write_lat:
        console.print(f"write latency mean {statistics.mean(write_lat) * 1000:.0f} ms")
    console.print(
        "rerun: .venv/bin/python bench/load.py "
        f"--duration {args.duration:g} --writers {args.writers} --readers {args.readers}"
    )
    return not errors and missing == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=180, help="seconds of load")
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--url", help="an existing server (default: start one on a fresh data directory)")
    parser.add_argument("--key", help="an API key of that server")
    args = parser.parse_args()

    server = None
    if args.url:
        url, key = args.url.rstrip("/"), args.key
    else:
        data_dir = Path(tempfile.mkdtemp(prefix="assay-load-"))
        server = start_server(data_dir)
        url, key = server.url, server.key
        console.print(f"server {url} on {data_dir}")
    try:
        eid, base = setup(url, key)
        record, stop = Record(), threading.Event()
        threads = [
            threading.Thread(target=writer, args=(url, key, eid, i, stop, record), daemon=True)
            for i in range(args.writers)
        ] + [
            threading.Thread(target=reader, args=(url, key, eid, base, i, stop, record), daemon=True)
            for i in range(args.readers)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        time.sleep(args.duration)
        stop.set()
        for thread in threads:
            thread.join(timeout=300)
        seconds = time.perf_counter() - started
        missing = len(record.acked - stored_ids(url, key, eid))
        ok = report(record, seconds, missing, args)
    finally:
        if server is not None:
            server.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Ingest benchmark: spans per second through `/logs3`, next to DuckDB's own bulk-insert rate.

Measures, against a real `assay serve` on a fresh data directory:
  (a) batched raw HTTP: pre-encoded `/logs3` bodies of BATCH Eval-shaped spans (root/task/llm/score),
      posted by several client threads; a span counts once its request got a 2xx (i.e. is durable);
  (b) the real `braintrust` SDK in a subprocess (init, start_span/log, flush);
and reports the server's peak RSS, bytes on disk per span after a clean stop, and the physical
reference: the same rows, encoded as Assay stores them, bulk-inserted from Arrow into the same
`rows` schema in a fresh DuckDB file in one transaction. Data is generated here; nothing is kept.

`--postgres` runs the servers on a fresh PostgreSQL 15 cluster started here (durable: fsync on,
as deployed) instead of a DuckDB file, and `--servers N` starts N servers over it, the HTTP
clients spread over them round-robin (as behind a load balancer). The server CPU figure counts the
Assay servers only, not PostgreSQL's own processes; disk is the database's size.

`--preload FILE` starts the database with the rows of a data file bench/query.py wrote (copied
as the server's DuckDB file, or into PostgreSQL through `assay migrate`'s copy), so the rate is
that of a large database; disk per span then counts what the run added.

Run: .venv/bin/python bench/ingest.py [--spans 200000] [--batch 1000] [--threads 4] [--sdk-spans 4000]
                                      [--postgres [--servers 2]] [--preload bench/data/query.duckdb]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import duckdb
import httpx
import orjson
import psutil
from rich.console import Console
from rich.table import Table

from assay.store import codec
from assay.store.duckdb import arrow
from assay.store.duckdb.schema import migrate
from assay.testing import start_server

console = Console()


# -- data ---------------------------------------------------------------------------------
def eval_case(experiment_id: str, n: int) -> list[dict[str, Any]]:
    """The four spans one `Eval` test case produces: root, task, llm and one scorer."""
    root, task, llm, score = (uuid.uuid4().hex[:16] for _ in range(4))
    trace = uuid.uuid4().hex
    t0 = 1_700_000_000.0 + n
    question = f"What is {n} + {n * 7}? Explain the steps briefly, then answer with a number."
    common = {"experiment_id": experiment_id, "root_span_id": trace, "created": "2025-05-01T12:00:00+00:00"}
    return [
        {
            **common,
            "id": str(uuid.uuid4()),
            "span_id": root,
            "span_parents": None,
            "input": {"question": question},
            "expected": str(n * 8),
            "output": str(n * 8),
            "metadata": {"category": "arithmetic", "difficulty": "easy", "case": n},
            "tags": ["bench"],
            "metrics": {"start": t0, "end": t0 + 1.2},
            "span_attributes": {"name": "eval", "type": "eval"},
        },
        {
            **common,
            "id": str(uuid.uuid4()),
            "span_id": task,
            "span_parents": [root],
            "input": {"question": question},
            "output": str(n * 8),
            "metrics": {"start": t0 + 0.01, "end": t0 + 1.1},
            "span_attributes": {"name": "task", "type": "task"},
        },
        {
            **common,
            "id": str(uuid.uuid4()),
            "span_id": llm,
            "span_parents": [task],
            "input": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": question}],
            "output": [{"role": "assistant", "content": f"{n} + {n * 7} = {n * 8}"}],
            "metadata": {"model": "gpt-4o-mini", "temperature": 0},
            "metrics": {"start": t0 + 0.02, "end": t0 + 1.0, "prompt_tokens": 41, "completion_tokens": 12},
            "span_attributes": {"name": "chat completion", "type": "llm"},
        },
        {
            **common,
            "id": str(uuid.uuid4()),
            "span_id": score,
            "span_parents": [root],
            "input": {"input": question, "output": str(n * 8), "expected": str(n * 8)},
            "output": {"score": 1.0},
            "scores": {"ExactMatch": 1.0},
            "metrics": {"start": t0 + 1.11, "end": t0 + 1.15},
            "span_attributes": {"name": "ExactMatch", "type": "score", "purpose": "scorer"},
        },
    ]


def make_batches(experiment_id: str, spans: int, batch: int) -> list[bytes]:
    rows: list[dict[str, Any]] = []
    for n in range(spans // 4):
        rows += eval_case(experiment_id, n)
    return [orjson.dumps({"rows": rows[i : i + batch], "api_version": 2}) for i in range(0, len(rows), batch)]


# -- server -------------------------------------------------------------------------------
class Server:
    """`assay serve` on a fresh data directory, with its peak memory watched."""

    def __init__(self, data_dir: Path, db_url: str | None = None, key: str | None = None) -> None:
        self.data_dir = data_dir
        self.process = start_server(data_dir, key=key, db_url=db_url)
        self.url, self.key, self.proc = self.process.url, self.process.key, self.process.process
        self.peak_rss = 0
        self._watching = True
        self._watcher = threading.Thread(target=self._watch, daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        proc = psutil.Process(self.proc.pid)
        while self._watching:
            try:
                self.peak_rss = max(self.peak_rss, proc.memory_info().rss)
            except psutil.Error:
                return
            time.sleep(0.05)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def cpu_seconds(self) -> float:
        """CPU time the server has used so far (user + system, all threads)."""
        times = psutil.Process(self.proc.pid).cpu_times()
        return float(times.user + times.system)

    def experiment(self, name: str) -> str:
        with httpx.Client(base_url=self.url, headers=self.headers, timeout=30) as c:
            project = c.post("/v1/project", json={"name": "bench"}).json()
            return str(
                c.post("/v1/experiment", json={"project_id": project["id"], "name": name}).json()["id"]
            )

    def stop(self) -> None:
        """A clean stop; on a large database it waits for the writer's last summary slice and
        checkpoint, which took more than 30 s on a 1M-trace file."""
        self._watching = False
        self.process.stop(timeout=600)


# -- measurements -------------------------------------------------------------------------
def http_rate(servers: list[Server], bodies: list[bytes], threads: int) -> float:
    """Spans acknowledged per second with `threads` clients posting pre-encoded batches (client
    i to server i mod N)."""
    todo = list(reversed(bodies))
    lock = threading.Lock()
    acked = [0]
    failures: list[str] = []

    def client(server: Server) -> None:
        with httpx.Client(base_url=server.url, headers=server.headers, timeout=300) as c:
            while True:
                with lock:
                    if not todo:
                        return
                    body = todo.pop()
                response = c.post("/logs3", content=body)
                if response.status_code != 200:
                    failures.append(response.text[:200])
                    return
                with lock:
                    acked[0] += len(orjson.loads(body)["rows"])

    workers = [threading.Thread(target=client, args=(servers[i % len(servers)],)) for i in range(threads)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise RuntimeError(f"/logs3 failed: {failures[0]}")
    return acked[0] / elapsed


SDK_SCRIPT = """
import sys, time, braintrust
n = int(sys.argv[1])
exp = braintrust.init(project="bench", experiment="sdk")
start = time.perf_counter()
for i in range(n // 4):
    with exp.start_span(name="eval", type="eval", input={"question": f"q{i}"}, expected=str(i)) as root:
        with root.start_span(name="task", type="task", input={"question": f"q{i}"}) as task:
            with task.start_span(name="chat completion", type="llm") as llm:
                llm.log(input=[{"role": "user", "content": f"q{i}"}], output="a",
                        metrics={"prompt_tokens": 41, "completion_tokens": 12})
            task.log(output=str(i))
        with root.start_span(name="ExactMatch", type="score") as sc:
            sc.log(output={"score": 1.0}, scores={"ExactMatch": 1.0})
        root.log(output=str(i))
exp.flush()
print(n / (time.perf_counter() - start))
"""


def sdk_rate(server: Server, spans: int) -> float:
    out = subprocess.run(
        [sys.executable, "-c", SDK_SCRIPT, str(spans)],
        env=server.process.env(),
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def disk_bytes(data_dir: Path, db_url: str | None) -> int:
    if db_url:
        import psycopg

        with psycopg.connect(db_url) as con:
            found = con.execute("SELECT pg_database_size(current_database())").fetchone()
        return int(found[0]) if found else 0
    return sum(p.stat().st_size for p in data_dir.glob("assay.duckdb*"))


def preload(source: Path, data_dir: Path, db_url: str | None) -> None:
    """The database starts as a copy of `source` (a DuckDB data file)."""
    if db_url is None:
        shutil.copyfile(source, data_dir / "assay.duckdb")
        return
    from assay.services import migration
    from assay.store import open_store

    src, target = open_store(f"duckdb:///{source.resolve()}"), open_store(db_url)
    try:
        migration.copy(src, target, lambda *_: None)
    finally:
        src.close()
        target.close()


def bulk_reference(bodies: list[bytes], workdir: Path) -> tuple[float, int]:
    """Spans/s and bytes/span of one Arrow bulk insert of the same rows into the same schema."""
    records = []
    for body in bodies:
        for n, row in enumerate(orjson.loads(body)["rows"]):
            exp = row.pop("experiment_id")
            records.append(codec.encode_row("experiment", exp, "p", row, 10**18 + 1, f"p{n:025d}"))
    table = arrow.rows_table(records)
    path = workdir / "reference.duckdb"
    con = duckdb.connect(str(path))
    migrate(con)
    start = time.perf_counter()
    con.execute("BEGIN TRANSACTION")
    arrow.insert(con, "rows", table)
    con.execute("COMMIT")
    elapsed = time.perf_counter() - start
    con.execute("CHECKPOINT")
    con.close()
    size = sum(p.stat().st_size for p in workdir.glob("reference.duckdb*"))
    return len(records) / elapsed, size // len(records)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--spans", type=int, default=200_000, help="spans sent through raw HTTP")
    parser.add_argument("--batch", type=int, default=1000, help="spans per /logs3 request")
    parser.add_argument("--threads", type=int, default=4, help="concurrent HTTP clients")
    parser.add_argument("--sdk-spans", type=int, default=4000, help="spans logged through the SDK (0: skip)")
    parser.add_argument(
        "--postgres", action="store_true", help="servers on a PostgreSQL cluster started here"
    )
    parser.add_argument("--servers", type=int, default=1, help="servers over the one PostgreSQL (--postgres)")
    parser.add_argument("--preload", type=Path, help="a bench/query.py data file the database starts with")
    args = parser.parse_args()
    if args.servers > 1 and not args.postgres:
        parser.error("--servers > 1 needs --postgres (a DuckDB file admits one process)")
    cluster = None
    db_url = None
    if args.postgres:
        from assay.testing_postgres import start_cluster

        cluster = start_cluster(durable=True)
        db_url = cluster.create_database("assay_bench")

    workdir = Path(tempfile.mkdtemp(prefix="assay-bench-"))
    try:
        data_dir = workdir / "data"
        data_dir.mkdir()
        if args.preload:
            with console.status(f"preloading {args.preload}"):
                preload(args.preload, data_dir, db_url)
        before = disk_bytes(data_dir, db_url) if args.preload else 0
        server = Server(data_dir, db_url)
        servers = [server]
        try:
            for n in range(1, args.servers):
                servers.append(Server(workdir / f"data-{n}", db_url, key=server.key))
            with console.status("generating data"):
                bodies = make_batches(server.experiment("http"), args.spans, args.batch)
            with console.status(f"posting {args.spans} spans in batches of {args.batch}"):
                cpu_before = sum(s.cpu_seconds() for s in servers)
                http = http_rate(servers, bodies, args.threads)
                cpu_per_k = (sum(s.cpu_seconds() for s in servers) - cpu_before) / args.spans * 1000
            sdk = None
            if args.sdk_spans:
                with console.status(f"logging {args.sdk_spans} spans through the SDK"):
                    sdk = sdk_rate(server, args.sdk_spans)
        finally:
            for s in servers:
                s.stop()
        total_spans = args.spans + (args.sdk_spans // 4 * 4 if args.sdk_spans else 0)
        per_span = (disk_bytes(data_dir, db_url) - before) // total_spans
        with console.status("bulk insert reference"):
            (workdir / "ref").mkdir()
            bulk, bulk_bytes = bulk_reference(bodies, workdir / "ref")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if cluster is not None:
            cluster.stop()

    backend = f"PostgreSQL, {args.servers} server(s)" if args.postgres else "DuckDB"
    if args.preload:
        backend += f", starting with {args.preload} ({before / 2**20:,.0f} MiB)"
    table = Table(
        title=f"Assay ingest on {backend} ({os.cpu_count()} CPUs, batch {args.batch}, {args.threads} clients)"
    )
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("note")
    table.add_row("HTTP /logs3, durable", f"{http:,.0f} spans/s", f"{args.spans:,} spans; target >= 20,000")
    table.add_row(
        "server CPU per 1,000 spans", f"{cpu_per_k * 1000:,.0f} ms", "HTTP run; robust to a busy machine"
    )
    table.add_row("bulk insert reference", f"{bulk:,.0f} spans/s", "Arrow -> rows table, one transaction")
    table.add_row("HTTP / bulk", f"{http / bulk:.2f}", "target >= 0.25")
    if sdk is not None:
        table.add_row("braintrust SDK", f"{sdk:,.0f} spans/s", f"{args.sdk_spans:,} spans, one process")
    table.add_row(
        "server peak RSS", f"{max(s.peak_rss for s in servers) / 2**20:,.0f} MiB", "psutil, every 50 ms"
    )
    table.add_row("disk per span (Assay)", f"{per_span:,} B", "rows + event log, after a clean stop")
    table.add_row("disk per span (bulk)", f"{bulk_bytes:,} B", "rows table only")
    console.print(table)
    console.print(
        f"rerun: {Path(sys.executable).name} bench/ingest.py " + " ".join(sys.argv[1:]), highlight=False
    )


if __name__ == "__main__":
    main()

"""Workload benchmark: Assay through its public API next to a hand-written DuckDB program, on the
same generated data in the same run, every answer checked against the generator's ground truth.

For each N (test cases per experiment; two experiments, four spans per case, see
`workload_data.py`) it:
  1. generates the rows from the seed and computes the ground truth;
  2. starts a real `assay serve` on a fresh data directory and creates the two experiments;
  3. runs the hand-written program (`workload_hand.py`, its own process) on the same rows;
  4. through Assay's HTTP API: ingests both experiments through `/logs3` (--threads clients,
     --batch spans per request; a span counts once its request got a 2xx, i.e. is durable), asks
     for the first table page right after, then summarize with comparison, per-case score deltas
     (`/btql`), the filter `scores.correctness < 0.5`, group-by `metadata.category`, a full paged
     fetch and the four exports (CSV/JSON, spans/traces) of the candidate;
  5. logs the same workload again through the official SDK (default settings, as fast as it
     accepts spans) into another project and counts what was stored (--no-sdk skips it);
  6. reads the server's peak RSS (VmHWM) and, after a clean stop, its bytes on disk.
Repeated queries (summarize, deltas, filter, group-by) are the median of --repeat runs after a
warm-up, both sides; everything else runs once. "server CPU" is the server process's CPU time
during the step: unlike seconds, it barely moves when other work shares the machine.

`--postgres` runs the server on a fresh PostgreSQL 15 cluster started here for each N (durable,
as deployed; the hand-written program stays DuckDB's); disk is then the database's size.

Run: .venv/bin/python bench/workload.py [--n 1000 --n 10000 --n 100000] [--seed 7] [--no-sdk] [--postgres]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

from assay.testing import start_server
from workload_assay import Client, Step, close, run_assay, run_sdk
from workload_data import EXPERIMENTS, SCORES, Truth, cases, spans, truth

console = Console(width=170)
HERE = Path(__file__).parent
TOL = 1e-6


# -- data ---------------------------------------------------------------------------------------
def generate(seed: int, n: int, ids: dict[str, str], batch: int, ndjson: Path) -> list[bytes]:
    """The `/logs3` bodies of both experiments; the same rows, one per line, into `ndjson`."""
    bodies: list[bytes] = []
    with ndjson.open("wb") as out:
        for name in EXPERIMENTS:
            pending: list[dict[str, Any]] = []
            for c in cases(seed, n):
                pending += spans(c, name, ids[name])
                if len(pending) >= batch:
                    bodies.append(orjson.dumps({"rows": pending[:batch], "api_version": 2}))
                    pending = pending[batch:]
            if pending:
                bodies.append(orjson.dumps({"rows": pending, "api_version": 2}))
        for body in bodies:
            for row in orjson.loads(body)["rows"]:
                out.write(orjson.dumps(row) + b"\n")
    return bodies


# -- the hand-written side ----------------------------------------------------------------------
def run_hand(ndjson: Path, workdir: Path, ids: dict[str, str], t: Truth, repeat: int) -> dict[str, Any]:
    out = subprocess.run(
        [
            sys.executable,
            str(HERE / "workload_hand.py"),
            str(ndjson),
            str(workdir),
            ids["baseline"],
            ids["candidate"],
            str(repeat),
        ],
        capture_output=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"the hand-written program failed: {out.stderr.decode()[-2000:]}")
    result: dict[str, Any] = orjson.loads(out.stdout)
    a = result["answers"]
    problems: dict[str, list[str]] = {}
    if a["ingest"] != 8 * t.n:
        problems["ingest"] = [f"{a['ingest']} spans"]
    s = a["summarize"]
    for score in SCORES:
        if (
            not close(s["means"][ids["candidate"]][score], t.means["candidate"][score])
            or s["improvements"][score] != t.improvements[score]
            or s["regressions"][score] != t.regressions[score]
        ):
            problems.setdefault("summarize", []).append(score)
    if len(a["deltas"]) != t.n or any(
        not close(v[i], t.deltas[k][score]) for k, v in a["deltas"].items() for i, score in enumerate(SCORES)
    ):
        problems["deltas"] = ["wrong deltas"]
    if a["filter"] != t.filter_count:
        problems["filter"] = [f"{a['filter']} != {t.filter_count}"]
    for category, (count, means) in t.groups.items():
        got = a["group_by"].get(category)
        if got is None or got[0] != count or any(not close(got[1][sc], means[sc]) for sc in SCORES):
            problems["group_by"] = [category]
    if a["fetch"][0] != 4 * t.n:
        problems["fetch"] = [f"{a['fetch'][0]} spans"]
    result["problems"] = problems
    return result


def database_size(db_url: str) -> int:
    import psycopg

    with psycopg.connect(db_url) as con:
        found = con.execute("SELECT pg_database_size(current_database())").fetchone()
    return int(found[0]) if found else 0


# -- one N --------------------------------------------------------------------------------------
def run_one(n: int, args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix=f"assay-workload-{n}-"))
    try:
        with console.status(f"N={n:,}: ground truth"):
            t = truth(args.seed, n)
        cluster = db_url = None
        if args.postgres:
            from assay.testing_postgres import start_cluster

            cluster = start_cluster(durable=True)
            db_url = cluster.create_database("assay_workload")
        server = start_server(workdir / "data", db_url=db_url)
        client = Client(server)
        client.profile_dir = args.profile / str(n) if args.profile else None
        try:
            project = client.json("POST", "/v1/project", json={"name": "workload"})
            ids = {
                name: client.json("POST", "/v1/experiment", json={"project_id": project["id"], "name": name})[
                    "id"
                ]
                for name in EXPERIMENTS
            }
            steps: dict[str, Step] = {}
            hand: dict[str, Any] = {"seconds": {}, "cpu": {}, "problems": {}, "peak_rss": 0, "disk": 0}
            if not args.sdk_only:
                with console.status(f"N={n:,}: generating {8 * n:,} spans"):
                    ndjson = workdir / "spans.ndjson"
                    bodies = generate(args.seed, n, ids, args.batch, ndjson)
                with console.status(f"N={n:,}: hand-written DuckDB"):
                    (workdir / "hand").mkdir()
                    hand = run_hand(ndjson, workdir / "hand", ids, t, args.repeat)
                ndjson.unlink()
                with console.status(f"N={n:,}: Assay"):
                    steps = run_assay(client, t, ids, bodies, args)
                del bodies
            if args.sdk:
                with console.status(f"N={n:,}: the SDK, {8 * n:,} spans"):
                    steps["sdk"] = run_sdk(client, t, args)
            peak = client.peak_rss()
        finally:
            client.http.close()
            server.stop()
        if db_url:
            disk = database_size(db_url)
        else:
            disk = sum(p.stat().st_size for p in (workdir / "data").glob("assay.duckdb*"))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if cluster is not None:
            cluster.stop()
    for name, step in steps.items():
        same = "ingest" if name == "sdk" else name  # the SDK path is compared with the bulk load
        step.hand, step.hand_cpu = hand["seconds"].get(same), hand["cpu"].get(same)
        step.problems += [f"hand-written: {p}" for p in hand["problems"].get(name, [])]
    return {
        "n": n,
        "steps": steps,
        "peak_rss": (hand["peak_rss"], peak),
        "disk": (hand["disk"], disk),
    }


# -- output -------------------------------------------------------------------------------------
LABELS = {
    "ingest": "ingest /logs3",
    "sdk": "ingest, SDK",
    "first_page": "first page after ingest",
    "summarize": "summarize + comparison",
    "deltas": "per-case deltas",
    "filter": "filter (page + count)",
    "group_by": "group-by category",
    "fetch": "full fetch (spans)",
    "export_spans_csv": "export spans CSV",
    "export_spans_json": "export spans JSON",
    "export_traces_csv": "export traces CSV",
    "export_traces_json": "export traces JSON",
}


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:,.2f}x" if a and b else "-"


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def report(result: dict[str, Any]) -> bool:
    """Print one N's table; return whether every answer was right."""
    n = result["n"]
    table = Table(
        title=f"N = {n:,} test cases per experiment ({8 * n:,} spans in all), {os.cpu_count()} CPUs; "
        "seconds, and CPU seconds (Assay: the server process)"
    )
    for col in ("work", "hand s", "Assay s", "ratio", "hand CPU", "Assay CPU", "CPU ratio", "check"):
        table.add_column(col, justify="left" if col in ("work", "check") else "right")
    ok = True
    for name, step in result["steps"].items():
        check = "ok" if not step.problems else "[red]" + "; ".join(step.problems)[:300] + "[/red]"
        ok &= not step.problems
        label = LABELS[name]
        if name == "ingest" and step.assay and step.hand:
            label += f" ({8 * n / step.assay:,.0f} spans/s; hand {8 * n / step.hand:,.0f})"
        if step.note:
            label += f" [{step.note}]"
        table.add_row(
            label,
            _s(step.hand),
            _s(step.assay),
            _ratio(step.assay, step.hand),
            _s(step.hand_cpu),
            _s(step.cpu),
            _ratio(step.cpu, step.hand_cpu),
            check,
        )
    (hand_rss, rss), (hand_disk, disk) = result["peak_rss"], result["disk"]
    mib = 2**20
    hand_rss, hand_disk = hand_rss or 0, hand_disk or 0
    table.add_row(
        "peak RSS, MiB (server / program)",
        f"{hand_rss / mib:,.0f}",
        f"{rss / mib:,.0f}",
        _ratio(rss, hand_rss),
    )
    table.add_row(
        "on disk, MiB (after a clean stop)",
        f"{hand_disk / mib:,.1f}",
        f"{disk / mib:,.1f}",
        _ratio(disk, hand_disk),
    )
    console.print(table)
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, action="append", help="test cases per experiment (repeatable)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each repeated query")
    parser.add_argument("--threads", type=int, default=4, help="concurrent /logs3 clients")
    parser.add_argument("--batch", type=int, default=1000, help="spans per /logs3 request")
    parser.add_argument("--no-sdk", dest="sdk", action="store_false", help="skip the SDK ingest")
    parser.add_argument("--sdk-only", action="store_true", help="only the SDK ingest (no reference)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--postgres", action="store_true", help="the server on a PostgreSQL cluster started here"
    )
    parser.add_argument(
        "--profile", type=Path, help="sample the server with py-spy into this folder, per step"
    )
    args = parser.parse_args()
    ok = True
    results = []
    for n in args.n or [1_000, 10_000, 100_000]:
        result = run_one(n, args)
        ok &= report(result)
        results.append(result)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_bytes(
            orjson.dumps(
                [{**r, "steps": {k: vars(v) for k, v in r["steps"].items()}} for r in results],
                option=orjson.OPT_INDENT_2,
            )
        )
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE)
    console.print(
        f"commit {commit.stdout.strip() or '?'}; rerun: {Path(sys.executable).name} bench/workload.py "
        + " ".join(sys.argv[1:]),
        highlight=False,
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

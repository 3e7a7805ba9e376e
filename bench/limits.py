"""Limits benchmark: how fast heavy queries are stopped, and how much memory they reach meanwhile.

Issue 7 item 8: a `LIKE` over 1,024 concatenated copies of a field answered 408 only after 43.6 s
and the server peaked at 13.7 GB. This starts a real `assay serve` on a fresh data directory with
a short query time limit, logs `--rows` rows whose input is `--kb` KB of text, and times:

- item 8's query, `concat(input, input, … 1,024 times) LIKE '%needle%'`: refused before it runs
  (a string expression may combine at most `query_max_string_parts` field values);
- the heaviest query of that kind the limits let run: `concat` of as many copies as allowed,
  matched against a LIKE pattern with the most wildcards allowed, over every row;
- two of those at once (each is stopped by its own time limit).

For each it prints the status, the seconds until the answer and the server's peak RSS (VmHWM, which
only grows, so each figure is the peak up to then), then the command to rerun. Nothing is asserted.

Run: .venv/bin/python bench/limits.py [--rows 300] [--kb 100] [--timeout 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import orjson
from rich.console import Console
from rich.table import Table

from assay.query.exprs import MAX_LIKE_WILDCARDS
from assay.server.settings import Settings
from assay.testing import start_server

console = Console()


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def concat(copies: int) -> str:
    return "concat(" + ", ".join(["input"] * copies) + ")"


def timed(http: httpx.Client, query: str) -> tuple[int, float, str]:
    start = time.monotonic()
    response = http.post("/btql", content=orjson.dumps({"query": query, "fmt": "json"}))
    seconds = time.monotonic() - start
    message = response.json().get("error", {}).get("message", "") if response.status_code >= 400 else ""
    return response.status_code, seconds, message[:90]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=300, help="rows logged (each with one large input)")
    parser.add_argument("--kb", type=int, default=100, help="size of each row's input, in KB")
    parser.add_argument("--timeout", type=float, default=5.0, help="the server's query time limit (s)")
    args = parser.parse_args()
    defaults = Settings()
    parts = defaults.query_max_string_parts
    with tempfile.TemporaryDirectory(prefix="assay-bench-limits-") as tmp:
        server = start_server(Path(tmp) / "data", env={"ASSAY_QUERY_TIMEOUT_S": str(args.timeout)})
        pid = server.process.pid
        try:
            auth = {"Authorization": f"Bearer {server.key}", "Content-Type": "application/json"}
            with httpx.Client(base_url=server.url, headers=auth, timeout=600) as http:
                project = http.post("/v1/project", json={"name": "limits"}).json()["id"]
                eid = http.post("/v1/experiment", json={"project_id": project, "name": "big"}).json()["id"]
                text = "ab" * (args.kb * 512)
                for start in range(0, args.rows, 10):
                    batch = [
                        {"id": f"r{i}", "experiment_id": eid, "input": f"{i:06d}{text}"}
                        for i in range(start, min(start + 10, args.rows))
                    ]
                    assert http.post("/logs3", content=orjson.dumps({"rows": batch})).status_code == 200
                base = f"SELECT count(*) AS n FROM experiment('{eid}') WHERE "
                # as many wildcards as allowed, matching all along the string, then failing at its end
                pattern = "%" + "ab%" * (MAX_LIKE_WILDCARDS - 2) + "z%"
                heavy = base + f"{concat(parts)} LIKE '{pattern}'"
                results: list[tuple[str, int, float, str, float]] = []
                after_load = peak_rss_mib(pid)

                def record(label: str, query: str) -> None:
                    status, seconds, message = timed(http, query)
                    results.append((label, status, seconds, message, peak_rss_mib(pid)))

                record(
                    "item 8: LIKE over 1,024 concatenated copies", base + f"{concat(1024)} LIKE '%needle%'"
                )
                record(f"heaviest allowed: {parts} copies, {MAX_LIKE_WILDCARDS} wildcards", heavy)
                pair: list[tuple[int, float, str]] = []
                start = time.monotonic()
                threads = [threading.Thread(target=lambda: pair.append(timed(http, heavy))) for _ in range(2)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                for status, seconds, message in pair:
                    results.append(("the same, two at once", status, seconds, message, peak_rss_mib(pid)))
                together = time.monotonic() - start
        finally:
            server.stop()
    table = Table(title=f"{args.rows} rows of {args.kb} KB; query time limit {args.timeout:g} s")
    for column in ("query", "status", "seconds", "server peak RSS (MiB)", "message"):
        table.add_column(column)
    for label, status, seconds, message, rss in results:
        table.add_row(label, str(status), f"{seconds:.2f}", f"{rss:.0f}", message)
    console.print(table)
    console.print(
        f"server peak RSS after loading the rows: {after_load:.0f} MiB; the pair took {together:.2f} s"
    )
    console.print(
        f"rerun: .venv/bin/python bench/limits.py --rows {args.rows} --kb {args.kb} --timeout {args.timeout:g}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How long `assay demo` takes to load its project on a fresh data directory.

.venv/bin/python bench/demo.py            # one run
.venv/bin/python bench/demo.py --runs 3   # several (each on a new directory)

Prints, per run: the wall time from the command's start until it prints its key, the CPU time the
process and its SDK subprocess used meanwhile, the machine's load average (the figure
means little on a machine that other work keeps busy), and the spans it stored.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ASSAY = Path(sys.executable).parent / "assay"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime + stime + the same of waited-for children (the SDK's process)
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def one_run() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="assay-bench-demo-"))
    log = data_dir / "bench.log"
    started = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(ASSAY), "demo", "--port", "0", "--data-dir", str(data_dir)], stdout=out, stderr=out
        )
    try:
        while "Try: " not in log.read_text():
            if proc.poll() is not None:
                raise SystemExit(log.read_text())
            time.sleep(0.2)
        wall, cpu, load = time.monotonic() - started, cpu_seconds(proc.pid), os.getloadavg()[0]
        text = log.read_text()
        url = re.search(r"ready at (http://\S+)/app/", text).group(1)  # type: ignore[union-attr]
        key = re.search(r"API key: (\S+)", text).group(1)  # type: ignore[union-attr]
        total = 0
        h = {"Authorization": f"Bearer {key}"}
        for e in httpx.get(url + "/v1/experiment", params={"project_name": "demo"}, headers=h).json()[
            "objects"
        ]:
            q = {"query": f"SELECT count(*) AS n FROM experiment('{e['id']}')", "fmt": "json"}
            total += httpx.post(url + "/btql", json=q, headers=h, timeout=60).json()["data"][0]["n"]
        print(f"wall {wall:5.1f} s   cpu {cpu:5.1f} s   load average {load:5.1f}   spans {total:,}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; command: .venv/bin/python bench/demo.py --runs {args.runs}")
    for _ in range(args.runs):
        one_run()


if __name__ == "__main__":
    main()

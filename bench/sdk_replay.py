"""What one of the SDK's `/logs3` requests costs the server, without the SDK competing for the CPU.

`workload.py`'s SDK row measures the whole path, but there the SDK's own process (which logs as
fast as it can) shares the two cores with the server, so the server's CPU and latency per
request move with how the scheduler splits them. This records the requests the official SDK
sends for the workload (`workload_sdk.py`, default batching, a queue large enough to drop
nothing, `BRAINTRUST_ALL_PUBLISH_PAYLOADS_DIR`), then replays them in order against a fresh server
two at a time, as the SDK's two sending threads do, --repeat times: server CPU per request (every
thread), latency per request, spans/s, and a check that every span was stored.

Run: .venv/bin/python bench/sdk_replay.py [--n 2000] [--repeat 3] [--profile /tmp/prof]
(--profile samples the server with py-spy, `pip install py-spy`, one file per run.)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

from assay.testing import ServerProcess, start_server
from workload_assay import log_through_sdk, sdk_result

HERE = Path(__file__).parent
CONCURRENCY = 2  # the SDK's sending threads: os.cpu_count() on this 2-core machine


def record(n: int, folder: Path) -> tuple[dict[str, str], list[bytes]]:
    """The SDK's request bodies for the workload of `n` cases, in the order it sent them."""
    server = start_server(folder / "server")
    try:
        out = log_through_sdk(
            server,
            n,
            7,
            "replay",
            check=True,
            BRAINTRUST_ALL_PUBLISH_PAYLOADS_DIR=str(folder / "payloads"),
            BRAINTRUST_QUEUE_SIZE=str(100 * n),  # nothing dropped while recording
        )
    finally:
        server.stop()
    ids = sdk_result(out)["experiments"]
    files = sorted((folder / "payloads").iterdir(), key=lambda p: float(p.name.split("_")[1]))
    return ids, [f.read_bytes() for f in files]


def replay(server: ServerProcess, ids: dict[str, str], bodies: list[bytes], profile: Path | None) -> dict:
    http = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {server.key}"}, timeout=600)
    project = http.post("/v1/project", json={"name": "replay"}).json()["id"]
    new = {k: http.post("/v1/experiment", json={"project_id": project, "name": k}).json()["id"] for k in ids}
    for name, old in ids.items():
        bodies = [b.replace(old.encode(), new[name].encode()) for b in bodies]
    proc = psutil.Process(server.process.pid)
    spy = None
    if profile is not None:
        command = [str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(proc.pid)]
        spy = subprocess.Popen(
            [*command, "--format", "raw", "--threads", "--rate", "250", "--output", str(profile)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1.5)  # let it attach
    todo, lock, seconds = list(reversed(bodies)), threading.Lock(), []

    def send() -> None:
        client = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {server.key}"}, timeout=600
        )
        while True:
            with lock:
                if not todo:
                    return
                body = todo.pop()
            start = time.perf_counter()
            res = client.post("/logs3", content=body)
            seconds.append(time.perf_counter() - start)
            res.raise_for_status()

    cpu, start = sum(proc.cpu_times()[:2]), time.perf_counter()
    threads = [threading.Thread(target=send) for _ in range(CONCURRENCY)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall, cpu = time.perf_counter() - start, sum(proc.cpu_times()[:2]) - cpu
    if spy is not None:
        spy.send_signal(2)
        spy.wait(timeout=60)
    query = "SELECT count(*) AS n FROM experiment('{}')"
    stored = sum(
        http.post("/btql", json={"query": query.format(i)}).json()["data"][0]["n"] for i in new.values()
    )
    seconds.sort()
    return {
        "requests": len(bodies),
        "stored": stored,
        "cpu_ms": 1000 * cpu / len(bodies),
        "p50_ms": 1000 * seconds[len(seconds) // 2],
        "p90_ms": 1000 * seconds[int(len(seconds) * 0.9)],
        "mean_ms": 1000 * statistics.mean(seconds),
        "spans_s": stored / wall,
        "load": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=2000, help="test cases per experiment")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", type=Path, help="a folder for one py-spy profile per run")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="assay-sdk-replay-"))
    try:
        ids, bodies = record(args.n, folder)
        print(f"recorded {len(bodies)} requests of the SDK for N = {args.n:,} ({8 * args.n:,} spans)")
        for run in range(args.repeat):
            data = folder / f"run{run}"
            server = start_server(data)
            try:
                profile = None
                if args.profile is not None:
                    args.profile.mkdir(parents=True, exist_ok=True)
                    profile = args.profile / f"replay{run}.txt"
                r = replay(server, ids, bodies, profile)
            finally:
                server.stop()
                shutil.rmtree(data, ignore_errors=True)
            check = "ok" if r["stored"] == 8 * args.n else f"MISSING {8 * args.n - r['stored']:,}"
            print(
                f"run {run + 1}: server CPU {r['cpu_ms']:.1f} ms/request; latency p50 {r['p50_ms']:.0f} ms, "
                f"p90 {r['p90_ms']:.0f} ms, mean {r['mean_ms']:.0f} ms; {r['spans_s']:,.0f} spans/s; "
                f"{r['stored']:,} stored ({check}); load {r['load']:.1f}"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"rerun: python bench/sdk_replay.py --n {args.n} --repeat {args.repeat}")


if __name__ == "__main__":
    main()

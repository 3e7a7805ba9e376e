"""The Assay side of `workload.py`: the workload through Assay's public HTTP API, each answer checked.

Every step is timed on the client as the time spent waiting for responses (decoding them is the
client's cost, not Assay's), next to the server process's CPU time during the step.
"""

from __future__ import annotations

import argparse
import csv
import io
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import psutil

from assay.testing import ServerProcess
from workload_data import EXPERIMENTS, SCORES, Truth, row_id

HERE = Path(__file__).parent
TOL = 1e-6


@dataclass
class Step:
    name: str
    hand: float | None = None  # seconds
    assay: float | None = None
    hand_cpu: float | None = None  # CPU seconds of the hand-written program (all threads)
    cpu: float | None = None  # CPU seconds of the Assay server (all threads)
    problems: list[str] = field(default_factory=list)
    note: str = ""


class Client:
    """The public API of one server, with its CPU time and peak memory readable."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.http = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {server.key}"}, timeout=3600
        )
        self.proc = psutil.Process(server.process.pid)
        self.http_seconds = 0.0  # time spent waiting for responses, not decoding them
        self.profile_dir: Path | None = None  # with --profile: one py-spy profile per step

    def profile(self, name: str) -> subprocess.Popen[bytes] | None:
        """With a profile folder, sample the server with py-spy (`pip install py-spy`) until the
        returned process is interrupted; the collapsed stacks go to `<folder>/<name>.txt`."""
        if self.profile_dir is None:
            return None
        self.profile_dir.mkdir(parents=True, exist_ok=True)
        out = self.profile_dir / f"{name}.txt"
        spy = Path(sys.executable).with_name("py-spy")
        cmd = [str(spy), "record", "--pid", str(self.proc.pid), "--format", "raw", "--rate", "200"]
        proc = subprocess.Popen(
            [*cmd, "--output", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(1.0)  # let it attach
        return proc

    def cpu(self) -> float:
        t = self.proc.cpu_times()
        return float(t.user + t.system)

    def peak_rss(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        return 0

    def call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        """One request; its seconds (until the whole body arrived) count towards `http_seconds`."""
        start = time.perf_counter()
        response = self.http.request(method, path, **kw)
        self.http_seconds += time.perf_counter() - start
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response

    def json(self, method: str, path: str, **kw: Any) -> Any:
        return orjson.loads(self.call(method, path, **kw).content)

    def btql(self, query: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        cursor = None
        while True:
            text = query + (f" OFFSET '{cursor}'" if cursor else "")
            page = self.json("POST", "/btql", json={"query": text})
            rows += page["data"]
            cursor = page.get("cursor")
            if not cursor:
                return rows

    def count(self, experiment_id: str) -> int:
        return int(self.btql(f"SELECT count(*) AS n FROM experiment('{experiment_id}')")[0]["n"])


def measure(client: Client, step: Step, fn: Callable[[], Any], repeat: int = 1, wall: bool = False) -> Any:
    """Run `fn` (once, or a warm-up then `repeat` times: the median); record its seconds and the
    server's CPU seconds. Seconds are the time spent waiting for responses (decoding them on the
    client is not Assay's cost), or wall-clock time with `wall` (concurrent clients)."""
    if repeat > 1:
        fn()
    profiler = client.profile(step.name)
    samples, cpus, answer = [], [], None
    try:
        for _ in range(repeat):
            cpu, start, waited = client.cpu(), time.perf_counter(), client.http_seconds
            answer = fn()
            samples.append(time.perf_counter() - start if wall else client.http_seconds - waited)
            cpus.append(client.cpu() - cpu)
    finally:
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=60)
    step.assay, step.cpu = sorted(samples)[len(samples) // 2], sorted(cpus)[len(cpus) // 2]
    return answer


def close(a: float | None, b: float) -> bool:
    return a is not None and abs(a - b) <= TOL


# -- Assay --------------------------------------------------------------------------------------
def post_all(client: Client, bodies: list[bytes], threads: int) -> int:
    todo = list(reversed(bodies))
    lock = threading.Lock()
    acked = [0]
    failures: list[str] = []

    def worker() -> None:
        with httpx.Client(base_url=client.server.url, headers=client.http.headers, timeout=3600) as c:
            while True:
                with lock:
                    if not todo or failures:
                        return
                    body = todo.pop()
                response = c.post("/logs3", content=body)
                if response.status_code != 200:
                    failures.append(f"{response.status_code} {response.text[:200]}")
                    return
                with lock:
                    acked[0] += len(response.json()["row_ids"])

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if failures:
        raise RuntimeError(f"/logs3 failed: {failures[0]}")
    return acked[0]


def check_summary(summary: dict[str, Any], t: Truth, step: Step) -> None:
    for s in SCORES:
        item = (summary.get("scores") or {}).get(s)
        if item is None:
            step.problems.append(f"no score {s}")
            continue
        if not close(item.get("score"), t.means["candidate"][s]):
            step.problems.append(f"{s} mean {item.get('score')} != {t.means['candidate'][s]}")
        if not close(item.get("diff"), t.means["candidate"][s] - t.means["baseline"][s]):
            step.problems.append(f"{s} diff {item.get('diff')}")
        if item.get("improvements") != t.improvements[s] or item.get("regressions") != t.regressions[s]:
            step.problems.append(
                f"{s} improvements/regressions {item.get('improvements')}/{item.get('regressions')} "
                f"!= {t.improvements[s]}/{t.regressions[s]}"
            )


def check_rows(rows: list[dict[str, Any]], t: Truth, step: Step, expect: int) -> None:
    if len(rows) != expect:
        step.problems.append(f"{len(rows)} rows, expected {expect}")
    for row in rows:
        want = t.scores.get(row.get("id", ""))
        got = row.get("scores") or {}
        if want is None or any(not close(got.get(s), want[s]) for s in SCORES):
            step.problems.append(f"row {row.get('id')}: scores {got} != {want}")
            return


def export(client: Client, experiment_id: str, shape: str, fmt: str) -> bytes:
    body = {"format": fmt, "row_type": shape}
    return client.call("POST", f"/v1/experiment/{experiment_id}/export", json=body).content


def check_export(data: bytes, shape: str, fmt: str, n: int, step: Step) -> None:
    if fmt == "json":
        ids = [r.get("id") for r in orjson.loads(data)]
    else:
        table = list(csv.reader(io.StringIO(data.decode())))
        ids = [r[table[0].index("id")] for r in table[1:]]
    parts = "rtls" if shape == "spans" else "r"
    want = {row_id("candidate", i, p) for i in range(n) for p in parts}
    if len(ids) != len(want) or set(ids) != want:
        step.problems.append(f"{len(ids)} rows ({len(set(ids) & want)} expected ones), expected {len(want)}")


def run_assay(
    client: Client, t: Truth, ids: dict[str, str], bodies: list[bytes], args: argparse.Namespace
) -> dict[str, Step]:
    n, cand, base = t.n, ids["candidate"], ids["baseline"]
    steps = {
        name: Step(name) for name in ("ingest", "first_page", "summarize", "deltas", "filter", "group_by")
    }

    acked = measure(client, steps["ingest"], lambda: post_all(client, bodies, args.threads), wall=True)
    page = measure(
        client,
        steps["first_page"],
        lambda: client.json("POST", f"/v1/experiment/{cand}/table", json={"limit": 50, "with_total": False}),
    )
    if acked != 8 * n:
        steps["ingest"].problems.append(f"{acked} spans acknowledged, expected {8 * n}")
    for name in EXPERIMENTS:
        stored = client.count(ids[name])
        if stored != 4 * n:
            steps["ingest"].problems.append(f"{name}: {stored} spans stored, expected {4 * n}")
    check_rows(page["rows"], t, steps["first_page"], min(50, n))

    summary = measure(
        client,
        steps["summarize"],
        lambda: client.json(
            "GET", f"/v1/experiment/{cand}/summarize", params={"comparison_experiment_id": base}
        ),
        args.repeat,
    )
    check_summary(summary, t, steps["summarize"])

    deltas_sql = (
        "SELECT id, "
        + ", ".join(f"scores.{s} - comparison_scores.{s} AS {s}" for s in SCORES)
        + f" FROM experiment('{cand}', shape => 'summary', compare => '{base}') LIMIT 100000"
    )
    deltas = measure(client, steps["deltas"], lambda: client.btql(deltas_sql), args.repeat)
    if len(deltas) != n:
        steps["deltas"].problems.append(f"{len(deltas)} cases, expected {n}")
    bad = [
        d["id"]
        for d in deltas
        if any(not close(d.get(s), t.deltas.get(d["id"], {}).get(s, 9)) for s in SCORES)
    ]
    if bad:
        steps["deltas"].problems.append(f"{len(bad)} wrong deltas, e.g. {bad[0]}")

    filtered = measure(
        client,
        steps["filter"],
        lambda: client.json(
            "POST",
            f"/v1/experiment/{cand}/table",
            json={"filters": ["scores.correctness < 0.5"], "limit": 50, "with_total": True},
        ),
        args.repeat,
    )
    if filtered["total"] != t.filter_count:
        steps["filter"].problems.append(f"total {filtered['total']} != {t.filter_count}")
    check_rows(filtered["rows"], t, steps["filter"], min(50, t.filter_count))
    if any((r.get("scores") or {}).get("correctness", 1) >= 0.5 for r in filtered["rows"]):
        steps["filter"].problems.append("a row does not match the filter")

    groups = measure(
        client,
        steps["group_by"],
        lambda: client.json(
            "POST", f"/v1/experiment/{cand}/table/groups", json={"group_by": "metadata.category"}
        ),
        args.repeat,
    )
    got = {g["group"]: g for g in groups["groups"]}
    for category, (count, means) in t.groups.items():
        g = got.get(category)
        if g is None or g["count"] != count or any(not close(g["scores"].get(s), means[s]) for s in SCORES):
            steps["group_by"].problems.append(f"group {category}: {g} != {count} {means}")
            break

    steps["fetch"] = Step("fetch")

    def fetch_all() -> list[bytes]:
        pages, cursor = [], None
        while True:
            body = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
            raw = client.call("POST", f"/v1/experiment/{cand}/fetch", json=body).content
            pages.append(raw)
            cursor = orjson.loads(raw).get("cursor")
            if not cursor:
                return pages

    pages = measure(client, steps["fetch"], fetch_all)
    fetched = [e["id"] for p in pages for e in orjson.loads(p)["events"]]
    want = {row_id("candidate", i, p) for i in range(n) for p in "rtls"}
    if len(fetched) != 4 * n or set(fetched) != want:
        steps["fetch"].problems.append(
            f"{len(fetched)} spans ({len(set(fetched) & want)} expected), expected {4 * n}"
        )

    for shape in ("spans", "traces"):
        for fmt in ("csv", "json"):
            name = f"export_{shape}_{fmt}"
            steps[name] = Step(name)
            data = measure(client, steps[name], lambda s=shape, f=fmt: export(client, cand, s, f))
            check_export(data, shape, fmt, n, steps[name])
            steps[name].note = f"{len(data) / 2**20:,.0f} MiB"
    return steps


def log_through_sdk(
    server: ServerProcess, n: int, seed: int, project: str, *, check: bool = False, **env: str
) -> subprocess.CompletedProcess[str]:
    """`workload_sdk.py` in a process of its own, as a user's script runs: the SDK configured for
    `server` with its defaults (flushing in the background), `env` on top (a raised queue, another
    URL). Its last line of output is the JSON that `sdk_result` reads."""
    environ = server.env()
    environ.pop("BRAINTRUST_SYNC_FLUSH", None)
    environ.update(env)
    return subprocess.run(
        [sys.executable, str(HERE / "workload_sdk.py"), str(n), str(seed), project],
        env=environ,
        capture_output=True,
        text=True,
        check=check,
        cwd=HERE,
    )


def sdk_result(out: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """What `workload_sdk.py` printed: its seconds, CPU seconds and experiment ids."""
    result: dict[str, Any] = orjson.loads(out.stdout.strip().splitlines()[-1])
    return result


def run_sdk(client: Client, t: Truth, args: argparse.Namespace) -> Step:
    step = Step("sdk")
    cpu = client.cpu()
    profiler = client.profile("sdk")
    try:
        out = log_through_sdk(client.server, t.n, args.seed, "sdk")
    finally:
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=60)
    step.cpu = client.cpu() - cpu
    if out.returncode != 0:
        step.problems.append(f"SDK script failed: {out.stderr[-500:]}")
        return step
    result = sdk_result(out)
    step.assay = result["seconds"]
    ids = result["experiments"]
    stored = {name: client.count(ids[name]) for name in EXPERIMENTS}
    total = sum(stored.values())
    step.note = (
        f"{total:,} of {8 * t.n:,} spans stored: {total / step.assay:,.0f} spans/s; "
        f"CPU per 1,000 spans: server {1000 * step.cpu / (8 * t.n):.2f} s, SDK client "
        f"{1000 * result['cpu'] / (8 * t.n):.2f} s"
    )
    for name, count in stored.items():
        if count != 4 * t.n:
            step.problems.append(f"{name}: {count} of {4 * t.n} spans stored")
    summary = client.json(
        "GET",
        f"/v1/experiment/{ids['candidate']}/summarize",
        params={"comparison_experiment_id": ids["baseline"]},
    )
    check_summary(summary, t, step)
    if "dropped" in out.stderr.lower():
        step.problems.append("the SDK reported dropped events")
    return step

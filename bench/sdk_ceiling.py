"""How many of the workload's spans the official SDK delivers when the server costs nothing.

The issue's SDK target asks that the workload logged as fast as the SDK accepts it, with the SDK's
default settings, arrive whole. Whether any server can meet that depends on the SDK's own process
first: it drops the oldest queued events once its bounded queue (25,000 events by default) is
full, and its sending thread shares the interpreter with the program that logs. So this runs the
same SDK script (`workload_sdk.py`) against two servers, in the same run:

- a *null* `/logs3`: a small Starlette app that answers every `/logs3` request at once with the
  reply Assay gives (and counts the span ids it received), forwarding every other request (login,
  project and experiment registration) to a real Assay server: the ceiling, what an infinitely
  fast server would receive;
- Assay itself (`assay serve`, DuckDB), counting the spans it stored.

Each with the SDK's default queue and with `--queue-size` events (`BRAINTRUST_QUEUE_SIZE`), the
setting a user raises to keep every span of a large run. Prints seconds, spans received or
stored, spans/s and the SDK process's CPU seconds.

Run: .venv/bin/python bench/sdk_ceiling.py [--n 10000] [--queue-size 300000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
from rich.console import Console
from rich.table import Table
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from assay.testing import ServerProcess, start_server
from workload_assay import Client, log_through_sdk, sdk_result
from workload_data import EXPERIMENTS

HERE = Path(__file__).parent
console = Console(width=120)


def null_app() -> Starlette:
    """The null server (a uvicorn factory): `/logs3` answered at once, the rest forwarded to
    `$UPSTREAM`, whose own URL in a reply (the login's API URL) is rewritten to `$ME`."""
    upstream, me = os.environ["UPSTREAM"], os.environ["ME"]
    seen: set[str] = set()
    client = httpx.AsyncClient(base_url=upstream, timeout=600)

    async def handle(request: Request) -> Response:
        body = await request.body()
        if request.url.path == "/logs3" and request.method == "POST":
            ids = [str(row.get("id")) for row in orjson.loads(body)["rows"]]
            seen.update(ids)
            reply = {"status": "success", "xact_id": "1", "row_ids": ids}
            return Response(orjson.dumps(reply), media_type="application/json")
        if request.url.path == "/null/received":
            return Response(orjson.dumps({"spans": len(seen)}), media_type="application/json")
        skip = {"host", "content-length"}
        headers = {k: v for k, v in request.headers.items() if k.lower() not in skip}
        answer = await client.request(
            request.method, request.url.path, params=request.query_params, content=body, headers=headers
        )
        drop = {"content-length", "content-encoding", "transfer-encoding"}
        return Response(
            answer.content.replace(upstream.encode(), me.encode()),
            status_code=answer.status_code,
            headers={k: v for k, v in answer.headers.items() if k.lower() not in drop},
        )

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return Starlette(routes=[Route("/{path:path}", handle, methods=methods)])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_sdk(server: ServerProcess, url: str, n: int, queue_size: int | None) -> dict[str, Any]:
    """The SDK script against `url` (Assay's own or the null server's): its seconds, CPU and ids."""
    env = {"BRAINTRUST_APP_URL": url}
    if queue_size is not None:
        env["BRAINTRUST_QUEUE_SIZE"] = str(queue_size)
    return sdk_result(log_through_sdk(server, n, 7, "ceiling", check=True, **env))


def against_null(server: ServerProcess, n: int, queue_size: int | None) -> tuple[dict[str, Any], int]:
    port = free_port()
    me = f"http://127.0.0.1:{port}"
    proxy = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "--app-dir",
            str(HERE),
            "sdk_ceiling:null_app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env={**os.environ, "UPSTREAM": server.url, "ME": me},
    )
    try:
        for _ in range(200):
            try:
                httpx.get(f"{me}/null/received")
                break
            except httpx.TransportError:
                time.sleep(0.05)
        result = run_sdk(server, me, n, queue_size)
        return result, int(httpx.get(f"{me}/null/received").json()["spans"])
    finally:
        proxy.terminate()
        proxy.wait(timeout=30)


def against_assay(server: ServerProcess, n: int, queue_size: int | None) -> tuple[dict[str, Any], int]:
    result = run_sdk(server, server.url, n, queue_size)
    client = Client(server)
    try:
        return result, sum(client.count(result["experiments"][name]) for name in EXPERIMENTS)
    finally:
        client.http.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=10_000, help="test cases per experiment")
    parser.add_argument("--queue-size", type=int, default=300_000, help="the raised BRAINTRUST_QUEUE_SIZE")
    args = parser.parse_args()
    total = 8 * args.n
    table = Table(
        title=f"The official SDK, N = {args.n:,} cases per experiment ({total:,} spans), {os.cpu_count()} CPUs"
    )
    for column in ("server", "SDK queue", "seconds", "spans arrived", "spans/s", "SDK CPU s"):
        table.add_column(column, justify="left" if column in ("server", "SDK queue") else "right")
    workdir = Path(tempfile.mkdtemp(prefix="assay-sdk-ceiling-"))
    try:
        for queue_size in (None, args.queue_size):
            for name, run in (("null /logs3", against_null), ("Assay", against_assay)):
                server = start_server(workdir / f"{name.split()[0]}-{queue_size}")
                try:
                    with console.status(f"{name}, queue {queue_size or 'default'}"):
                        result, arrived = run(server, args.n, queue_size)
                finally:
                    server.stop()
                table.add_row(
                    name,
                    "default (25,000)" if queue_size is None else f"{queue_size:,}",
                    f"{result['seconds']:.1f}",
                    f"{arrived:,} of {total:,}",
                    f"{arrived / result['seconds']:,.0f}",
                    f"{result['cpu']:.1f}",
                )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    console.print(table)
    console.print(f"rerun: python bench/sdk_ceiling.py --n {args.n} --queue-size {args.queue_size}")


if __name__ == "__main__":
    main()

"""`assay sync push`: pulled NDJSON rows into another object through `/logs3`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from assay.cli.sql import Remote, RemoteError
from assay.cli.sync import KINDS, find_object

# Server-assigned fields: the target assigns its own (as `bt sync push` does).
STRIP = frozenset(
    {"_xact_id", "_pagination_key", "_async_scoring_state", "org_id", "created", "is_root", "comments"}
    | {"experiment_id", "dataset_id", "project_id", "log_id", "audit_data", "span_type_info"}
)


def part_files(source: Path) -> list[Path]:
    if source.is_file():
        return [source]
    data = source / "data" if (source / "data").is_dir() else source
    files = sorted(data.glob("part-*.jsonl")) or sorted(data.glob("*.jsonl"))
    if not files:
        raise RemoteError(f"no .jsonl files in {source}")
    return files


def _rows(files: list[Path]) -> Iterator[dict[str, Any]]:
    for path in files:
        with path.open("rb") as fh:
            for line in fh:
                if line.strip():
                    yield orjson.loads(line)


def _target(remote: Remote, kind: str, name: str, project: str | None) -> tuple[str, dict[str, Any]]:
    """The target's id and the routing fields each row needs."""
    found = find_object(remote, kind, name, project)
    if found is None:
        if not project:
            raise RemoteError(f"no {KINDS[kind]} {name!r}; pass --project to create it")
        pid = remote.request("POST", "/v1/project", json={"name": project})["id"]
        if kind == "project_logs":
            raise RemoteError(f"no project {name!r}")
        found = remote.request("POST", f"/v1/{kind}", json={"project_id": pid, "name": name})
    oid = str(found["id"])
    if kind == "experiment":
        return oid, {"experiment_id": oid}
    if kind == "dataset":
        return oid, {"dataset_id": oid}
    return oid, {"project_id": oid, "log_id": "g"}


def clean(row: dict[str, Any], routing: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k not in STRIP}
    out.update(routing)
    return out


def run_push(
    remote: Remote, source: Path, kind: str, name: str, project: str | None, batch: int, console: Console
) -> tuple[int, str]:
    files = part_files(source)
    total = sum(1 for _ in _rows(files))
    oid, routing = _target(remote, kind, name, project)
    sent = 0
    with Progress(
        TextColumn("push"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("rows", total=total)
        chunk: list[dict[str, Any]] = []
        for row in _rows(files):
            chunk.append(clean(row, routing))
            if len(chunk) >= batch:
                remote.request("POST", "/logs3", json={"rows": chunk, "api_version": 2})
                sent += len(chunk)
                bar.update(task, completed=sent)
                chunk = []
        if chunk:
            remote.request("POST", "/logs3", json={"rows": chunk, "api_version": 2})
            sent += len(chunk)
            bar.update(task, completed=sent)
    return sent, oid

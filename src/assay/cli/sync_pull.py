"""`assay sync pull`: an object's rows to NDJSON parts, resumable from `state.json`.

Traces mode (the default) first discovers up to N trace roots, newest first, then fetches every
span of those traces in chunks of 100 roots; spans mode pages through spans directly. The state
file is written after every page or chunk together with the byte length of the current part, so
a resumed pull truncates any half-written tail and continues without duplicates.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from assay.cli.sql import Remote

PART_BYTES = 128 * 1024 * 1024
ROOTS_PER_CHUNK = 100


@dataclass(frozen=True)
class PullSpec:
    object_type: str
    object_id: str
    window_seconds: int
    filter: str | None
    mode: str  # "traces" | "spans"
    limit: int
    page_size: int

    def digest(self) -> str:
        return hashlib.sha256(orjson.dumps(asdict(self), option=orjson.OPT_SORT_KEYS)).hexdigest()[:12]


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _conditions(spec: PullSpec) -> str | None:
    parts = []
    if spec.window_seconds:
        parts.append(f"created >= NOW() - INTERVAL {spec.window_seconds} SECOND")
    if spec.filter:
        parts.append(f"({spec.filter})")
    return " AND ".join(parts) or None


def _pipe(spec: PullSpec, select: str, sort: str, limit: int, where: str | None, cursor: str | None) -> str:
    q = f"select: {select} | from: {spec.object_type}({_quote(spec.object_id)}) spans | limit: {limit} | sort: {sort}"
    if where:
        q += f" | filter: {where}"
    if cursor:
        q += f' | cursor: "{cursor}"'
    return q


class Parts:
    """Numbered NDJSON parts under `data/`, rotated at PART_BYTES; positions live in the state."""

    def __init__(self, folder: Path, state: dict[str, Any]) -> None:
        self.folder = folder
        self.state = state
        folder.mkdir(parents=True, exist_ok=True)
        path = self.path()
        if path.exists():  # drop whatever was written after the last saved state
            with path.open("r+b") as fh:
                fh.truncate(state["part_bytes"])

    def path(self) -> Path:
        return self.folder / f"part-{self.state['part']:06d}.jsonl"

    def write(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        if self.state["part_bytes"] >= PART_BYTES:
            self.state["part"] += 1
            self.state["part_bytes"] = 0
        blob = b"".join(orjson.dumps(r) + b"\n" for r in rows)
        with self.path().open("ab") as fh:
            fh.write(blob)
        self.state["part_bytes"] += len(blob)
        self.state["rows"] += len(rows)


def _save(path: Path, doc: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    tmp.replace(path)


def run_pull(remote: Remote, spec: PullSpec, root: Path, *, force: bool, console: Console) -> Path:
    out = root / f"{spec.object_type}_{spec.object_id}" / spec.digest()
    state_path = out / "state.json"
    if force and out.exists():
        shutil.rmtree(out)
    state: dict[str, Any] = (
        orjson.loads(state_path.read_bytes())
        if state_path.exists()
        else {
            "phase": "discover",
            "cursor": None,
            "roots": [],
            "chunk": 0,
            "part": 1,
            "part_bytes": 0,
            "rows": 0,
        }
    )
    if state["phase"] == "done":
        console.print(f"Sync already completed for this spec ({out}); pass --force to pull again.")
        return out
    out.mkdir(parents=True, exist_ok=True)
    _save(out / "spec.json", asdict(spec))
    parts = Parts(out / "data", state)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        if spec.mode == "spans":
            _pull_spans(remote, spec, state, parts, lambda: _save(state_path, state), bar)
        else:
            _pull_traces(remote, spec, state, parts, lambda: _save(state_path, state), bar)
    files = sorted((out / "data").glob("part-*.jsonl"))
    manifest = {
        "object_type": spec.object_type,
        "object_id": spec.object_id,
        "spec_hash": spec.digest(),
        "mode": spec.mode,
        "rows": state["rows"],
        "traces": len(state["roots"]) if spec.mode == "traces" else None,
        "parts": [{"file": f"data/{f.name}", "bytes": f.stat().st_size} for f in files],
        "completed": datetime.now(UTC).isoformat(),
    }
    _save(out / "manifest.json", manifest)
    state["phase"] = "done"
    _save(state_path, state)
    console.print(f"pulled {state['rows']} rows into {out}")
    return out


def _pull_spans(
    remote: Remote, spec: PullSpec, state: dict[str, Any], parts: Parts, save: Any, bar: Progress
) -> None:
    task = bar.add_task("spans", total=spec.limit, completed=state["rows"])
    where = _conditions(spec)
    while state["rows"] < spec.limit:
        page = min(spec.page_size, spec.limit - state["rows"])
        res = remote.btql(
            _pipe(spec, "*", "_pagination_key DESC", page, where, state["cursor"]), "assay_sync"
        )
        parts.write(res.get("data") or [])
        state["cursor"] = res.get("cursor")
        save()
        bar.update(task, completed=state["rows"])
        if not res.get("data") or not state["cursor"]:
            break


def _pull_traces(
    remote: Remote, spec: PullSpec, state: dict[str, Any], parts: Parts, save: Any, bar: Progress
) -> None:
    found = bar.add_task("discover traces", total=spec.limit, completed=len(state["roots"]))
    where = _conditions(spec)
    while state["phase"] == "discover":
        query = _pipe(
            spec, "root_span_id, span_id, id", "_pagination_key DESC", spec.page_size, where, state["cursor"]
        )
        res = remote.btql(query, "assay_sync")
        roots: list[str] = state["roots"]
        seen = set(roots)
        for row in res.get("data") or []:
            root = row.get("root_span_id") or row.get("span_id") or row.get("id")
            if root and root not in seen and len(roots) < spec.limit:
                roots.append(root)
                seen.add(root)
        state["cursor"] = res.get("cursor")
        if len(roots) >= spec.limit or not res.get("data") or not state["cursor"]:
            state["phase"], state["cursor"] = "fetch", None
        save()
        bar.update(found, completed=len(roots))
    roots = state["roots"]
    chunks = [roots[i : i + ROOTS_PER_CHUNK] for i in range(0, len(roots), ROOTS_PER_CHUNK)]
    fetched = bar.add_task(
        "fetch traces", total=len(roots), completed=min(state["chunk"] * ROOTS_PER_CHUNK, len(roots))
    )
    while state["chunk"] < len(chunks):
        chunk = chunks[state["chunk"]]
        cond = f"root_span_id IN [{', '.join(_quote(r) for r in chunk)}]"
        cursor = None
        while True:
            res = remote.btql(
                _pipe(spec, "*", "_pagination_key ASC", spec.page_size, cond, cursor), "assay_sync"
            )
            parts.write(res.get("data") or [])
            cursor = res.get("cursor")
            if not res.get("data") or not cursor:
                break
        state["chunk"] += 1
        save()
        bar.update(fetched, completed=min(state["chunk"] * ROOTS_PER_CHUNK, len(roots)))

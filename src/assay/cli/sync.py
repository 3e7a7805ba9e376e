"""`assay sync pull|push`: copy an object's rows to resumable NDJSON files and back, over HTTP.

`pull` follows the reference CLI (`bt sync pull`): pipe-syntax queries to `/btql`, output under
`<root>/<kind>_<id>/<spec hash>/` with `spec.json`, `state.json`, `manifest.json` and
`data/part-000001.jsonl`…; an interrupted pull resumes where its state file says. `push` uploads
such files into another object through `/logs3`.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from assay.cli.sql import ApiKey, Remote, RemoteError, Url

app = typer.Typer(help="Copy rows between a server and local NDJSON files.", no_args_is_help=True)
KINDS = {"experiment": "experiment", "dataset": "dataset", "project_logs": "project"}


def parse_ref(ref: str) -> tuple[str, str]:
    kind, sep, name = ref.partition(":")
    if not sep or kind not in KINDS or not name:
        raise typer.BadParameter(
            "expected experiment:NAME, dataset:NAME or project_logs:NAME (names or ids)", param_hint="OBJECT"
        )
    return kind, name


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def find_object(remote: Remote, kind: str, ref: str, project: str | None) -> dict[str, Any] | None:
    """The object `ref` (an id, else a name; names may be scoped by --project), or None."""
    catalog = KINDS[kind]
    path = f"/v1/{catalog}"
    # Ids are UUIDs (the list routes refuse anything else in `ids`): anything else is a name.
    found = remote.request("GET", path, params={"ids": ref})["objects"] if _is_uuid(ref) else []
    if not found:
        params = {f"{catalog}_name": ref}
        if project and catalog != "project":
            projects = remote.request("GET", "/v1/project", params={"project_name": project})["objects"]
            if not projects:
                return None
            params["project_id"] = projects[0]["id"]
        found = remote.request("GET", path, params=params)["objects"]
    if len(found) > 1:
        raise RemoteError(f"{len(found)} {catalog}s are named {ref!r}; pass --project or the id")
    return found[0] if found else None


def parse_window(text: str) -> int:
    """`3d`, `12h`, `30m`, `45s` or `0` (no window) in seconds."""
    m = re.fullmatch(r"(\d+)([smhdw]?)", text.strip())
    if not m:
        raise typer.BadParameter("use a number with s, m, h, d or w, e.g. 3d", param_hint="--window")
    factor = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[m.group(2)]
    return int(m.group(1)) * factor


@app.command("pull")
def pull(
    ref: str = typer.Argument(
        ..., metavar="OBJECT", help="experiment:NAME, dataset:NAME or project_logs:NAME"
    ),
    project: str | None = typer.Option(None, "--project", help="Project of a named experiment or dataset."),
    window: str = typer.Option(
        "3d", "--window", envvar="BT_SYNC_WINDOW", help="Only rows created this recently; 0 for all."
    ),
    filter_: str | None = typer.Option(
        None, "--filter", help='An extra filter expression, e.g. "scores.acc < 0.5".'
    ),
    traces: int | None = typer.Option(
        None, "--traces", help="Pull up to N whole traces (default mode, N=100)."
    ),
    spans: int | None = typer.Option(None, "--spans", help="Pull up to N spans instead of whole traces."),
    page_size: int = typer.Option(1000, "--page-size", min=1, max=100_000, help="Rows per request."),
    root: Path = typer.Option(Path("bt-sync"), "--root", help="Output directory."),
    force: bool = typer.Option(False, "--force", help="Start again even if this spec completed."),
    url: str | None = Url,
    api_key: str | None = ApiKey,
) -> None:
    """Pull an object's rows to NDJSON files (resumable)."""
    from assay.cli.sync_pull import PullSpec, run_pull

    if traces is not None and spans is not None:
        raise typer.BadParameter("pass --traces or --spans, not both")
    kind, name = parse_ref(ref)
    err = Console(stderr=True)
    try:
        remote = Remote(url, api_key)
        obj = find_object(remote, kind, name, project)
        if obj is None:
            raise RemoteError(f"no {KINDS[kind]} {name!r} readable with this key")
        spec = PullSpec(
            object_type=kind,
            object_id=obj["id"],
            window_seconds=parse_window(window),
            filter=filter_,
            mode="spans" if spans is not None else "traces",
            limit=spans if spans is not None else (traces if traces is not None else 100),
            page_size=page_size,
        )
        out = run_pull(remote, spec, root, force=force, console=err)
    except RemoteError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    typer.echo(str(out))


@app.command("push")
def push(
    source: Path = typer.Argument(
        ..., exists=True, help="A pulled spec directory, a data/ directory or a .jsonl file."
    ),
    ref: str = typer.Argument(
        ..., metavar="OBJECT", help="Target: experiment:NAME, dataset:NAME or project_logs:NAME"
    ),
    project: str | None = typer.Option(None, "--project", help="Project of the target (created if missing)."),
    batch: int = typer.Option(500, "--batch", min=1, max=10_000, help="Rows per /logs3 request."),
    url: str | None = Url,
    api_key: str | None = ApiKey,
) -> None:
    """Upload pulled NDJSON rows into another object (created when --project is given)."""
    from assay.cli.sync_push import run_push

    kind, name = parse_ref(ref)
    err = Console(stderr=True)
    try:
        remote = Remote(url, api_key)
        count, target = run_push(remote, source, kind, name, project, batch, err)
    except RemoteError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    typer.echo(f"pushed {count} rows into {kind} {target}")

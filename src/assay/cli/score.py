"""`assay score EXPERIMENT --scorer NAME …`: score an experiment's rows on a running server.

Starts a scoring job (`POST /v1/job`) and follows it with a progress bar; Ctrl-C cancels the job.
Scorers are named as in the web app: a function of the experiment's project (scorer, classifier
or facet, by name or slug) or a built-in (`Levenshtein`, `ExactMatch`, `Factuality`, `Task`…).
"""

from __future__ import annotations

import sys
import time
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from assay.cli.sql import ApiKey, Remote, RemoteError, Url

FINISHED = ("done", "cancelled", "failed")


def find_experiment(remote: Remote, ref: str, project: str | None) -> dict[str, Any]:
    """An experiment by id, else by name (in `project` when given)."""
    params: dict[str, str] = {"experiment_name": ref}
    if project:
        params["project_name"] = project
    found = remote.request("GET", "/v1/experiment", params=params)["objects"]
    if not found and not project:
        try:
            exp: dict[str, Any] = remote.request("GET", f"/v1/experiment/{ref}")
            return exp
        except RemoteError:
            pass
    if not found:
        raise RemoteError(f"no experiment named {ref!r}" + (f" in project {project!r}" if project else ""))
    if len(found) > 1:
        raise RemoteError(f"{len(found)} experiments are named {ref!r}: pass --project or the id")
    exp = found[0]
    return exp


def scorer_ref(remote: Remote, project_id: str, name: str, builtins: list[dict[str, Any]]) -> dict[str, Any]:
    """A scorer of the project (by name or slug), else a built-in, as a job's scorer reference."""
    for key in ("function_name", "slug"):
        found = remote.request("GET", "/v1/function", params={"project_id": project_id, key: name})["objects"]
        if found:
            return {"type": "function", "id": found[0]["id"]}
    for b in builtins:
        if b["name"].lower() == name.lower():
            return {"type": "global", "name": b["name"], "function_type": b["function_type"]}
    known = ", ".join(b["name"] for b in builtins)
    raise RemoteError(f"no scorer {name!r} in the project, and no such built-in (built-ins: {known})")


def follow(remote: Remote, job: dict[str, Any], console: Console, label: str = "scoring") -> dict[str, Any]:
    """Poll the job until it ends, drawing its progress; Ctrl-C cancels it."""
    columns = (
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[note]}"),
    )
    with Progress(*columns, TimeElapsedColumn(), console=console, transient=False) as bar:
        task = bar.add_task("score", total=job["total"] or 1, note="")
        try:
            while True:
                failed = f"[red]{job['failed']} failed[/red]" if job["failed"] else ""
                bar.update(task, completed=job["done"] + job["failed"], note=failed)
                if job["state"] in FINISHED:
                    return job
                time.sleep(0.5)
                job = remote.request("GET", f"/v1/job/{job['id']}")
        except KeyboardInterrupt:
            cancelled: dict[str, Any] = remote.request("POST", f"/v1/job/{job['id']}/cancel")
            return cancelled


def score(
    experiment: str = typer.Argument(..., help="The experiment, by name or id."),
    scorers: list[str] = typer.Option(
        ..., "--scorer", "-s", help="A scorer, classifier or facet (repeatable)."
    ),
    filter_: str | None = typer.Option(
        None,
        "--filter",
        help='Score only the traces matching this SQL filter, e.g. "scores.Levenshtein < 0.5".',
    ),
    rows: list[str] = typer.Option([], "--row", help="Score only this row (a trace's root id; repeatable)."),
    project: str | None = typer.Option(None, "--project", "-p", help="The experiment's project, by name."),
    wait: bool = typer.Option(
        True, "--wait/--no-wait", help="Follow the job to its end (default), or print its id."
    ),
    url: str | None = Url,
    api_key: str | None = ApiKey,
) -> None:
    """Score an experiment's rows after the fact: each result becomes a new span in its trace.

    Example: assay score my-experiment --scorer Levenshtein --scorer ExactMatch --filter "metadata.lang = 'fr'"
    """
    err = Console(stderr=True)
    try:
        remote = Remote(url, api_key)
        exp = find_experiment(remote, experiment, project)
        builtins = remote.request("GET", "/v1/function_builtin")
        body: dict[str, Any] = {
            "kind": "score",
            "object_id": exp["id"],
            "scorers": [scorer_ref(remote, exp["project_id"], s, builtins) for s in scorers],
        }
        if rows:
            body["row_ids"] = rows
        elif filter_:
            body["filter"] = {"row_type": "traces", "filters": [filter_]}
        job = remote.request("POST", "/v1/job", json=body)
        if not wait:
            sys.stdout.write(job["id"] + "\n")
            return
        job = follow(remote, job, err)
    except RemoteError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    names = ", ".join(s["name"] for s in job["scorers"])
    err.print(
        f"{job['state']}: {job['done']} row(s) scored, {job['failed']} with a scorer error ({names}); job {job['id']}",
        highlight=False,
    )
    if job["state"] != "done":
        raise typer.Exit(1)

"""`assay topics run EXPERIMENT`: cluster an experiment's traces into named topics on a running server.

Starts a topics job (`POST /v1/job`, `kind: "topics"`), follows it with a progress bar (Ctrl-C
cancels it) and prints the topics it found with their counts and shares. Each trace is labelled
with its topic under `classifications.<name>` (default `Topics`), a column of the web app's table.
"""

from __future__ import annotations

import sys
from typing import Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from assay.cli.score import find_experiment, follow
from assay.cli.sql import ApiKey, Remote, RemoteError, Url

app = typer.Typer(help="Topics: cluster traces into named groups and label each trace.", no_args_is_help=True)


@app.command("run")
def run(
    experiment: str = typer.Argument(..., help="The experiment, by name or id."),
    project: str | None = typer.Option(None, "--project", "-p", help="The experiment's project, by name."),
    facet: str | None = typer.Option(
        None, "--facet", help="Cluster this facet's summaries (e.g. Task) instead of the traces' input."
    ),
    name: str = typer.Option("Topics", "--name", help="The classification the labels are written under."),
    n_topics: int | None = typer.Option(
        None, "--topics", "-n", min=2, max=50, help="How many topics (default: from the number of traces)."
    ),
    wait: bool = typer.Option(
        True, "--wait/--no-wait", help="Follow the job to its end (default), or print its id."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the finished job (with its topics) as JSON."),
    url: str | None = Url,
    api_key: str | None = ApiKey,
) -> None:
    """Cluster an experiment's traces into topics and label each trace with its topic.

    Example: assay topics run my-experiment --project my-project --topics 5
    """
    err = Console(stderr=True)
    try:
        remote = Remote(url, api_key)
        exp = find_experiment(remote, experiment, project)
        body: dict[str, Any] = {"kind": "topics", "object_id": exp["id"], "name": name}
        if facet:
            body["facet"] = facet
        if n_topics is not None:
            body["n_topics"] = n_topics
        job = remote.request("POST", "/v1/job", json=body)
        if not wait:
            sys.stdout.write(job["id"] + "\n")
            return
        job = follow(remote, job, err, label="topics")
    except RemoteError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    if as_json:
        sys.stdout.write(orjson.dumps(job, option=orjson.OPT_INDENT_2).decode() + "\n")
    elif job["state"] == "done" and job.get("result"):
        _print_topics(job["result"], Console())
    if job["state"] != "done":
        err.print(
            f"{job['state']}: {job.get('error') or 'the job did not finish'}; job {job['id']}",
            highlight=False,
        )
        raise typer.Exit(1)


def _print_topics(result: dict[str, Any], console: Console) -> None:
    table = Table(
        title=f"{result['name']}: {result['traces']} traces, {result['method']} over the {result['source']}",
        title_justify="left",
    )
    for column, justify in (("id", "left"), ("topic", "left"), ("traces", "right"), ("share", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for t in result["topics"]:
        table.add_row(t["id"], t["label"], str(t["count"]), f"{t['share']:.1%}")
    console.print(table)

"""`assay project-scores list|create|delete`: a project's aggregate scores, on a running server.

An aggregate score (`/v1/project_score`) combines a trace's scores into one: `weighted` (a
weight per score), `minimum` or `maximum`. It shows as a score column, in summaries and in
comparisons. See docs/scoring.md for how a missing component is treated.
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import orjson
import typer
from rich.console import Console
from rich.table import Table

from assay.cli.sql import ApiKey, Remote, RemoteError, Url

app = typer.Typer(help="Aggregate scores of a project (weighted, minimum, maximum).", no_args_is_help=True)
Project = typer.Option(..., "--project", "-p", help="The project, by name or id.")
Json = typer.Option(False, "--json", help="Print the answer as JSON.")
err = Console(stderr=True)


def _project_id(remote: Remote, ref: str) -> str:
    found = remote.request("GET", "/v1/project", params={"project_name": ref})["objects"]
    if found:
        return str(found[0]["id"])
    try:
        return str(remote.request("GET", f"/v1/project/{ref}")["id"])
    except RemoteError:
        raise RemoteError(f"no project {ref!r}") from None


def _components(score_type: str, scores: list[str]) -> dict[str, float] | list[str]:
    """`--score NAME[=WEIGHT]` options as the project score's `categories`."""
    if not scores:
        raise RemoteError("name the component scores with --score (repeatable)")
    if score_type != "weighted":
        if any("=" in s for s in scores):
            raise RemoteError(f"a {score_type} score takes no weights: --score NAME")
        return scores
    weights: dict[str, float] = {}
    for s in scores:
        name, _, weight = s.rpartition("=") if "=" in s else (s, "", "1")
        try:
            weights[name] = float(weight)
        except ValueError:
            raise RemoteError(f"--score {s!r}: the weight must be a number, e.g. --score {name}=2") from None
    return weights


def _show(score: dict[str, Any]) -> str:
    cats = score.get("categories")
    if isinstance(cats, dict):
        return ", ".join(f"{k}={v:g}" for k, v in cats.items())
    # a categorical review score's options are {name, value} (docs/review.md)
    return ", ".join(f"{c['name']}={c['value']:g}" if isinstance(c, dict) else str(c) for c in cats or [])


def _fail(exc: RemoteError) -> NoReturn:
    err.print(f"[red]error:[/red] {exc}", highlight=False)
    raise typer.Exit(1) from None


@app.command("list")
def list_scores(
    project: str = Project, as_json: bool = Json, url: str | None = Url, api_key: str | None = ApiKey
) -> None:
    """List the project's aggregate scores.

    Example: assay project-scores list --project my-project
    """
    try:
        remote = Remote(url, api_key)
        found = remote.request(
            "GET", "/v1/project_score", params={"project_id": _project_id(remote, project)}
        )
    except RemoteError as exc:
        _fail(exc)
    scores = found["objects"]
    if as_json:
        sys.stdout.write(orjson.dumps(scores, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    if not scores:
        err.print(f"no aggregate scores in project {project!r}", highlight=False)
        return
    table = Table()
    for column in ("name", "type", "scores", "description", "id"):
        table.add_column(column)
    for s in scores:
        table.add_row(s["name"], s["score_type"], _show(s), s.get("description") or "", s["id"])
    Console().print(table)


@app.command("create")
def create(
    name: str = typer.Argument(..., help="The aggregate's name, as its column shows it."),
    project: str = Project,
    score_type: str = typer.Option(
        "weighted", "--type", "-t", help="weighted (weights per score), minimum or maximum."
    ),
    scores: list[str] = typer.Option(
        [], "--score", "-s", help="A component score, NAME or NAME=WEIGHT for weighted (repeatable)."
    ),
    description: str | None = typer.Option(None, "--description", help="What the aggregate means."),
    replace: bool = typer.Option(
        False, "--replace", help="Replace an aggregate of the same name (default: keep it unchanged)."
    ),
    as_json: bool = Json,
    url: str | None = Url,
    api_key: str | None = ApiKey,
) -> None:
    """Create an aggregate score of the project.

    Example: assay project-scores create overall --project my-project --score Factuality=3 --score Levenshtein=1
    """
    try:
        remote = Remote(url, api_key)
        body: dict[str, Any] = {
            "project_id": _project_id(remote, project),
            "name": name,
            "score_type": score_type,
            "categories": _components(score_type, scores),
        }
        if description is not None:
            body["description"] = description
        made = remote.request("PUT" if replace else "POST", "/v1/project_score", json=body)
    except RemoteError as exc:
        _fail(exc)
    if as_json:
        sys.stdout.write(orjson.dumps(made, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    same = made["score_type"] == score_type and made["categories"] == body["categories"]
    note = (
        "" if same or replace else " (one of that name exists and was kept unchanged; --replace replaces it)"
    )
    err.print(
        f"{made['name']}: {made['score_type']} of {_show(made)}; id {made['id']}{note}", highlight=False
    )


@app.command("delete")
def delete(
    name: str = typer.Argument(..., help="The aggregate's name or id."),
    project: str = Project,
    url: str | None = Url,
    api_key: str | None = ApiKey,
) -> None:
    """Delete an aggregate score of the project.

    Example: assay project-scores delete overall --project my-project
    """
    try:
        remote = Remote(url, api_key)
        pid = _project_id(remote, project)
        found = remote.request(
            "GET", "/v1/project_score", params={"project_id": pid, "project_score_name": name}
        )["objects"]
        target = found[0]["id"] if found else None
        if target is None:
            match = [
                s
                for s in remote.request("GET", "/v1/project_score", params={"project_id": pid})["objects"]
                if s["id"] == name
            ]
            if not match:
                raise RemoteError(f"no aggregate score {name!r} in project {project!r}")
            target = match[0]["id"]
        gone = remote.request("DELETE", f"/v1/project_score/{target}")
    except RemoteError as exc:
        _fail(exc)
    err.print(f"deleted {gone['name']} ({gone['id']})", highlight=False)

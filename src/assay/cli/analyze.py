"""`assay analyze …`: the assistant's deterministic analyses of an experiment, from a running server.

Each command calls one route of `/v1/experiment/{id}/analysis/` (the web app's panel uses the
same ones) and prints the answer as a table, or as JSON with `--json`. `dataset` shows what it
would write and asks before writing (`--yes` skips the question).
"""

from __future__ import annotations

import sys
from typing import Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from assay.cli.sql import ApiKey, Remote, RemoteError, Url

app = typer.Typer(
    help="Analyse an experiment: slices, errors, scorer agreement, datasets, code.", no_args_is_help=True
)
Experiment = typer.Argument(..., help="The experiment: its id, or its name with --project.")
Project = typer.Option(None, "--project", help="The experiment's project (when EXPERIMENT is a name).")
Json = typer.Option(False, "--json", help="Print the whole answer as JSON.")
err = Console(stderr=True)


def _experiment_id(remote: Remote, ref: str, project: str | None) -> str:
    if project is None:
        return ref
    found = remote.request("GET", "/v1/experiment", params={"project_name": project, "experiment_name": ref})
    objects = found.get("objects") or []
    if not objects:
        raise RemoteError(f"no experiment {ref!r} in project {project!r}")
    return str(objects[0]["id"])


def _call(remote: Remote, ref: str, project: str | None, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    eid = _experiment_id(remote, ref, project)
    result: dict[str, Any] = remote.request("POST", f"/v1/experiment/{eid}/analysis/{kind}", json=body)
    return result


def _run(
    url: str | None, api_key: str | None, ref: str, project: str | None, kind: str, body: dict[str, Any]
) -> dict[str, Any]:
    remote = Remote(url, api_key)
    try:
        return _call(remote, ref, project, kind, body)
    except RemoteError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None


def _json(result: Any) -> None:
    sys.stdout.write(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode() + "\n")


def _fmt(x: float | None, digits: int = 3) -> str:
    return "" if x is None else f"{x:.{digits}f}"


@app.command("slices")
def slices(
    experiment: str = Experiment,
    project: str | None = Project,
    score: str | None = typer.Option(None, "--score", help="One score (default: every score)."),
    key: list[str] | None = typer.Option(
        None, "--key", help="A metadata key to slice by (repeat; default: all)."
    ),
    alpha: float = typer.Option(0.05, "--alpha", help="Significance level (Holm-adjusted over all slices)."),
    pairs: bool = typer.Option(True, "--pairs/--no-pairs", help="Also test pairs of values."),
    as_json: bool = Json,
    url: str | None = Url,
    api_key: str | None = ApiKey,
) -> None:
    """Metadata values (and pairs) whose scores are significantly below the rest.

    Example: assay analyze slices my-exp --project my-proj --score Factuality
    """
    body: dict[str, Any] = {"alpha": alpha, "pairs": pairs, "score": score, "keys": key or None}
    result = _run(url, api_key, experiment, project, "slices", body)
    if as_json:
        return _json(result)
    table = Table(header_style="bold", title=f"Slices below the rest (alpha {alpha}, Holm-adjusted)")
    for col in ("score", "slice", "n", "mean", "rest", "diff", "CI", "d", "p adj."):
        table.add_column(col, overflow="fold")
    for s in result["slices"]:
        label = " & ".join(f"{v['key']}={v['value']}" for v in s["values"])
        table.add_row(
            s["score"], label, str(s["n"]), _fmt(s["mean"]), _fmt(s["rest_mean"]), _fmt(s["diff"]),
            f"[{_fmt(s['ci_low'])}, {_fmt(s['ci_high'])}]", _fmt(s["effect_size"], 2), f"{s['p_adjusted']:.2g}",
        )  # fmt: skip
    Console().print(table)
    Console().print(f"{len(result['slices'])} slice(s) of {result['tested']} tested", style="dim")
    for skipped in result["skipped"]:
        Console().print(f"skipped metadata.{skipped['key']}: {skipped['reason']}", style="dim")


@app.command("errors")
def errors(
    experiment: str = Experiment,
    project: str | None = Project,
    as_json: bool = Json,
    url: str | None = Url,
    api_key: str | None = ApiKey,
) -> None:
    """Errors and scorer failures grouped into categories, largest first.

    Example: assay analyze errors my-exp --project my-proj
    """
    result = _run(url, api_key, experiment, project, "errors", {})
    if as_json:
        return _json(result)
    table = Table(header_style="bold", title="Error categories")
    for col in ("count", "traces", "source", "pattern", "example span"):
        table.add_column(col, overflow="fold")
    for c in result["categories"]:
        source = f"scorer {c['scorer']}" if c["source"] == "scorer" else "task"
        example = c["examples"][0]["id"] if c["examples"] else ""
        table.add_row(str(c["count"]), str(c["traces"]), source, c["pattern"], example)
    Console().print(table)
    more = " (more not read)" if result["truncated"] else ""
    Console().print(f"{result['errors']} error span(s){more}", style="dim")


@app.command("agreement")
def agreement(
    experiment: str = Experiment,
    project: str | None = Project,
    human: list[str] | None = typer.Option(None, "--human", help="A human review score (repeat)."),
    as_json: bool = Json,
    url: str | None = Url,
    api_key: str | None = ApiKey,
) -> None:
    """How much each pair of scores agrees, least agreeing first; scorers ranked against --human.

    Example: assay analyze agreement my-exp --project my-proj --human review
    """
    result = _run(url, api_key, experiment, project, "agreement", {"human": human or []})
    if as_json:
        return _json(result)
    table = Table(header_style="bold", title="Scorer agreement")
    for col in ("a", "b", "n", "pearson", "agreement", "kappa", "mean |a-b|"):
        table.add_column(col)
    for p in result["pairs"]:
        table.add_row(
            p["a"],
            p["b"],
            str(p["n"]),
            _fmt(p["pearson"]),
            _fmt(p["agreement"]),
            _fmt(p["kappa"]),
            _fmt(p["mean_abs_diff"]),
        )
    Console().print(table)
    for rank, r in enumerate(result["ranking"], 1):
        Console().print(f"{rank}. {r['scorer']}: correlation with human scores {_fmt(r['pearson'])}")


@app.command("dataset")
def dataset(
    experiment: str = Experiment,
    name: str = typer.Option(..., "--name", help="The dataset (created in the experiment's project if new)."),
    filters: list[str] | None = typer.Option(
        None, "--filter", help="Rows where this holds, e.g. 'scores.ExactMatch = 0' (repeat: AND)."
    ),
    ids: list[str] | None = typer.Option(None, "--id", help="A trace id (repeat)."),
    expected_from: str = typer.Option("expected", "--expected-from", help="expected | output"),
    yes: bool = typer.Option(False, "--yes", "-y", help="Write without asking."),
    project: str | None = Project,
    url: str | None = Url,
    api_key: str | None = ApiKey,
) -> None:
    """Create a dataset from rows (with their origins); shows what it will write and asks first.

    Example: assay analyze dataset my-exp --project my-proj --filter 'scores.ExactMatch = 0' --name failures
    """
    selection: dict[str, Any] = {"filters": filters or []}
    if ids:
        selection["ids"] = ids
    body = {"selection": selection, "dataset_name": name, "expected_from": expected_from}
    remote = Remote(url, api_key)
    try:
        eid = _experiment_id(remote, experiment, project)
        preview = remote.request(
            "POST", f"/v1/experiment/{eid}/analysis/dataset", json={**body, "dry_run": True}
        )
        where = "a new dataset" if preview["dataset_id"] is None else "the dataset"
        err.print(f"{preview['rows']} row(s) into {where} {preview['dataset_name']!r}", highlight=False)
        if not yes and not typer.confirm("Write them?", err=True):
            raise typer.Exit(1)
        done = remote.request("POST", f"/v1/experiment/{eid}/analysis/dataset", json=body)
    except RemoteError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    Console().print(
        f"wrote {done['rows']} row(s) to dataset {done['dataset_name']} ({done['dataset_id']})",
        highlight=False,
    )


@app.command("code")
def code(
    experiment: str = Experiment,
    dataset_name: str = typer.Option(..., "--dataset", help="The dataset the script re-runs."),
    language: str = typer.Option("python", "--lang", help="python | typescript"),
    project: str | None = Project,
    url: str | None = Url,
    api_key: str | None = ApiKey,
) -> None:
    """Print an Eval() script that re-runs a dataset with the experiment's scorers.

    Example: assay analyze code my-exp --project my-proj --dataset failures > rerun.py
    """
    if language not in ("python", "typescript"):
        raise typer.BadParameter("python or typescript", param_hint="--lang")
    result = _run(url, api_key, experiment, project, "code", {"dataset_name": dataset_name})
    sys.stdout.write(result[language])

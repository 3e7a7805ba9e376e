"""`assay experiments compare BASE OTHER…`: a base and up to 7 experiments side by side.

Like the reference CLI's `bt experiments compare`: scores and metrics as rows, experiments as
columns (the base first), each cell with the value, its difference from the base, improvements and
regressions; Assay adds the paired t-test's 95% confidence interval and p-value. `--json` prints the
same as data. It asks a running server (`GET /v1/experiment/{base}/compare`), so it works with the
same environment variables as `assay sql`.
"""

from __future__ import annotations

import sys
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import orjson
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from assay.cli.sql import ApiKey, Remote, RemoteError, Url

MISSING = "\u2013"  # an en dash, as the web app shows a missing value

app = typer.Typer(help="Experiments on a running server.", no_args_is_help=True)


def _from_app_url(text: str) -> tuple[str | None, str, list[str]]:
    """An experiment page URL of the web app: (project, experiment, comparisons from `c`)."""
    parsed = urlparse(text)
    parts = [unquote(p) for p in parsed.path.split("/") if p]
    if "experiments" not in parts or parts.index("experiments") + 1 >= len(parts):
        raise typer.BadParameter(f"not an experiment URL: {text}", param_hint="BASE")
    name = parts[parts.index("experiments") + 1]
    project = parts[parts.index("p") + 1] if "p" in parts[:-1] else None
    others: list[str] = []
    for raw in parse_qs(parsed.query).get("c", []):
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError:
            value = raw.split(",")
        others += [str(v) for v in (value if isinstance(value, list) else [value]) if v]
    return project, name, others


def _resolve_base(remote: Remote, ref: str, project: str | None) -> str:
    """An experiment id from an id or a name (in --project, else the only one of that name)."""
    params: dict[str, str] = {"experiment_name": ref}
    if project:
        params["project_name"] = project
    else:
        try:
            return str(remote.request("GET", f"/v1/experiment/{ref}")["id"])
        except RemoteError as exc:
            if not str(exc).startswith("404"):
                raise
    found = remote.request("GET", "/v1/experiment", params=params)["objects"]
    if not found:
        raise RemoteError(f"no experiment {ref!r}" + (f" in project {project!r}" if project else ""))
    if len(found) > 1:
        raise RemoteError(f"{len(found)} experiments are named {ref!r}: pass --project or an id")
    return str(found[0]["id"])


def _pct(value: float | None, signed: bool = False) -> str:
    if value is None:
        return MISSING
    return f"{value * 100:+.2f}%" if signed else f"{value * 100:.2f}%"


def _num(value: float | None, unit: str, signed: bool = False) -> str:
    if value is None:
        return MISSING
    if unit == "$":
        return f"{'+' if signed and value >= 0 else ''}{'-' if value < 0 else ''}${abs(value):.4f}"
    text = f"{value:+.3g}" if signed else f"{value:.3g}"
    return f"{text}{unit}" if unit not in ("", "%") else text


def _fmt(measure: dict[str, Any], value: float | None, signed: bool = False) -> str:
    if measure["kind"] == "score":
        return _pct(value, signed)
    return _num(value, measure["unit"], signed)


def _changed(measure: dict[str, Any]) -> bool:
    return any(
        (e["diff"] or 0) != 0 or e["improvements"] or e["regressions"] for e in measure["experiments"][1:]
    )


def _cell(measure: dict[str, Any], item: dict[str, Any], is_base: bool) -> Text:
    text = Text(_fmt(measure, item["value"]))
    if is_base:
        return text
    diff = item["diff"]
    if diff is not None:
        better = diff > 0 if measure["higher_is_better"] else diff < 0
        style = "green" if better and diff else "red" if diff else "dim"
        text.append(f" ({_fmt(measure, diff, True)})", style=style)
    text.append(f"\n▲{item['improvements']} ▼{item['regressions']}", style="dim")
    paired = item.get("paired") or {}
    if paired.get("ci_low") is not None:
        low, high = _fmt(measure, paired["ci_low"], True), _fmt(measure, paired["ci_high"], True)
        text.append(f"\nCI [{low}, {high}] p={paired['p_value']:.3g} n={paired['n']}", style="dim")
    elif paired.get("n"):
        text.append(f"\nn={paired['n']}", style="dim")
    return text


def _json_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    names = {e["id"]: e["name"] for e in summary["experiments"]}
    rows = []
    for measure in [*summary["scores"], *summary["metrics"]]:
        for i, item in enumerate(measure["experiments"]):
            rows.append(
                {
                    "metric": measure["name"],
                    "kind": measure["kind"],
                    "aggregation": "avg",
                    "unit": measure["unit"],
                    "experiment": names[item["experiment_id"]],
                    "experiment_id": item["experiment_id"],
                    "role": "base" if i == 0 else "comparison",
                    "value": item["value"],
                    "delta_vs_base": 0.0 if i == 0 else item["diff"],
                    "improvements": item["improvements"],
                    "regressions": item["regressions"],
                    "paired": item["paired"],
                }
            )
    return rows


@app.command("compare")
def compare(
    base: str = typer.Argument(
        ..., help="The base experiment: id, name, or the web app's URL of an experiment page."
    ),
    others: list[str] = typer.Argument(
        None, help="Up to 7 experiments compared with the base (ids or names)."
    ),
    project: str | None = typer.Option(None, "--project", "-p", help="Project of the named experiments."),
    show_all: bool = typer.Option(False, "--all", help="Also show scores and metrics that did not change."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
    url: str | None = Url,
    api_key: str | None = ApiKey,
) -> None:
    """Compare a base experiment with up to 7 others: values, deltas, improvements/regressions, 95% CIs.

    Example: assay experiments compare baseline-run new-prompt new-model --project my-project
    """
    err = Console(stderr=True)
    others = list(others or [])
    if base.startswith(("http://", "https://")):
        from_url, base, extra = _from_app_url(base)
        project = project or from_url
        others = [*extra, *others]
    try:
        remote = Remote(url, api_key)
        base_id = _resolve_base(remote, base, project)
        summary = remote.request("GET", f"/v1/experiment/{base_id}/compare", params={"with": others})
    except RemoteError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    experiments = summary["experiments"]
    if as_json:
        out = {
            "project": summary["project"],
            "comparison_key": summary["comparison_key"],
            "base": {"id": experiments[0]["id"], "name": experiments[0]["name"]},
            "comparisons": [{"id": e["id"], "name": e["name"]} for e in experiments[1:]],
            "rows": _json_rows(summary),
        }
        sys.stdout.write(orjson.dumps(out, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    table = Table(
        title=f"{summary['project']['name']}: {experiments[0]['name']} (base) vs "
        + ", ".join(e["name"] for e in experiments[1:]),
        caption=f"test cases matched by {summary['comparison_key']}; CI: 95% paired t-test of the mean change",
        show_lines=True,
        header_style="bold",
    )
    table.add_column("Measure")
    for i, e in enumerate(experiments):
        table.add_column(f"{e['name']}{' (base)' if i == 0 else ''}\n{e['traces']} traces")
    hidden = 0
    for measure in [*summary["scores"], *summary["metrics"]]:
        if not show_all and len(experiments) > 1 and not _changed(measure):
            hidden += 1
            continue
        label = measure["name"] + (
            f" ({measure['unit']})" if measure["kind"] == "metric" and measure["unit"] else ""
        )
        table.add_row(label, *[_cell(measure, item, i == 0) for i, item in enumerate(measure["experiments"])])
    Console().print(table)
    if hidden:
        err.print(f"{hidden} unchanged row(s) hidden; --all shows them", style="dim")

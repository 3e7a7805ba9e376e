"""`assay sql "<query>"`: run a query on a running server and print the rows.

The CLI talks HTTP to `assay serve` (the DuckDB file has a single writer process), with the same
environment variables as the reference CLI: ASSAY_URL or BRAINTRUST_API_URL / BRAINTRUST_APP_URL,
and BRAINTRUST_API_KEY.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import httpx
import orjson
import typer
from rich.console import Console
from rich.table import Table

DEFAULT_URL = "http://127.0.0.1:8000"
Url = typer.Option(
    None,
    "--url",
    help="Assay server (env: ASSAY_URL, BRAINTRUST_API_URL or BRAINTRUST_APP_URL; default localhost:8000).",
)
ApiKey = typer.Option(None, "--api-key", help="API key (env: BRAINTRUST_API_KEY).")


def server_url(url: str | None) -> str:
    """The server to talk to: the option, else the environment, else localhost."""
    return (
        url
        or os.environ.get("ASSAY_URL")
        or os.environ.get("BRAINTRUST_API_URL")
        or os.environ.get("BRAINTRUST_APP_URL")
        or DEFAULT_URL
    ).rstrip("/")


def server_key(api_key: str | None) -> str:
    key = api_key or os.environ.get("BRAINTRUST_API_KEY")
    if not key:
        raise typer.BadParameter("pass --api-key or set BRAINTRUST_API_KEY", param_hint="--api-key")
    return key


class RemoteError(Exception):
    """The server refused a request; `message` is its explanation."""


class Remote:
    """A small HTTP client for a running Assay server, with retries on 5xx and 413 like the reference CLI."""

    def __init__(self, url: str | None, api_key: str | None, timeout: float = 120.0) -> None:
        self.url = server_url(url)
        key = server_key(api_key)
        self.client = httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {key}"}, timeout=timeout
        )

    def request(self, method: str, path: str, **kw: Any) -> Any:
        for attempt in range(5):
            try:
                res = self.client.request(method, path, **kw)
            except httpx.TransportError as exc:
                if attempt == 4:
                    raise RemoteError(f"cannot reach {self.url}: {exc}") from None
                time.sleep(0.5 * 2**attempt)
                continue
            if (res.status_code >= 500 or res.status_code == 413) and attempt < 4:
                time.sleep(0.5 * 2**attempt)
                continue
            if res.status_code >= 400:
                try:
                    message = res.json()["error"]["message"]
                except (ValueError, KeyError, TypeError):
                    message = res.text[:500]
                raise RemoteError(f"{res.status_code}: {message}")
            return res.json()
        raise RemoteError("unreachable")

    def btql(self, query: Any, source: str = "assay_cli") -> dict[str, Any]:
        body = {"query": query, "fmt": "json", "query_source": source}
        result: dict[str, Any] = self.request("POST", "/btql", json=body)
        return result


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    return str(value)


def print_table(result: dict[str, Any], console: Console) -> None:
    columns = list(((result.get("schema") or {}).get("items") or {}).get("properties") or {})
    if not columns and result.get("data"):
        columns = list(result["data"][0])
    table = Table(show_lines=False, header_style="bold")
    for name in columns:
        table.add_column(name, overflow="fold")
    for row in result.get("data") or []:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    console.print(table)
    console.print(f"{len(result.get('data') or [])} row(s)", style="dim")


def sql(
    query: str | None = typer.Argument(None, help="The query; read from stdin when omitted or '-'."),
    as_json: bool = typer.Option(False, "--json", help="Print the rows as JSON (for machines)."),
    url: str | None = Url,
    api_key: str | None = ApiKey,
) -> None:
    """Run a query (SQL or pipe syntax) against a running Assay server.

    Example: assay sql "SELECT count(*) FROM experiment('my-exp') WHERE is_root"
    """
    if query is None or query == "-":
        query = sys.stdin.read()
    if not query.strip():
        raise typer.BadParameter("the query is empty", param_hint="QUERY")
    err = Console(stderr=True)
    try:
        result = Remote(url, api_key).btql(query, "assay_sql")
    except RemoteError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    for warning in result.get("warnings") or []:
        err.print(f"warning[{warning.get('stage')}:{warning.get('code')}]: {warning.get('message')}")
    if as_json:
        sys.stdout.write(orjson.dumps(result.get("data") or [], option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    print_table(result, Console())

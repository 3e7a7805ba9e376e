"""`assay keys create|list|revoke`: API keys per user (a key is printed once; only its hash is kept).

Works on a fresh database with no server, and while `assay serve` runs on it (through the
server; see `assay.cli.admin`).
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from assay.cli import options
from assay.cli.admin import Admin, connect, fail
from assay.cli.sql import ApiKey, RemoteError, Url

app = typer.Typer(
    help="Manage API keys (each belongs to a member and carries their permissions).", no_args_is_help=True
)
User = typer.Option(None, "--user", help="The member's email (default: the organization's owner).")


def _run(
    data_dir: Path | None, db: str | None, url: str | None, api_key: str | None, org: str | None = None
) -> Admin:
    settings = options.settings_from(data_dir=data_dir, db=db)
    if org:
        settings = settings.model_copy(update={"org_name": org})
    return connect(settings, url, api_key)


@app.command("create")
def create(
    name: str = typer.Option("default", "--name", help="A label for the key."),
    user: str | None = User,
    org: str | None = typer.Option(None, "--org", help="Organization (default: ASSAY_ORG_NAME)."),
    data_dir: Path | None = options.DataDir,
    db: str | None = options.DbUrl,
    url: str | None = Url,
    api_key: str | None = ApiKey,
) -> None:
    """Create a key and print it (the only time it is shown)."""
    admin = _run(data_dir, db, url, api_key, org)
    try:
        typer.echo(admin.create_key(name, user)["key"])
    except RemoteError as exc:
        raise fail(exc) from None
    finally:
        admin.close()


@app.command("list")
def list_keys(
    user: str | None = typer.Option(None, "--user", help="Only this member's keys."),
    data_dir: Path | None = options.DataDir,
    db: str | None = options.DbUrl,
    url: str | None = Url,
    api_key: str | None = ApiKey,
) -> None:
    """List keys (never the keys themselves: their id, name, start and owner)."""
    admin = _run(data_dir, db, url, api_key)
    try:
        keys = admin.keys()
    except RemoteError as exc:
        raise fail(exc) from None
    finally:
        admin.close()
    table = Table(header_style="bold")
    for column in ("id", "name", "key", "user", "created"):
        table.add_column(column)
    for k in keys:
        if user is None or (k.get("user_email") or "").lower() == user.lower():
            table.add_row(
                k["id"], k["name"], k["preview_name"], k.get("user_email") or "", k.get("created") or ""
            )
    Console().print(table)


@app.command("revoke")
def revoke(
    key_id: str = typer.Argument(..., help="The key's id (from `assay keys list`)."),
    data_dir: Path | None = options.DataDir,
    db: str | None = options.DbUrl,
    url: str | None = Url,
    api_key: str | None = ApiKey,
) -> None:
    """Revoke a key: it stops working at once."""
    admin = _run(data_dir, db, url, api_key)
    try:
        gone = admin.revoke(key_id)
    except RemoteError as exc:
        raise fail(exc) from None
    finally:
        admin.close()
    typer.echo(f"revoked {gone['name']} ({gone['preview_name']})")

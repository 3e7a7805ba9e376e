"""`assay users invite|list|remove`: the organization's members, from the command line.

Works on a fresh database with no server and no web app, and while `assay serve` runs on it
(through the server; see `assay.cli.admin`). An invitation prints its one-time link.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from assay.cli import options
from assay.cli.admin import connect, fail
from assay.cli.sql import ApiKey, RemoteError, Url

app = typer.Typer(help="Manage the organization's members.", no_args_is_help=True)


@app.command("invite")
def invite(
    email: str = typer.Argument(..., help="Their email address."),
    group: list[str] = typer.Option(
        ["Viewers"],
        "--group",
        help="Groups to add them to: Owners, Engineers, Viewers or your own (repeatable).",
    ),
    data_dir: Path | None = options.DataDir,
    db: str | None = options.DbUrl,
    url: str | None = Url,
    api_key: str | None = ApiKey,
) -> None:
    """Invite someone and print their one-time sign-in link (mailed too if SMTP is configured)."""
    admin = connect(options.settings_from(data_dir=data_dir, db=db), url, api_key)
    try:
        result = admin.invite(email, group)
    except RemoteError as exc:
        raise fail(exc) from None
    finally:
        admin.close()
    if result["link"]:
        typer.echo(f"Invited {email}. Their one-time sign-in link:\n{result['link']}")
    else:
        typer.echo(f"{email} already has an account and can sign in now.")
    if result.get("send_email_error"):
        typer.secho(result["send_email_error"], err=True, fg=typer.colors.YELLOW)


@app.command("list")
def list_users(
    data_dir: Path | None = options.DataDir,
    db: str | None = options.DbUrl,
    url: str | None = Url,
    api_key: str | None = ApiKey,
) -> None:
    """List members, their groups, and who has not accepted an invitation yet."""
    admin = connect(options.settings_from(data_dir=data_dir, db=db), url, api_key)
    try:
        members = admin.members()
    except RemoteError as exc:
        raise fail(exc) from None
    finally:
        admin.close()
    table = Table(header_style="bold")
    for column in ("email", "name", "groups", "status", "id"):
        table.add_column(column)
    for m in members:
        table.add_row(
            m["email"], m["name"], ", ".join(m["groups"]), "invited" if m["pending"] else "active", m["id"]
        )
    Console().print(table)


@app.command("remove")
def remove(
    email: str = typer.Argument(..., help="The member's email."),
    data_dir: Path | None = options.DataDir,
    db: str | None = options.DbUrl,
    url: str | None = Url,
    api_key: str | None = ApiKey,
) -> None:
    """Remove a member: their groups, grants and API keys in the organization go with them."""
    admin = connect(options.settings_from(data_dir=data_dir, db=db), url, api_key)
    try:
        removed = admin.remove(email)
    except RemoteError as exc:
        raise fail(exc) from None
    finally:
        admin.close()
    typer.echo(f"removed {email}" if removed else f"{email} was not a member")

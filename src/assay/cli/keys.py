"""`assay keys create`: make an API key (printed once; only its hash is stored)."""

from __future__ import annotations

from pathlib import Path

import typer

from assay.cli import options
from assay.services.auth import create_api_key

app = typer.Typer(help="Manage API keys.", no_args_is_help=True)


@app.command("create")
def create(
    name: str = typer.Option("default", "--name", help="A label for the key."),
    org: str | None = typer.Option(
        None, "--org", help="Organization (created if missing) (default: ASSAY_ORG_NAME)."
    ),
    data_dir: Path | None = options.DataDir,
    db: str | None = options.DbUrl,
) -> None:
    """Create a key and print it. Stop the server first: the database has one writer."""
    settings = options.settings_from(data_dir=data_dir, db=db)
    store = options.open_store_or_exit(settings)
    try:
        typer.echo(create_api_key(store, org or settings.org_name, name))
    finally:
        store.close()

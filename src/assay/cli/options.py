"""CLI options shared by commands; each maps onto a field of `Settings`."""

from __future__ import annotations

from pathlib import Path

import typer

from assay.server.app import open_settings_store
from assay.server.settings import Settings
from assay.store import Store, StoreUnavailable

Host = typer.Option(None, "--host", help="Interface to listen on (env ASSAY_HOST; default 127.0.0.1).")
Port = typer.Option(None, "--port", help="TCP port (env ASSAY_PORT; default 8000; 0 picks a free one).")
DataDir = typer.Option(None, "--data-dir", help="Data directory (env ASSAY_DATA_DIR; default ~/.assay).")
DbUrl = typer.Option(
    None, "--db", help="Database URL, e.g. duckdb:///abs/path/assay.duckdb (env ASSAY_DB_URL)."
)
PublicUrl = typer.Option(
    None, "--public-url", help="Address clients should use, behind a proxy (env ASSAY_PUBLIC_URL)."
)


def settings_from(
    host: str | None = None,
    port: int | None = None,
    data_dir: Path | None = None,
    db: str | None = None,
    public_url: str | None = None,
) -> Settings:
    overrides: dict[str, object] = {
        k: v
        for k, v in {
            "host": host,
            "port": port,
            "data_dir": data_dir,
            "db_url": db,
            "public_url": public_url,
        }.items()
        if v is not None
    }
    return Settings.model_validate(overrides)


def open_store_or_exit(settings: Settings) -> Store:
    """Open the configured database, or say why not (bad URL, file in use) and exit with 2."""
    try:
        return open_settings_store(settings)
    except (ValueError, StoreUnavailable) as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from None

"""`assay migrate`: copy a whole database to another one (DuckDB to PostgreSQL, or back),
then verify the copy row for row, with a progress bar for each step."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from assay.cli import options
from assay.model.errors import InvalidInput
from assay.services import migration
from assay.store import Store, StoreUnavailable, open_store

console = Console(stderr=True)


def _open(url: str, role: str) -> Store:
    try:
        return open_store(url)
    except (ValueError, StoreUnavailable) as exc:
        typer.secho(f"error: cannot open the {role} database: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from None


def _bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def migrate(
    to: str = typer.Option(..., "--to", help="Database URL to copy into (it must be empty)."),
    source_url: str | None = typer.Option(
        None, "--from", help="Database URL to copy from (default: the configured database, env ASSAY_DB_URL)."
    ),
    data_dir: Path | None = options.DataDir,
    batch: int = typer.Option(migration.BATCH, "--batch", min=1, help="Rows per read and per write."),
) -> None:
    """Copy every project, experiment, log, comment, key and job to another database, then
    compare both row for row. Stop the servers of the source first (a DuckDB file admits one
    process; on PostgreSQL, writes made during the copy would be missed)."""
    source_url = source_url or options.settings_from(data_dir=data_dir).resolved_db_url()
    if source_url == to:
        typer.secho("error: --from and --to name the same database", err=True, fg=typer.colors.RED)
        raise typer.Exit(2)
    source = _open(source_url, "source")
    try:
        target = _open(to, "target")
        try:
            _run(source, target, batch)
        finally:
            target.close()
    finally:
        source.close()


def _run(source: Store, target: Store, batch: int) -> None:
    sizes = migration.sizes(source)
    total = sum(sizes.values())
    try:
        with _bar() as bar:
            copying = bar.add_task("copying", total=total)
            moved = migration.copy(source, target, lambda _, n: bar.advance(copying, n), batch=batch)
            checking = bar.add_task("verifying", total=total)
            migration.verify(source, target, lambda _, n: bar.advance(checking, n), batch=batch)
    except InvalidInput as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from None
    except migration.CopyMismatch as exc:
        typer.secho(f"error: the copy differs from its source: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None
    counts = ", ".join(f"{n} {name}" for name, n in moved.rows.items() if n)
    typer.echo(f"copied and verified {sum(moved.rows.values())} rows ({counts or 'an empty database'})")

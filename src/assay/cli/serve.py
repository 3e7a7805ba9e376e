"""`assay serve`: run the server on the configured database."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from assay.cli import options
from assay.cli.serving import run
from assay.services import people

console = Console(soft_wrap=True)


def serve(
    host: str | None = options.Host,
    port: int | None = options.Port,
    data_dir: Path | None = options.DataDir,
    db: str | None = options.DbUrl,
    public_url: str | None = options.PublicUrl,
) -> None:
    """Serve the API and the web app. On the first start it prints a one-time link for the owner to
    choose an email and password; `assay users invite` and `assay keys create` work alongside."""
    settings = options.settings_from(host, port, data_dir, db, public_url)
    store = options.open_store_or_exit(settings)
    setup = people.setup_link(store, settings.link_hours, settings.org_name)

    def ready(url: str) -> None:
        console.print(f"Assay is serving [bold]{url}[/bold]  (database: {store.url})", highlight=False)
        if setup:
            console.print(
                "Nobody has signed in yet. Open this one-time link to choose the owner's email and "
                f"password:\n  {people.link_url(url, setup)}",
                highlight=False,
            )
        console.print(
            f"Point the SDK at it: BRAINTRUST_APP_URL={url} BRAINTRUST_API_KEY=<key from `assay keys create`>",
            highlight=False,
        )

    run(settings, store, ready)

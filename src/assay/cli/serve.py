"""`assay serve`: run the server on the configured database."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from assay.cli import options
from assay.cli.serving import run

console = Console(soft_wrap=True)


def serve(
    host: str | None = options.Host,
    port: int | None = options.Port,
    data_dir: Path | None = options.DataDir,
    db: str | None = options.DbUrl,
    public_url: str | None = options.PublicUrl,
) -> None:
    """Serve the API and the web app. Create an API key with `assay keys create`."""
    settings = options.settings_from(host, port, data_dir, db, public_url)
    store = options.open_store_or_exit(settings)

    def ready(url: str) -> None:
        console.print(f"Assay is serving [bold]{url}[/bold]  (database: {store.url})", highlight=False)
        console.print(
            f"Point the SDK at it: BRAINTRUST_APP_URL={url} BRAINTRUST_API_KEY=<key>", highlight=False
        )

    run(settings, store, ready)

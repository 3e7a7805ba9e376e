"""`assay demo`: serve Assay with a demo project evaluated through the official SDK."""

from __future__ import annotations

import threading
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from rich.console import Console

from assay.cli import options
from assay.cli.serving import run
from assay.demo import evaluation
from assay.services.auth import create_api_key

console = Console(soft_wrap=True)


def demo(
    host: str | None = options.Host,
    port: int | None = options.Port,
    data_dir: Path | None = options.DataDir,
    db: str | None = options.DbUrl,
) -> None:
    """Start the server, load the demo project (two experiments) and print the URL and an API key."""
    settings = options.settings_from(host, port, data_dir, db)
    store = options.open_store_or_exit(settings)
    key = create_api_key(store, settings.org_name, "demo")

    def load(url: str) -> None:
        org = store.ensure_org(settings.org_name)
        projects = store.list_objects("project", org_id=org.id, name=evaluation.PROJECT)
        if projects and len(store.list_objects("experiment", project_id=projects[0]["id"])) >= 2:
            console.print("Demo project already loaded.")
        else:
            log = settings.data_dir / "demo-eval.log"
            console.print("Loading the demo project (two evaluations through the braintrust SDK)…")
            # The SDK prints progress bars and the tracebacks of the demo's deliberate task and
            # scorer errors; keep them in a log and show one line per experiment instead.
            log.parent.mkdir(parents=True, exist_ok=True)
            with log.open("w") as out, redirect_stdout(out), redirect_stderr(out):
                lines = evaluation.run(url, key)
            for line in lines:
                console.print(f"  {line}", highlight=False)
            console.print(f"  (the SDK's own output: {log})", highlight=False)
        console.print(f"\nAssay demo is ready at [bold]{url}/app/[/bold]", highlight=False)
        console.print(f"API key: {key}", highlight=False)
        console.print(
            f"Try: BRAINTRUST_APP_URL={url} BRAINTRUST_API_KEY={key} python your_eval.py", highlight=False
        )

    run(settings, store, lambda url: threading.Thread(target=load, args=(url,), daemon=True).start())

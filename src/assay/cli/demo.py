"""`assay demo`: serve Assay with a demo project evaluated through the official SDK."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import typer
from rich.console import Console

from assay.cli import options
from assay.cli.serving import run
from assay.demo import project, saved_key
from assay.demo.account import demo_user, reviewer_user
from assay.services import people
from assay.services.auth import issue_api_key

console = Console(soft_wrap=True)

Reset = typer.Option(
    False, "--reset", help="Start over: delete the demo project, load it again and make a new API key."
)


def demo(
    host: str | None = options.Host,
    port: int | None = options.Port,
    data_dir: Path | None = options.DataDir,
    db: str | None = options.DbUrl,
    reset: bool = Reset,
) -> None:
    """Start the server, load the demo project (four experiments) unless it is there already, and
    print the URL, a one-time sign-in link for the demo user and the demo's API key (the same one on
    every run, until --reset)."""
    settings = options.settings_from(host, port, data_dir, db)
    store = options.open_store_or_exit(settings)
    if reset and project.remove(store, settings.org_name):
        console.print("Deleted the demo project; loading it again.")
    org, user = demo_user(store, settings.org_name)
    key, reused = saved_key.demo_key(store, settings.data_dir, settings.org_name, new=reset)
    link = people.issue_link(store, settings.link_hours, user.id, org.id, "signin")

    def load(url: str) -> None:
        if project.loaded(store, settings.org_name):
            console.print("Demo project already loaded (assay demo --reset starts over).")
        else:
            project.remove(store, settings.org_name)  # what a run cut short left behind
            log = settings.data_dir / "demo-eval.log"
            console.print("Loading the demo project (four evaluations through the braintrust SDK)…")
            started = time.monotonic()
            log.parent.mkdir(parents=True, exist_ok=True)
            reviewer = reviewer_user(store, settings.org_name)  # a key of their own for each load
            reviewer_key = issue_api_key(store, org.id, reviewer.id, "demo reviewer")[1]
            done = subprocess.run(
                [sys.executable, "-m", "assay.demo.evaluation", url, key, str(log), reviewer_key],
                capture_output=True,
                text=True,
                check=False,
            )
            for line in done.stdout.splitlines():
                console.print(f"  {line}", highlight=False)
            took = time.monotonic() - started
            console.print(f"  loaded in {took:.0f} s (the SDK's own output: {log})", highlight=False)
            if done.returncode != 0:
                console.print(f"[red]Loading failed:[/red]\n{done.stderr}", highlight=False)
        console.print(f"\nAssay demo is ready at [bold]{url}/app/[/bold]", highlight=False)
        where = saved_key.path_in(settings.data_dir)
        console.print(
            f"Sign in as {user.email} (one-time link): {people.link_url(url, link)}", highlight=False
        )
        console.print(f"API key: {key}", highlight=False)
        console.print(f"  ({'the same key as before, ' if reused else ''}kept in {where})", highlight=False)
        console.print(
            f"Try: BRAINTRUST_APP_URL={url} BRAINTRUST_API_KEY={key} python your_eval.py", highlight=False
        )

    run(settings, store, lambda url: threading.Thread(target=load, args=(url,), daemon=True).start())

"""`assay`: the command group. Each command lives in its own module."""

from __future__ import annotations

import typer

from assay.cli import (
    analyze,
    demo,
    experiments,
    keys,
    mcp,
    migrate,
    project_scores,
    score,
    serve,
    sql,
    sync,
    topics,
    users,
)

app = typer.Typer(
    name="assay",
    help="Assay: record AI evaluation runs and interpret their results, self-hosted.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("serve")(serve.serve)
app.command("demo")(demo.demo)
app.add_typer(keys.app, name="keys")
app.add_typer(users.app, name="users")
app.command("sql")(sql.sql)
app.add_typer(sync.app, name="sync")
app.command("mcp")(mcp.mcp)
app.add_typer(analyze.app, name="analyze")
app.command("score")(score.score)
app.add_typer(topics.app, name="topics")
app.add_typer(project_scores.app, name="project-scores")
app.command("migrate")(migrate.migrate)
app.add_typer(experiments.app, name="experiments")

if __name__ == "__main__":
    app()

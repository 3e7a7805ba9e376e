"""`assay migrate`: an embedded database recorded with the real SDK moves to PostgreSQL and back;
a server on each copy answers exactly as the original did, with the same key."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from assay.testing_postgres import Cluster
from tests.conftest import ASSAY, TEMPLATE_DB, Server, start_server
from tests.e2e.sdk import api, experiment, fetch_all, run_script
from tests.e2e.test_sdk_eval import EVAL

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _answers(server: Server) -> dict[str, Any]:
    """What a user reads of the recorded project: experiments, their rows, a summary, SQL."""
    a, b = experiment(server, "eval-proj", "run-a"), experiment(server, "eval-proj", "run-b")
    summary = api(server, "GET", f"/v1/experiment/{b['id']}/summarize?comparison_experiment_id={a['id']}")
    query = f"SELECT count(*) AS n, avg(scores.ExactMatch) AS exact FROM experiment('{b['id']}', shape => 'summary')"
    return {
        "experiments": [a, b],
        "rows": [fetch_all(server, "experiment", e["id"]) for e in (a, b)],
        "summary": _rounded({k: v for k, v in summary.items() if k not in {"project_url", "experiment_url"}}),
        "sql": api(server, "POST", "/btql", json={"query": query})["data"],
    }


def _rounded(value: Any) -> Any:
    """`value` with its floats to 12 significant digits: DuckDB and PostgreSQL sum in different
    orders, so a standard deviation (and the paired test's interval) can differ in the last bit."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _migrate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ASSAY, "migrate", *args], capture_output=True, text=True, timeout=300)


def test_an_embedded_database_moves_to_postgresql_and_back(
    pg_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    original = start_server(tmp_path_factory.mktemp("embedded"))
    try:
        run_script(original, tmp_path, EVAL)  # two experiments, the second compared with the first
        expected = _answers(original)
    finally:
        original.stop()
    duck = f"duckdb:///{original.data_dir / 'assay.duckdb'}"
    pg = pg_cluster.create_database("assay_migrated", template=TEMPLATE_DB)
    try:
        done = _migrate("--from", duck, "--to", pg)
        assert done.returncode == 0, done.stderr
        assert "copied and verified" in done.stdout and "verifying" in done.stderr  # the progress bars

        on_pg = start_server(tmp_path_factory.mktemp("on-pg"), key=original.key, db_url=pg)
        try:
            assert _answers(on_pg) == expected  # the same key works: keys were copied too
        finally:
            on_pg.stop()

        again = _migrate("--from", duck, "--to", pg)
        assert again.returncode == 2 and "not empty" in again.stderr

        back_dir = tmp_path_factory.mktemp("back")
        done = _migrate("--from", pg, "--to", f"duckdb:///{back_dir / 'assay.duckdb'}")
        assert done.returncode == 0, done.stderr
        back = start_server(back_dir, key=original.key)
        try:
            assert _answers(back) == expected
        finally:
            back.stop()
    finally:
        pg_cluster.drop_database("assay_migrated")

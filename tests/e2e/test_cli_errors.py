"""The CLI refuses what it cannot do with one clear line and exit status 2, never a traceback."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import ASSAY, start_server

pytestmark = pytest.mark.e2e


@pytest.mark.duckdb_only
def test_a_second_process_on_the_same_database_is_told_why(tmp_path: Path) -> None:
    """DuckDB only: the embedded file is locked by the server that opened it (PostgreSQL takes
    any number of servers, tests/e2e/test_two_servers.py)."""
    server = start_server(tmp_path / "data")
    try:
        proc = subprocess.run(
            [ASSAY, "serve", "--data-dir", str(server.data_dir), "--port", "0"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        server.stop()
    assert proc.returncode == 2
    assert "in use by another process" in proc.stderr and "Traceback" not in proc.stderr
    assert f"{server.data_dir}/assay.duckdb" in proc.stderr


def test_an_unsupported_database_url_is_refused() -> None:
    proc = subprocess.run([ASSAY, "serve", "--db", "mysql://x"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "unsupported database URL scheme 'mysql'" in proc.stderr

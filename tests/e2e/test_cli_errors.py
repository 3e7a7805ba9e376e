"""The CLI refuses what it cannot do with one clear line and exit status 2, never a traceback."""

from __future__ import annotations

import subprocess

import pytest

from tests.conftest import ASSAY, Server

pytestmark = pytest.mark.e2e


def test_a_second_process_on_the_same_database_is_told_why(server: Server) -> None:
    proc = subprocess.run(
        [ASSAY, "serve", "--data-dir", str(server.data_dir), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "in use by another process" in proc.stderr and "Traceback" not in proc.stderr
    assert f"{server.data_dir}/assay.duckdb" in proc.stderr


def test_an_unsupported_database_url_is_refused() -> None:
    proc = subprocess.run([ASSAY, "serve", "--db", "mysql://x"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "unsupported database URL scheme 'mysql'" in proc.stderr

"""The idle checkpoint gives way to another connection's write transaction instead of failing."""

from __future__ import annotations

from pathlib import Path

import pytest

from assay.store import open_store

pytestmark = pytest.mark.duckdb_only  # the embedded DuckDB store's own machinery


def test_a_checkpoint_during_another_write_transaction_waits_for_the_next_pause(tmp_path: Path) -> None:
    store = open_store(f"duckdb://{tmp_path / 'assay.duckdb'}")
    try:
        db = store._db  # type: ignore[attr-defined]
        other = db.reader()
        other.execute("CREATE TABLE t (n INTEGER)")
        other.execute("INSERT INTO t SELECT * FROM range(100)")
        assert db.wal_bytes() > 0
        other.execute("BEGIN")
        other.execute("UPDATE t SET n = n + 1 WHERE n < 10")  # another connection's write transaction
        db.checkpoint()  # DuckDB refuses to checkpoint now: not an error, nothing raised
        assert db.wal_bytes() > 0
        other.execute("COMMIT")
        db.checkpoint()
        assert db.wal_bytes() == 0
        assert other.execute("SELECT sum(n) FROM t").fetchone() == (sum(range(100)) + 10,)
    finally:
        store.close()

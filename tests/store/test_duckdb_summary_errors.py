"""DuckDB-only: a summary refresh that fails shows its own error, not the one cleaning up after it.

Out of memory (or an invalidated database) aborts the writer's transaction; the refresh then drops
its work table, which fails with "transaction is aborted". That second error used to replace the
first, so neither the store's healing nor the client could tell what had happened."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from assay.store.duckdb import schema, summaries

pytestmark = pytest.mark.duckdb_only  # the embedded DuckDB store's own machinery


def test_out_of_memory_during_a_refresh_is_the_error_raised(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "oom.duckdb"))
    try:
        schema.migrate(con)
        summaries.ensure_table(con)
        text = "x" * 600_000
        con.executemany(
            "INSERT INTO rows (_key, object_type, object_id, id, span_id, root_span_id, is_root, input, output)"
            " VALUES (?, 'experiment', 'e', ?, ?, 'root', ?, ?, ?)",
            [[f"k{i}", f"r{i}", f"s{i}", i == 0, f'"{i}{text}"', f'"{text}"'] for i in range(60)],
        )
        con.execute(
            "INSERT INTO dirty_traces (object_type, object_id, root_span_id)"
            " SELECT DISTINCT object_type, object_id, root_span_id FROM rows"
        )
        con.execute("SET memory_limit = '8MB'")
        con.begin()
        with pytest.raises(duckdb.OutOfMemoryException):
            summaries.refresh(con, "experiment", ["e"])
        con.rollback()
        con.execute("SET memory_limit = '1GB'")
        con.begin()  # and with memory, the same refresh succeeds and clears the marks
        summaries.refresh(con, "experiment", ["e"])
        con.commit()
        assert con.execute("SELECT count(*) FROM dirty_traces").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM trace_summaries").fetchone() == (1,)
    finally:
        con.close()

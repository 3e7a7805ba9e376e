"""DuckDB-only: schema migrations bring an older database file up to date without losing rows."""

from __future__ import annotations

from pathlib import Path

import duckdb

from assay.store import open_store
from tests.store.conftest import Env


def test_a_version_1_file_is_migrated_and_its_old_rows_still_merge(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'old.duckdb'}"
    db = open_store(url)
    env = Env(db)
    ref = env.experiment()
    env.write(ref, {"id": "a", "input": 1, "metadata": {"x": 1}})
    db.close()
    # Turn the file back into a version-1 database.
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    for table in ("dirty_traces", "cache_versions", "trace_summaries", "jobs", "job_chunks"):
        con.execute(f"DROP TABLE {table}")
    con.execute("DELETE FROM schema_version WHERE version >= 2")
    con.close()

    db = open_store(url)
    try:
        env = Env(db)
        result = env.write(ref, {"id": "a", "_is_merge": True, "metadata": {"y": 2}})
        assert result.xact_id is not None
        assert env.rows(ref)["a"]["metadata"] == {"x": 1, "y": 2}
        assert db.count_rows(ref) == 1
        assert db.trace_stats(ref).traces == 1  # summaries were rebuilt from the old rows
    finally:
        db.close()

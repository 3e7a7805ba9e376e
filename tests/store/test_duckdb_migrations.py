"""DuckDB-only: schema migrations bring an older database file up to date without losing rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from assay.store import open_store
from tests.store.conftest import Env

pytestmark = pytest.mark.duckdb_only  # the embedded DuckDB store's own machinery


def downgrade_to_v7(con: duckdb.DuckDBPyConnection) -> None:
    """Undo migration 8 (people and access): the database as the release before people left it
    (version 7, row_hashes dropped)."""
    for table in ("users", "members", "sessions", "signin_links", "records", "view_defaults"):
        con.execute(f"DROP TABLE {table}")
    con.execute("ALTER TABLE api_keys DROP COLUMN user_id")
    con.execute("ALTER TABLE api_keys DROP COLUMN preview")
    con.execute("DELETE FROM schema_version WHERE version >= 8")


def test_a_version_1_file_is_migrated_and_its_old_rows_still_merge(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'old.duckdb'}"
    db = open_store(url)
    env = Env(db)
    ref = env.experiment()
    env.write(ref, {"id": "a", "input": 1, "metadata": {"x": 1}})
    db.close()
    # Turn the file back into a version-1 database.
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    downgrade_to_v7(con)
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


def test_a_single_key_database_migrates_its_key_to_an_owner(tmp_path: Path) -> None:
    """A database from before users: its organization gets the built-in groups and its API key
    becomes the key of an owner, who may do everything."""
    from assay.model.people import PLACEHOLDER_OWNER_EMAIL
    from assay.services.access import AccessPolicy
    from assay.services.auth import Resource, hash_token

    path = tmp_path / "old.duckdb"
    db = open_store(f"duckdb:///{path}")
    org = db.ensure_org("local")
    db.close()
    con = duckdb.connect(str(path))
    downgrade_to_v7(con)
    con.execute(
        "INSERT INTO api_keys VALUES ('k1', ?, 'default', ?, '2025-01-01T00:00:00+00:00')",
        [org.id, hash_token("sk-assay-from-before")],
    )
    con.close()

    db = open_store(f"duckdb:///{path}")
    try:
        policy = AccessPolicy(db)
        who = policy.authenticate("sk-assay-from-before")
        assert who.email == PLACEHOLDER_OWNER_EMAIL and who.org_id == org.id
        assert policy.can(who, "manage", Resource("org", org.id, org.id))
        assert policy.can(who, "delete", Resource("project", "p", org.id, "p"))
        names = sorted(g["name"] for g in db.records.list_of("group", org.id))
        assert names == ["Engineers", "Owners", "Viewers"]
        owners = next(g for g in db.records.list_of("group", org.id) if g["name"] == "Owners")
        assert owners["member_users"] == [who.user_id]
    finally:
        db.close()

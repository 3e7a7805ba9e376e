"""Trace summaries, materialised in PostgreSQL and refreshed by whichever server reads them.

The same cache as the DuckDB backend's: a write marks each trace it changes in `dirty_traces`
(in its own transaction), and before any read of summaries the dirty traces of the objects read
are recomputed with `trace_summary_sql`. Here several servers share the tables, so the work is
coordinated through the database, never by process-local state:

- A refresh of an object holds a transaction-level advisory lock on it. Two refreshes of one
  object run one after the other, and the second one's snapshot is taken after the first one
  committed, so a later summary is never overwritten by an older one.
- Marks are claimed by deleting them (`DELETE … RETURNING`); a write committing meanwhile leaves
  its own mark (marks have no uniqueness, so a new mark never merges into one being claimed).
- A foreground refresh (a read) waits for the lock; the background refresher of every server
  (`refresh_some`, when idle) only tries it and moves on to another object.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import psycopg

from assay.store.postgres.traces import trace_summary_sql

SUMMARY_VERSION = (
    4  # bump when trace_summary_sql's output changes (2: classifier errors, 3: input key, 4: labels)
)
LOCK_SPACE = 2  # advisory locks (LOCK_SPACE, hash of object id): one refresh per object at a time


def object_lock_key(object_id: str) -> int:
    """A 32-bit signed key for an object's advisory lock (a collision only serialises more)."""
    return zlib.crc32(object_id.encode()) - 2**31


def ensure_table(con: psycopg.Connection) -> None:
    """Create (or rebuild, if its definition changed) the summaries table; run in a transaction."""
    found = con.execute("SELECT version FROM cache_versions WHERE name = 'trace_summaries'").fetchone()
    if found and found[0] == SUMMARY_VERSION:
        return
    con.execute("DROP TABLE IF EXISTS trace_summaries")
    con.execute(f"CREATE TABLE trace_summaries AS {trace_summary_sql('SELECT * FROM rows WHERE false')}")
    con.execute("ALTER TABLE trace_summaries ADD PRIMARY KEY (object_id, root_span_id)")
    con.execute("CREATE INDEX trace_summaries_by_page ON trace_summaries (object_id, first_key)")
    con.execute("DELETE FROM dirty_traces")
    con.execute("INSERT INTO dirty_traces SELECT DISTINCT object_type, object_id, root_span_id FROM rows")
    con.execute(
        """INSERT INTO cache_versions VALUES ('trace_summaries', %s)
           ON CONFLICT (name) DO UPDATE SET version = excluded.version""",
        [SUMMARY_VERSION],
    )


def needs_refresh(con: psycopg.Connection, object_type: str, object_ids: Sequence[str]) -> bool:
    found = con.execute(
        "SELECT 1 FROM dirty_traces WHERE object_id = ANY(%s) AND object_type = %s LIMIT 1",
        [list(object_ids), object_type],
    ).fetchone()
    return found is not None


def refresh(con: psycopg.Connection, object_type: str, object_ids: Sequence[str]) -> None:
    """Recompute every dirty trace of these objects; waits for other refreshes of them."""
    with con.transaction():
        for object_id in sorted(set(object_ids), key=object_lock_key):
            con.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_SPACE, object_lock_key(object_id)])
        claimed = con.execute(
            """DELETE FROM dirty_traces WHERE object_id = ANY(%s) AND object_type = %s
               RETURNING object_id, root_span_id""",
            [list(object_ids), object_type],
        ).fetchall()
        _recompute(con, claimed)


def refresh_some(con: psycopg.Connection, limit: int) -> bool:
    """Background work: recompute up to `limit` dirty traces of one object no other refresh holds.
    Returns whether dirty traces may remain."""
    candidates = con.execute(
        "SELECT DISTINCT object_type, object_id FROM (SELECT object_type, object_id FROM dirty_traces LIMIT 1000) d"
    ).fetchall()
    for object_type, object_id in candidates:
        with con.transaction():
            got = con.execute(
                "SELECT pg_try_advisory_xact_lock(%s, %s)", [LOCK_SPACE, object_lock_key(object_id)]
            ).fetchone()
            if not (got and got[0]):
                continue
            claimed = con.execute(
                """DELETE FROM dirty_traces WHERE ctid = ANY(ARRAY(
                     SELECT ctid FROM dirty_traces WHERE object_id = %s AND object_type = %s LIMIT %s))
                   RETURNING object_id, root_span_id""",
                [object_id, object_type, limit],
            ).fetchall()
            _recompute(con, claimed)
        return True
    return False  # nothing dirty, or every dirty object is being refreshed elsewhere


def _recompute(con: psycopg.Connection, claimed: list[tuple[str, str | None]]) -> None:
    """Replace the summaries of the claimed traces (inside the caller's transaction)."""
    traces = sorted({(o, r) for o, r in claimed if r is not None})
    if not traces:
        return
    objects = [o for o, _ in traces]
    roots = [r for _, r in traces]
    con.execute(
        """DELETE FROM trace_summaries t USING unnest(%s::text[], %s::text[]) AS d(object_id, root_span_id)
           WHERE t.object_id = d.object_id AND t.root_span_id = d.root_span_id""",
        [objects, roots],
    )
    spans = (
        "SELECT r.* FROM rows r JOIN unnest(%(objects)s::text[], %(roots)s::text[]) AS d(object_id, root_span_id)"
        " ON r.object_id = d.object_id AND r.root_span_id = d.root_span_id"
    )
    con.execute(
        f"INSERT INTO trace_summaries {trace_summary_sql(spans)}",
        {"objects": objects, "roots": roots},
    )


def summaries_sql() -> str:
    """The stored summaries of the objects in parameter `%(ids)s` (refresh first)."""
    return "SELECT * FROM trace_summaries WHERE object_id = ANY(%(ids)s) AND object_type = %(type)s"

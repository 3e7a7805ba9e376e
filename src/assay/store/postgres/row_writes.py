"""Applying write requests to PostgreSQL: merge rules as in DuckDB, concurrency for many servers.

One transaction applies a group of requests (see `writer.py`):

1. Lock the row and comment keys the group touches: transaction-level advisory locks on 32-bit
   hashes, taken in sorted order (no deadlocks between servers; a collision only serialises
   two writes that could have run side by side). Stored rows are then read and merged in memory
   exactly as the DuckDB backend does (the merge helpers are shared).
2. Take the next `_xact_id`s from `xact_clock`, a one-row counter, read `FOR UPDATE`: its row
   lock is held until commit, so ids are handed out in commit order. A reader that has seen
   `_xact_id` N will never later see a commit with a smaller id (a sequence would give unique
   ids but let a later id commit first). Only the flush and the commit run under that lock.
   A rolled-back group gives its ids back, so ids have no gaps from failures.
3. Write the net changes: the stored versions of changed rows are deleted and every current
   version is copied in (`COPY`), with the events, comments and dirty-trace marks.
"""

from __future__ import annotations

import zlib
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from assay.model.objects import utcnow
from assay.store import codec
from assay.store.base import ObjectRef, WriteRequest, WriteResult
from assay.store.columns import COLUMN_NAMES
from assay.store.duckdb.row_writes import Current, RowWriter

KEY_LOCK_SPACE = 1  # advisory locks (KEY_LOCK_SPACE, hash of a row or comment key)
EVENT_COLUMNS = ("xact_id", "seq", "object_type", "object_id", "row_id", "pagination_key", "body")
COMMENT_COLUMNS = ("object_type", "object_id", "id", "target_id", "_xact_id", "created", "body")


def key_lock(key: str) -> int:
    return zlib.crc32(key.encode()) - 2**31


class XactClock:
    """Hands out `_xact_id`s for one transaction from the shared counter (locked on first use)."""

    def __init__(self, con: psycopg.Connection) -> None:
        self._con = con
        self.last: int | None = None
        self._first: int | None = None

    def next(self) -> int:
        if self.last is None:
            found = self._con.execute("SELECT last FROM xact_clock FOR UPDATE").fetchone()
            assert found is not None, "xact_clock has its row from the first migration"
            self.last = self._first = int(found[0])
        self.last += 1
        return self.last

    def save(self) -> None:
        if self.last is not None and self.last != self._first:
            self._con.execute("UPDATE xact_clock SET last = %s", [self.last])


def apply(con: psycopg.Connection, requests: list[WriteRequest]) -> list[WriteResult]:
    """Apply `requests` in order inside the caller's transaction; one result per request."""
    _lock_keys(con, requests)
    state = _load(con, requests)
    known_comments = _known_comments(con, requests)
    clock = XactClock(con)
    events: list[tuple[Any, ...]] = []
    comments: list[tuple[Any, ...]] = []
    results = []
    dirty: set[tuple[str, str, str]] = set()
    touched: set[str] = set()
    for request in requests:
        changed_keys, pending = RowWriter._apply_rows(state, list(enumerate(request.rows)))
        new_comments = []
        for comment in request.comments:
            ckey = (comment.ref.object_id, comment.comment_id)
            if ckey not in known_comments:
                known_comments.add(ckey)
                new_comments.append(comment)
        if not changed_keys and not new_comments:
            results.append(WriteResult(None, 0))
            continue
        xact = clock.next()
        for seq, write, body, key, after in pending:
            if key not in changed_keys:
                continue
            cur = state.get(key)
            for row in (cur.row if cur else None, after):
                if row is not None and row.get("root_span_id"):
                    dirty.add((write.ref.object_type, write.ref.object_id, row["root_span_id"]))
            pkey = (cur.pagination_key if cur else None) or f"p{xact:019d}{seq:06d}"
            state[key] = Current(write.ref, write.project_id, after, pkey, xact, cur.stored if cur else False)
            touched.add(key)
            body["id"] = write.row_id
            events.append(
                (
                    xact,
                    seq,
                    write.ref.object_type,
                    write.ref.object_id,
                    write.row_id,
                    pkey,
                    codec.dumps_checked(body, "the write", write.row_id),
                )
            )
        for comment in new_comments:
            created = comment.body.get("created")
            comments.append(
                (
                    comment.ref.object_type,
                    comment.ref.object_id,
                    comment.comment_id,
                    comment.target_id,
                    xact,
                    codec.parse_created(created) if created else utcnow(),
                    codec.dumps_checked(comment.body, f"comment {comment.comment_id!r}"),
                )
            )
        results.append(WriteResult(f"{xact:019d}", len(changed_keys) + len(new_comments)))
    _flush(con, state, touched, events, comments, dirty)
    clock.save()
    return results


def _lock_keys(con: psycopg.Connection, requests: list[WriteRequest]) -> None:
    keys = {codec.row_key(w.ref.object_id, w.row_id) for r in requests for w in r.rows}
    keys |= {f"{c.ref.object_id}#comment/{c.comment_id}" for r in requests for c in r.comments}
    if keys:
        con.execute(
            "SELECT count(pg_advisory_xact_lock(%s, k)) FROM unnest(%s::int[]) AS k",
            [KEY_LOCK_SPACE, sorted({key_lock(k) for k in keys})],
        )


def _load(con: psycopg.Connection, requests: list[WriteRequest]) -> dict[str, Current]:
    keys = sorted({codec.row_key(w.ref.object_id, w.row_id) for r in requests for w in r.rows})
    if not keys:
        return {}
    with con.cursor(row_factory=dict_row) as cur:
        found = cur.execute("SELECT * FROM rows WHERE _key = ANY(%s)", [keys]).fetchall()
    return {
        rec["_key"]: Current(
            ObjectRef(rec["object_type"], rec["object_id"]),
            rec["project_id"],
            codec.decode_row(rec),
            rec["_pagination_key"],
            rec["_xact_id"],
            True,
        )
        for rec in found
    }


def _known_comments(con: psycopg.Connection, requests: list[WriteRequest]) -> set[tuple[str, str]]:
    wanted = {(c.ref.object_id, c.comment_id) for r in requests for c in r.comments}
    if not wanted:
        return set()
    found = con.execute(
        "SELECT object_id, id FROM comments WHERE id = ANY(%s)", [sorted({cid for _, cid in wanted})]
    ).fetchall()
    return {(o, i) for o, i in found} & wanted


def _row_tuple(cur: Current) -> tuple[Any, ...]:
    assert cur.row is not None and cur.xact_id is not None and cur.pagination_key is not None
    rec = codec.encode_row(
        cur.ref.object_type, cur.ref.object_id, cur.project_id, cur.row, cur.xact_id, cur.pagination_key
    )
    for name in ("scores", "metrics"):
        if rec[name] is not None:
            rec[name] = codec.dumps(rec[name])
    return tuple(rec[name] for name in COLUMN_NAMES)


def _flush(
    con: psycopg.Connection,
    state: dict[str, Current],
    touched: set[str],
    events: list[tuple[Any, ...]],
    comments: list[tuple[Any, ...]],
    dirty: set[tuple[str, str, str]],
) -> None:
    stale = sorted(k for k in touched if state[k].stored)
    if stale:
        con.execute("DELETE FROM rows WHERE _key = ANY(%s)", [stale])
    current = [_row_tuple(state[k]) for k in sorted(touched) if state[k].row is not None]
    with con.cursor() as cur:
        _copy(cur, "rows", COLUMN_NAMES, current)
        _copy(cur, "events", EVENT_COLUMNS, events)
        _copy(cur, "comments", COMMENT_COLUMNS, comments)
        _copy(cur, "dirty_traces", ("object_type", "object_id", "root_span_id"), sorted(dirty))


def _copy(cur: psycopg.Cursor, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with cur.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)

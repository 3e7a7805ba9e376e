"""Applying write requests to the DuckDB rows table, inside the writer thread's transaction.

Requests of one commit group are applied together: the stored rows they touch are found (see
`_load`), merged in memory in request order, and written back with one bulk delete (by rowid) of
the stored versions, one bulk insert of the new ones and one bulk append to the event log. Each
request that changes something gets the next `_xact_id`; one that changes nothing (a replay)
gets none.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Any

import duckdb
import orjson

from assay.model.errors import NotFound
from assay.model.merge import apply_write, user_fields
from assay.model.objects import utcnow
from assay.store import codec
from assay.store.base import ObjectRef, RowWrite, WriteRequest, WriteResult
from assay.store.duckdb import arrow
from assay.store.duckdb.known_keys import KnownKeys

if TYPE_CHECKING:
    from assay.store.duckdb.prepared import Prepared

# Control keys for which a write to a new row is more than "store its user fields".
FAST_PATH_BLOCKERS = ("_object_delete", "_array_delete")
_TRACE = ("object_type", "object_id", "root_span_id")
RECENT_KEYS = 200_000  # row keys whose last `_xact_id` the writer remembers (~30 MB)


@dataclass
class Current:
    ref: ObjectRef
    project_id: str
    row: dict[str, Any] | None  # user fields; None once deleted
    pagination_key: str | None
    xact_id: int | None
    stored: bool  # present in the table before this group
    rowid: int | None = None  # of the stored version, which the flush deletes


def normalized(row: dict[str, Any] | None) -> dict[str, Any] | None:
    """Rows compare equal when they differ only in fields that are null or absent."""
    return None if row is None else {k: v for k, v in row.items() if v is not None}


def with_defaults(row: dict[str, Any], body: dict[str, Any]) -> None:
    """Fill server-chosen identity fields; recorded in `body` so a replay chooses the same."""
    for name, value in (("span_id", row["id"]), ("root_span_id", None), ("created", None)):
        if row.get(name) is not None:
            continue
        if name == "root_span_id":
            value = row["span_id"]
        elif name == "created":
            value = utcnow().isoformat()
        row[name] = body[name] = value
    # Stored timestamps come back in UTC; compare like with like so a replay is recognised.
    row["created"] = codec.parse_created(row["created"]).astimezone(UTC).isoformat()


class RowWriter:
    """Owns the `_xact_id` counter; used only from the writer thread.

    It also remembers the `_xact_id` that last wrote each recently written row (`_recent`). Rows
    are appended in `_xact_id` order, so DuckDB's zone maps on that column find such a row in
    the last row groups instead of scanning every key of the table; the SDK merges later events
    of a span into the row it wrote moments before, so this is its common case. The memory is a
    hint only: a row not found where it says falls back to the exact scan, so an entry of a
    transaction that rolled back costs time, never correctness."""

    def __init__(self, last_xact: int) -> None:
        self.last_xact = last_xact
        self._recent: OrderedDict[str, int] = OrderedDict()
        self.known = KnownKeys()

    def next_xact(self) -> int:
        self.last_xact += 1
        return self.last_xact

    def apply(
        self, con: duckdb.DuckDBPyConnection, items: list[tuple[WriteRequest, Prepared | None]]
    ) -> list[WriteResult]:
        """Apply a commit group's requests in order. Rows prepared as new (`prepared.py`) whose
        key is confirmed new and appears once in the group are written as prepared; the rest
        are merged here against the stored rows."""
        requests = [request for request, _ in items]
        keys = [[codec.row_key(w.ref.object_id, w.row_id) for w in r.rows] for r in requests]
        counts = Counter(k for ks in keys for k in ks)
        fresh = self.known.claim(con, counts.keys())
        fast: list[list[int]] = []  # per request: positions in its prepared table to take as they are
        for _, prepared in items:
            fast.append(
                []
                if prepared is None
                else [i for i, k in enumerate(prepared.keys) if k in fresh and counts[k] == 1]
            )
        taken_keys = {p.keys[i] for (_, p), f in zip(items, fast, strict=True) if p is not None for i in f}
        state = self._load(con, set(counts) - taken_keys - fresh)
        events: list[dict[str, Any]] = []
        comments: list[dict[str, Any]] = []
        tables: list[tuple[arrow.pa.Table, arrow.pa.Table]] = []  # prepared rows and their events
        results = []
        known_comments = self._known_comments(con, requests)
        dirty: dict[tuple[str, str, str], int] = {}  # traces whose summary must be recomputed -> xact
        for request, (_, prepared), positions in zip(requests, items, fast, strict=True):
            taken = {prepared.seqs[i] for i in positions} if prepared is not None else set()
            rest = [(seq, w) for seq, w in enumerate(request.rows) if seq not in taken]
            changed_keys, pending = self._apply_rows(state, rest)
            new_comments = []
            for comment in request.comments:
                ckey = (comment.ref.object_id, comment.comment_id)
                if ckey not in known_comments:
                    known_comments.add(ckey)
                    new_comments.append(comment)
            if not changed_keys and not taken and not new_comments:
                results.append(WriteResult(None, 0))
                continue
            xact = self.next_xact()
            if prepared is not None and positions:
                tables.append(prepared.rows(positions, xact))
                for i in positions:
                    self.remember(prepared.keys[i], xact)
            for seq, write, body, key, after in pending:
                if key not in changed_keys:
                    continue
                cur = state.get(key)
                for row in (cur.row if cur else None, after):
                    if row is not None and row.get("root_span_id"):
                        dirty.setdefault(
                            (write.ref.object_type, write.ref.object_id, row["root_span_id"]), xact
                        )
                pkey = (cur.pagination_key if cur else None) or f"p{xact:019d}{seq:06d}"
                state[key] = Current(
                    write.ref,
                    write.project_id,
                    after,
                    pkey,
                    xact,
                    cur.stored if cur else False,
                    cur.rowid if cur else None,
                )
                body["id"] = write.row_id
                events.append(
                    {
                        "xact_id": xact,
                        "seq": seq,
                        "object_type": write.ref.object_type,
                        "object_id": write.ref.object_id,
                        "row_id": write.row_id,
                        "pagination_key": pkey,
                        "body": codec.dumps_checked(body, "the write", write.row_id),
                    }
                )
            for comment in new_comments:
                created = comment.body.get("created")
                comments.append(
                    {
                        "object_type": comment.ref.object_type,
                        "object_id": comment.ref.object_id,
                        "id": comment.comment_id,
                        "target_id": comment.target_id,
                        "_xact_id": xact,
                        "created": codec.parse_created(created) if created else utcnow(),
                        "body": codec.dumps_checked(comment.body, f"comment {comment.comment_id!r}"),
                    }
                )
            results.append(WriteResult(f"{xact:019d}", len(changed_keys) + len(taken) + len(new_comments)))
        self._flush(con, state, events, comments, tables)
        self._mark_dirty(con, dirty, [rows for rows, _ in tables])
        return results

    @staticmethod
    def _mark_dirty(
        con: duckdb.DuckDBPyConnection, dirty: dict[tuple[str, str, str], int], prepared: list[arrow.pa.Table]
    ) -> None:
        """Record the traces whose summaries this group changed, with the `_xact_id` of the
        change (see `summaries.py`): one mark per trace, the earliest change, in one insert.
        Deduplicated here in Python (a few hundred rows a group): an Arrow group-by costs ~1 ms
        of fixed cost, and a relation chain (filter, aggregate, insert) binds three statements,
        costs that the SDK's small requests pay on every commit."""
        marks = dict(dirty)
        for table in prepared:
            traces = zip(*(table[name].to_pylist() for name in _TRACE), strict=True)
            for trace, xact in zip(traces, table["_xact_id"].to_pylist(), strict=True):
                if trace[2] is not None and xact < marks.get(trace, xact + 1):
                    marks[trace] = xact
        if marks:
            columns = [arrow.pa.array(list(c), arrow.pa.string()) for c in zip(*marks, strict=True)]
            xacts = arrow.pa.array(list(marks.values()), arrow.pa.int64())
            arrow.insert(
                con, "dirty_traces", arrow.pa.Table.from_arrays([*columns, xacts], schema=arrow.DIRTY_SCHEMA)
            )

    @staticmethod
    def _apply_rows(
        state: dict[str, Current], rows: list[tuple[int, RowWrite]]
    ) -> tuple[set[str], list[tuple[int, RowWrite, dict[str, Any], str, dict[str, Any] | None]]]:
        """Merge a request's rows (with their positions in it) in order; return the keys whose
        *net* result changed.

        Comparing net results (not each write) matters for replays: a request that replaces a row
        and then merges into it passes through a different intermediate state, yet replaying it
        must change nothing. Every write of a changed key is logged, so the log replays exactly.
        """
        start: dict[str, dict[str, Any] | None] = {}
        latest: dict[str, dict[str, Any] | None] = {}
        pending = []
        for seq, write in rows:
            key = codec.row_key(write.ref.object_id, write.row_id)
            if key not in start:
                cur = state.get(key)
                start[key] = cur.row if cur else None
            body = dict(write.body)
            before = latest.get(key, start[key])
            if before is None and write.must_exist:
                kind = write.ref.object_type.replace("_", " ")
                raise NotFound(f"row {write.row_id!r} not found in {kind} {write.ref.object_id!r}")
            if before is None and not any(k in body for k in FAST_PATH_BLOCKERS):
                # A new row: `apply_write` would deep-copy it, but nothing here mutates nested
                # values in place (merges copy the row they merge into), so top level suffices.
                after: dict[str, Any] | None = user_fields(body)
            else:
                after = apply_write(before, body)
            if after is not None:
                after["id"] = write.row_id
                with_defaults(after, body)
            latest[key] = after
            pending.append((seq, write, body, key, after))
        changed = {
            key
            for key, after in latest.items()
            if (start[key] is None) != (after is None) or normalized(after) != normalized(start[key])
        }
        return changed, pending

    def _load(self, con: duckdb.DuckDBPyConnection, maybe: set[str]) -> dict[str, Current]:
        """The stored rows among keys that may have been written, without scanning the table
        when possible: recently written keys are looked up by the `_xact_id` that wrote them as
        well (zone maps), the rest (older rows, collisions, stale hints) by a scan of `_key`.
        Whole rows are then read by rowid: one `SELECT *` with the key filter decompresses every
        column of every row group it touches and is ~10x slower.
        """
        if not maybe:
            return {}
        rowids: dict[str, int] = {}
        hinted = {k: self._recent[k] for k in maybe if k in self._recent}
        if hinted:
            xacts = ", ".join(str(x) for x in set(hinted.values()))
            found = con.execute(
                f"SELECT _key, rowid FROM rows WHERE _xact_id IN ({xacts}) "
                f"AND _key IN ({', '.join(map(arrow.sql_literal, hinted))})"
            ).fetchall()
            rowids.update(found)
        rest = maybe - rowids.keys()
        if rest:
            found = con.execute(
                f"SELECT _key, rowid FROM rows WHERE _key IN ({', '.join(map(arrow.sql_literal, rest))})"
            ).fetchall()
            rowids.update(found)
        if not rowids:
            return {}
        records = arrow.records(
            con, "SELECT rowid AS _rowid, * FROM rows WHERE rowid = ANY(?)", [list(rowids.values())]
        )
        return {
            rec["_key"]: Current(
                ObjectRef(rec["object_type"], rec["object_id"]),
                rec["project_id"],
                codec.decode_row(rec),
                rec["_pagination_key"],
                rec["_xact_id"],
                True,
                rec["_rowid"],
            )
            for rec in records
        }

    def remember(self, key: str, xact: int | None) -> None:
        """Note which `_xact_id` wrote `key` last (None: it was deleted)."""
        self._recent.pop(key, None)
        if xact is not None:
            self._recent[key] = xact
            if len(self._recent) > RECENT_KEYS:
                self._recent.popitem(last=False)

    @staticmethod
    def _known_comments(con: duckdb.DuckDBPyConnection, requests: list[WriteRequest]) -> set[tuple[str, str]]:
        wanted = {(c.ref.object_id, c.comment_id) for r in requests for c in r.comments}
        if not wanted:
            return set()
        ids = ", ".join(arrow.sql_literal(cid) for _, cid in wanted)
        found = con.execute(f"SELECT object_id, id FROM comments WHERE id IN ({ids})").fetchall()
        return {(o, i) for o, i in found} & wanted

    def _flush(
        self,
        con: duckdb.DuckDBPyConnection,
        state: dict[str, Current],
        events: list[dict[str, Any]],
        comments: list[dict[str, Any]],
        prepared: list[tuple[arrow.pa.Table, arrow.pa.Table]],
    ) -> None:
        """Write the group's net changes: the stored versions of changed rows are deleted by
        rowid, and every current version (prepared or merged here) is inserted with one plain
        INSERT (`INSERT OR REPLACE` costs ~50x more per row in DuckDB 2.0), their events with
        another."""
        touched = {codec.row_key(e["object_id"], e["row_id"]) for e in events}
        inserts: list[dict[str, Any]] = []
        stale: list[int] = []
        for key in touched:
            cur = state[key]
            if cur.stored:
                assert cur.rowid is not None
                stale.append(cur.rowid)
            self.remember(key, None if cur.row is None else cur.xact_id)
            if cur.row is not None:
                assert cur.xact_id is not None and cur.pagination_key is not None
                inserts.append(
                    codec.encode_row(
                        cur.ref.object_type,
                        cur.ref.object_id,
                        cur.project_id,
                        cur.row,
                        cur.xact_id,
                        cur.pagination_key,
                    )
                )
        if stale:
            con.execute("DELETE FROM rows WHERE rowid = ANY(?)", [stale])
        row_parts = [rows for rows, _ in prepared] + ([arrow.rows_table(inserts)] if inserts else [])
        if row_parts:
            arrow.insert(con, "rows", arrow.pa.concat_tables(row_parts))
        event_parts = [evs for _, evs in prepared]
        if events:
            event_parts.append(arrow.pa.Table.from_pylist(events, schema=arrow.EVENT_SCHEMA))
        if event_parts:
            arrow.insert(con, "events", arrow.pa.concat_tables(event_parts))
        if comments:
            con.executemany(
                "INSERT INTO comments VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    [
                        c[k]
                        for k in (
                            "object_type",
                            "object_id",
                            "id",
                            "target_id",
                            "_xact_id",
                            "created",
                            "body",
                        )
                    ]
                    for c in comments
                ],
            )


def replay(events: list[tuple[str, str, int, str]]) -> dict[str, tuple[dict[str, Any], int, str]]:
    """Rebuild rows from event-log entries (row_id, body, xact_id, pagination_key), in log order."""
    state: dict[str, tuple[dict[str, Any], int, str]] = {}
    for row_id, body_json, xact, pkey in events:
        body = orjson.loads(body_json)
        before = state.get(row_id)
        after = apply_write(before[0] if before else None, body)
        if after is None:
            state.pop(row_id, None)
        else:
            after["id"] = row_id
            state[row_id] = (after, xact, before[2] if before else pkey)
    return state

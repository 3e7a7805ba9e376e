"""Encoding a request's rows before they reach the writer thread, as if each were new.

The writer thread is the one place DuckDB writes are serialised, so whatever it does per row caps
the write rate of the whole server. Most rows a write carries are new (an `Eval` logs each span
once; the SDK merges a span's events before sending them when they share a flush; a bulk import
is all new rows), and for a new row the write is "store its user fields": encoding them (the
JSON text of each field, the span's price, the Arrow columns, the event-log body) is most of
the work and needs nothing the writer owns. `prepare` does it in the caller's thread; the writer
(`RowWriter.apply`) takes a prepared row as it is once its filter of known keys (`known_keys.py`)
has shown its key was never written, and fills in the transaction id and pagination key with vectorised Arrow
operations. Rows that turn out to be stored, that delete or edit arrays, or whose key appears
twice in a commit group go the general way (merged in Python by the writer), so the result is
the same either way.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from assay.model.merge import user_fields
from assay.store import codec
from assay.store.base import WriteRequest
from assay.store.columns import COLUMN_NAMES
from assay.store.duckdb import arrow
from assay.store.duckdb.row_writes import FAST_PATH_BLOCKERS, with_defaults

XACT = COLUMN_NAMES.index("_xact_id")
PAGINATION = COLUMN_NAMES.index("_pagination_key")


@dataclass
class Prepared:
    """Rows of one request encoded as new rows: `table` has the `rows` columns (the transaction
    id and pagination key left blank) then `_seq` (the row's index in the request), `_seq6`
    (the same, as the six digits of its pagination key) and `_body` (its event-log body)."""

    table: pa.Table
    keys: list[str]
    seqs: list[int]

    def rows(self, positions: list[int], xact: int) -> tuple[pa.Table, pa.Table]:
        """The `rows` and `events` records of the prepared rows at `positions`, written by `xact`."""
        part = self.table.take(pa.array(positions, pa.int64()))
        keys = pc.binary_join_element_wise(pa.scalar(f"p{xact:019d}"), part["_seq6"], "")
        xacts = pa.array([xact] * len(part), pa.int64())
        rows = part.select(list(COLUMN_NAMES)).set_column(XACT, "_xact_id", xacts)
        rows = rows.set_column(PAGINATION, "_pagination_key", keys)
        events = pa.Table.from_arrays(
            [xacts, part["_seq"], part["object_type"], part["object_id"], part["id"], keys, part["_body"]],
            schema=arrow.EVENT_SCHEMA,
        )
        return rows, events


def prepare(request: WriteRequest) -> Prepared | None:
    """Encode every row of `request` that could be written as a new row; None when none can."""
    records, bodies, seqs = [], [], []
    for seq, write in enumerate(request.rows):
        if write.must_exist or any(k in write.body for k in FAST_PATH_BLOCKERS):
            continue  # feedback must find its row; deletes and array edits depend on the stored row
        body = dict(write.body)
        row = user_fields(body)
        row["id"] = write.row_id
        with_defaults(row, body)
        body["id"] = write.row_id
        records.append(
            codec.encode_row(write.ref.object_type, write.ref.object_id, write.project_id, row, 0, "")
        )
        bodies.append(codec.dumps_checked(body, "the write", write.row_id))
        seqs.append(seq)
    if not records:
        return None
    table = arrow.rows_table(records)
    table = table.append_column("_seq", pa.array(seqs, pa.int32()))
    table = table.append_column("_seq6", pa.array([f"{s:06d}" for s in seqs], pa.string()))
    table = table.append_column("_body", pa.array(bodies, pa.string()))
    keys = [r["_key"] for r in records]
    return Prepared(table, keys, seqs)

"""Copying a whole DuckDB database in and out (`assay migrate`; see `assay.store.copying`).

Reads stream from one cursor in key order. Writes go in as Arrow tables (one bulk insert per
batch, on the writer thread): rows with the store's own row schema (maps as MAP columns), the
other tables with the types DuckDB infers and casts to the table's on insert.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import duckdb
import pyarrow as pa

from assay.store import copying
from assay.store.duckdb.arrow import ROW_SCHEMA


def count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    t = copying.table(table)
    found = con.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()
    return int(found[0]) if found else 0


def read(con: duckdb.DuckDBPyConnection, table: str, batch: int) -> Iterator[list[tuple[Any, ...]]]:
    cur = con.cursor()  # its own cursor: the caller may read other tables meanwhile
    try:
        cur.execute(copying.select_sql(copying.table(table)))
        while chunk := cur.fetchmany(batch):
            yield chunk
    finally:
        cur.close()


def write(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple[Any, ...]]) -> None:
    t = copying.table(table)
    columns = {name: [r[i] for r in rows] for i, name in enumerate(t.columns)}
    data = pa.Table.from_pydict(columns, schema=ROW_SCHEMA) if t.name == "rows" else pa.table(columns)
    cols = ", ".join(f'"{c}"' for c in t.columns)
    con.register("_assay_copy", data)
    try:
        con.execute(f'INSERT INTO "{t.name}" ({cols}) SELECT {cols} FROM _assay_copy')
    finally:
        con.unregister("_assay_copy")


def rebuild(con: duckdb.DuckDBPyConnection) -> int:
    """Dirty marks for every copied trace; returns the newest `_xact_id`."""
    con.execute("DELETE FROM dirty_traces")
    # Each mark carries the least `_xact_id` of its trace's spans: the refresh scans from there.
    con.execute(
        "INSERT INTO dirty_traces SELECT object_type, object_id, root_span_id, min(_xact_id) FROM rows GROUP BY ALL"
    )
    found = con.execute(
        "SELECT greatest((SELECT max(xact_id) FROM events), (SELECT max(_xact_id) FROM comments))"
    ).fetchone()
    return int((found[0] if found else None) or 0)

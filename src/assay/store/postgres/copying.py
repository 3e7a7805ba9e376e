"""Copying a whole PostgreSQL database in and out (`assay migrate`; see `assay.store.copying`).

Reads stream through a server-side cursor in key order (one transaction, one snapshot per
table). Writes use `COPY … FROM STDIN`, PostgreSQL's bulk path; maps of numbers go to their
`jsonb` columns as JSON, and JSON columns take the stored text as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from assay.store import copying
from assay.store.columns import ROW_COLUMNS
from assay.store.postgres.connections import connection

_MAPS = frozenset(c.name for c in ROW_COLUMNS if c.kind == "number_map")


def count(con: psycopg.Connection, table: str) -> int:
    t = copying.table(table)
    found = con.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t.name))).fetchone()
    return int(found[0]) if found else 0


def read(pool: ConnectionPool, table: str, batch: int) -> Iterator[list[tuple[Any, ...]]]:
    t = copying.table(table)
    query = sql.SQL("SELECT {} FROM {} ORDER BY {}").format(
        sql.SQL(", ").join(map(sql.Identifier, t.columns)),
        sql.Identifier(t.name),
        sql.SQL(", ").join(map(sql.Identifier, t.key)),
    )
    with connection(pool) as con, con.transaction(), con.cursor(name=f"assay_copy_{t.name}") as cur:
        cur.itersize = batch
        cur.execute(query)
        while chunk := cur.fetchmany(batch):
            yield chunk


def write(con: psycopg.Connection, table: str, rows: list[tuple[Any, ...]]) -> None:
    t = copying.table(table)
    maps = [i for i, name in enumerate(t.columns) if t.name == "rows" and name in _MAPS]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(t.name), sql.SQL(", ").join(map(sql.Identifier, t.columns))
    )
    with con.transaction(), con.cursor() as cur, cur.copy(statement) as copy:
        for row in rows:
            if maps:
                row = tuple(Jsonb(v) if i in maps and v is not None else v for i, v in enumerate(row))
            copy.write_row(row)


def rebuild(con: psycopg.Connection) -> None:
    """The `_xact_id` clock past every copied id, every copied trace marked dirty, and the
    planner's statistics gathered (autovacuum would only get to them later)."""
    with con.transaction():
        con.execute(
            """UPDATE xact_clock SET last = greatest(last,
                 coalesce((SELECT max(xact_id) FROM events), 0),
                 coalesce((SELECT max(_xact_id) FROM comments), 0))"""
        )
        con.execute("DELETE FROM dirty_traces")
        con.execute("INSERT INTO dirty_traces SELECT DISTINCT object_type, object_id, root_span_id FROM rows")
    con.execute("ANALYZE")  # fresh statistics for the planner after a bulk load

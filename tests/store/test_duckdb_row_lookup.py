"""How the DuckDB writer finds the stored rows a write touches: new keys by their hash, recent
rows by the `_xact_id` that wrote them, the rest by a scan. A remembered `_xact_id` is only a
hint: stale ones (a group that rolled back, a row deleted or forgotten) must never change what a
write does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from assay.store import codec
from assay.store.base import ObjectRef, RowWrite, WriteRequest
from assay.store.duckdb import row_writes
from assay.store.duckdb.prepared import prepare
from assay.store.duckdb.row_writes import RowWriter
from assay.store.duckdb.schema import migrate

pytestmark = pytest.mark.duckdb_only  # the embedded DuckDB store's own machinery

REF = ObjectRef("experiment", "e1")


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect(str(tmp_path / "t.duckdb"))
    migrate(c)
    return c


def row(row_id: str, **fields: Any) -> RowWrite:
    body = {"id": row_id, "span_id": row_id, "root_span_id": "t", "created": "2026-01-01T00:00:00+00:00"}
    return RowWrite(REF, "p", row_id, {**body, **fields})


def apply(con: duckdb.DuckDBPyConnection, writer: RowWriter, *rows: RowWrite, commit: bool = True) -> None:
    con.execute("BEGIN TRANSACTION")
    request = WriteRequest(rows=list(rows))
    writer.apply(con, [(request, prepare(request))])
    con.execute("COMMIT" if commit else "ROLLBACK")


def stored(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    cur = con.execute("SELECT * FROM rows")
    names = [d[0] for d in cur.description or []]
    out = {}
    for values in cur.fetchall():
        rec = dict(zip(names, values, strict=True))
        out[rec["id"]] = codec.decode_row(rec)
    return out


def test_merges_find_recent_and_forgotten_rows(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(row_writes, "RECENT_KEYS", 3)  # most rows fall out of the writer's memory
    writer = RowWriter(10**18)
    for i in range(10):
        apply(con, writer, row(f"r{i}", input={"i": i}))
    apply(con, writer, *[row(f"r{i}", _is_merge=True, output=f"o{i}") for i in range(10)])
    rows = stored(con)
    assert len(rows) == 10
    assert all(rows[f"r{i}"]["input"] == {"i": i} and rows[f"r{i}"]["output"] == f"o{i}" for i in range(10))
    assert con.execute("SELECT count(*) FROM rows").fetchone() == (10,)  # no stale versions left


def test_a_restarted_writer_merges_into_rows_it_never_saw(con: duckdb.DuckDBPyConnection) -> None:
    apply(con, RowWriter(10**18), row("a", input=1, metadata={"k": 1}))
    fresh = RowWriter(10**18 + 5)
    apply(con, fresh, row("a", _is_merge=True, metadata={"j": 2}))
    assert stored(con)["a"]["metadata"] == {"k": 1, "j": 2}


def test_hints_left_by_a_rolled_back_group_change_nothing(con: duckdb.DuckDBPyConnection) -> None:
    writer = RowWriter(10**18)
    apply(con, writer, row("new", input="never committed"), commit=False)
    apply(con, writer, row("new", _is_merge=True, output="merged"))  # the row does not exist: a new row
    assert stored(con)["new"].get("input") is None and stored(con)["new"]["output"] == "merged"

    apply(con, writer, row("b", input="v1"))
    apply(con, writer, row("b", _is_merge=True, output="rolled back"), commit=False)
    apply(con, writer, row("b", _is_merge=True, metadata={"m": 1}))
    assert stored(con)["b"]["input"] == "v1" and stored(con)["b"]["metadata"] == {"m": 1}
    assert stored(con)["b"].get("output") is None


def test_deleted_rows_can_be_written_again(con: duckdb.DuckDBPyConnection) -> None:
    writer = RowWriter(10**18)
    apply(con, writer, row("a", input=1))
    apply(con, writer, row("a", _object_delete=True))
    assert stored(con) == {}
    apply(con, writer, row("a", _is_merge=True, output=2))
    assert stored(con)["a"]["output"] == 2 and stored(con)["a"].get("input") is None

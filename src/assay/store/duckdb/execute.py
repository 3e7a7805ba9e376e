"""Running compiled statements on DuckDB, bounded in time and memory (`Store.execute`).

Each statement gets a fresh connection of the database instance, so an interrupt stops only it,
and the connection's settings bound only it:

- time: a timer calls `interrupt()` on that connection at the deadline; DuckDB checks for it
  between chunks of work, and the compiler keeps each chunk small (string sizes are bounded at
  compile time, see `assay.query.limits`), so the query stops within about a second;
- memory: `operator_memory_limit` caps the intermediates of that connection's operators (sorts,
  hash tables of GROUP BY/DISTINCT/joins), which are what grows with the data; DuckDB refuses
  the statement with an out-of-memory error instead of taking memory from the rest of the
  server. Results are paged (at most `MAX_LIMIT` rows), so a result is bounded too.

An error of the statement is reported as a 4xx and never escapes as a 500.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import duckdb

from assay.query.compile import Compiled
from assay.query.errors import QueryError, QueryTimeout, QueryTooLarge
from assay.store.base import ResultSet, ValueKind

KINDS: dict[str, ValueKind] = {
    "VARCHAR": "text",
    "BOOLEAN": "bool",
    "DOUBLE": "number",
    "FLOAT": "number",
    "BIGINT": "integer",
    "INTEGER": "integer",
    "HUGEINT": "integer",
    "UBIGINT": "integer",
    "SMALLINT": "integer",
    "TINYINT": "integer",
    "JSON": "json",
    "DATE": "date",
    "TIMESTAMP WITH TIME ZONE": "timestamp",
    "TIMESTAMP": "timestamp",
    "INTERVAL": "interval",
    "VARCHAR[]": "text_list",
    "MAP(VARCHAR, DOUBLE)": "number_map",
}


def kind_of(duckdb_type: str) -> ValueKind:
    if duckdb_type.startswith("DECIMAL"):
        return "number"
    return KINDS.get(duckdb_type, "other")


def _first_line(exc: Exception) -> str:
    return str(exc).strip().split("\n")[0][:500]


def run(
    connect: Callable[[], duckdb.DuckDBPyConnection], compiled: Compiled, *, timeout: float, memory: int
) -> ResultSet:
    """Run `compiled` on a new connection from `connect()` within `timeout` seconds and `memory` bytes."""
    con = connect()
    timer = threading.Timer(timeout, con.interrupt)
    deadline = time.monotonic() + timeout
    try:
        con.execute(f"SET operator_memory_limit = '{int(memory)}B'")
        timer.start()
        relation = con.sql(compiled.sql)
        kinds = [kind_of(str(t)) for t in relation.types]
        table = relation.to_arrow_table()
        if time.monotonic() > deadline:  # the interrupt can land before the query starts
            raise duckdb.InterruptException("deadline passed")
    except duckdb.InterruptException:
        raise QueryTimeout(f"the query ran longer than the time limit of {timeout:g} s") from None
    except duckdb.OutOfMemoryException:
        raise QueryTooLarge(
            f"the query needs more than its memory limit of {memory / 2**20:.0f} MiB "
            "(ASSAY_QUERY_MEMORY_BYTES); add a filter, a LIMIT or fewer GROUP BY keys"
        ) from None
    except duckdb.Error as exc:
        raise QueryError(f"the query failed: {_first_line(exc)}") from None
    finally:
        timer.cancel()
        con.close()
    return ResultSet(table, kinds)

"""Running compiled statements on DuckDB, bounded in time and memory (`Store.execute`).

Each statement gets a fresh connection of the database instance, so an interrupt stops only it.
What bounds it (measured in docs/operations-limits, see `docs/query.md`):

- time: a timer calls `interrupt()` on that connection at the deadline. DuckDB checks for it
  between chunks of work; the compiler keeps each chunk's work bounded (the strings a query may
  build are limited, `assay.query.limits`), so the query stops within about a second.
- memory, per query: its answer is read in Arrow batches and refused once it passes `memory`
  bytes (a page of huge rows can otherwise cost several times its size to decode and send);
  `operator_memory_limit` asks DuckDB to keep this connection's sorts and hash tables under the
  same figure (DuckDB treats it as a target for spilling, not a hard cap).
- memory, all queries and writes together: the database instance's `memory_limit` and
  `max_temp_directory_size` (`DuckDBStore` sets both from the settings); a statement that would
  need more than both allow fails with an out-of-memory error, reported as `QueryTooLarge`.

An error of the statement is reported as a 4xx and never escapes as a 500.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import duckdb
import pyarrow as pa

from assay.query.compile import Compiled
from assay.query.errors import QueryError, QueryTimeout, QueryTooLarge
from assay.store.base import ResultSet, ValueKind
from assay.store.duckdb.health import is_disk_full, is_fatal

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


BATCH_ROWS = 256  # rows per Arrow batch read; small, so the size check runs often on wide rows


def _mib(n: int) -> str:
    return f"{n / 2**20:g} MiB"


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
        reader = relation.fetch_arrow_reader(BATCH_ROWS)
        batches: list[pa.RecordBatch] = []
        size = 0
        for batch in reader:
            size += batch.nbytes
            if size > memory:
                raise QueryTooLarge(
                    f"the answer is larger than the query memory limit of {_mib(memory)} "
                    "(ASSAY_QUERY_MEMORY_BYTES); select fewer columns or add a LIMIT"
                )
            batches.append(batch)
        table = pa.Table.from_batches(batches, schema=reader.schema)
        if time.monotonic() > deadline:  # the interrupt can land before the query starts
            raise duckdb.InterruptException("deadline passed")
    except duckdb.InterruptException:
        raise QueryTimeout(f"the query ran longer than the time limit of {timeout:g} s") from None
    except OSError as exc:  # an interrupt that lands while pyarrow reads the batches is its OSError
        if "INTERRUPT" not in str(exc):
            raise
        raise QueryTimeout(f"the query ran longer than the time limit of {timeout:g} s") from None
    except duckdb.OutOfMemoryException:
        raise QueryTooLarge(
            f"the query needs more memory than the database allows (query limit {_mib(memory)}, "
            "ASSAY_QUERY_MEMORY_BYTES and ASSAY_DB_MEMORY_BYTES); add a filter, a LIMIT or fewer GROUP BY keys"
        ) from None
    except duckdb.Error as exc:
        if is_fatal(exc) or is_disk_full(exc) or isinstance(exc, duckdb.ConnectionException):
            raise  # not the query's fault: the store reopens an invalidated database (503) or says 507
        raise QueryError(f"the query failed: {_first_line(exc)}") from None
    finally:
        timer.cancel()
        con.close()
    return ResultSet(table, kinds)

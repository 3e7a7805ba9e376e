"""Storage: the `Store` interface and its backends, chosen by URL scheme."""

from __future__ import annotations

from assay.store.base import ObjectRef, Store, StoreUnavailable

__all__ = ["ObjectRef", "Store", "StoreUnavailable", "open_store"]


DEFAULT_DISK_RESERVE = 32 * 1024 * 1024


def open_store(
    url: str,
    *,
    memory_bytes: int | None = None,
    temp_bytes: int | None = None,
    disk_reserve: int = DEFAULT_DISK_RESERVE,
) -> Store:
    """Open the store named by `url`: `duckdb:///abs/path.duckdb`, `duckdb://:memory:`, or
    `postgresql://user:password@host:port/database` (several servers may share one database).

    For DuckDB, `memory_bytes` bounds the memory the database uses for all work together, and
    `temp_bytes` the disk it may spill to beyond that (None: the engine's defaults). Writes are
    refused with 507 when the disk has less than `disk_reserve` bytes free beyond what the
    database's write-ahead log needs (0: no check). A PostgreSQL server keeps its own memory,
    spill and disk settings (`shared_buffers`, `temp_file_limit`…); a full disk there is a 507 too."""
    if url.startswith("duckdb://"):
        from assay.store.duckdb.store import DuckDBStore

        return DuckDBStore(url, memory_bytes=memory_bytes, temp_bytes=temp_bytes, disk_reserve=disk_reserve)
    if url.startswith(("postgresql://", "postgres://")):
        from assay.store.postgres.store import PostgresStore

        return PostgresStore(url)
    scheme = url.split(":", 1)[0]
    raise ValueError(
        f"unsupported database URL scheme {scheme!r}: use duckdb:///path/to/assay.duckdb "
        "or postgresql://user:password@host:port/database"
    )

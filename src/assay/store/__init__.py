"""Storage: the `Store` interface and its backends, chosen by URL scheme."""

from __future__ import annotations

from assay.store.base import ObjectRef, Store, StoreUnavailable

__all__ = ["ObjectRef", "Store", "StoreUnavailable", "open_store"]


def open_store(url: str) -> Store:
    """Open the store named by `url` (`duckdb:///abs/path.duckdb` or `duckdb://:memory:`)."""
    if url.startswith("duckdb://"):
        from assay.store.duckdb.store import DuckDBStore

        return DuckDBStore(url)
    scheme = url.split(":", 1)[0]
    raise ValueError(f"unsupported database URL scheme {scheme!r}: use duckdb:///path/to/assay.duckdb")

"""The DuckDB instance behind a store: opened once, reopened whenever DuckDB invalidates it.

One read-write connection belongs to the writer thread; readers get cursors of the same
instance, one per thread. When DuckDB reports the instance invalidated (a fatal error: a failed
checkpoint on a full disk, an internal error in a query), nothing runs on it any more, but the
file and its write-ahead log hold every committed transaction: closing every connection and
opening the file again recovers it. `reopen` does that on the writer thread; each reader thread
notices the new generation and takes a fresh cursor.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from pathlib import Path

import duckdb

from assay.store.base import StoreUnavailable
from assay.store.duckdb.health import check_space, is_fatal
from assay.store.duckdb.schema import migrate

CHECKPOINT_AFTER_BYTES = 1 << 20  # an idle writer folds a WAL larger than this into the file
REOPEN_WAIT_S = 10.0  # how long a reopen waits for the invalidated instance to be released
log = logging.getLogger("assay.store")


class Database:
    def __init__(
        self,
        path: str,
        *,
        config: dict[str, str | bool | int | float | list[str]] | None = None,
        disk_reserve: int = 0,
    ) -> None:
        self.path = path
        self.config = config or {}
        self.file = None if path == ":memory:" else Path(path)
        self.disk_reserve = disk_reserve
        self.generation = 0
        self._lock = threading.Lock()
        self._readers: list[duckdb.DuckDBPyConnection] = []
        self._local = threading.local()
        self._open = threading.Event()  # cleared while a reopen runs: readers wait for it
        self._closed = False
        if self.file is not None:
            self.file.parent.mkdir(parents=True, exist_ok=True)
        self.con = self._connect()
        migrate(self.con)
        self._open.set()

    @property
    def data_dir(self) -> Path:
        return self.file.parent if self.file is not None else Path(".")

    def _connect(self) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + REOPEN_WAIT_S
        while True:
            try:
                con = duckdb.connect(self.path, config=self.config)
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower():
                    raise
                raise StoreUnavailable(
                    f"the database {self.path} is in use by another process (one process at a time: "
                    "is `assay serve` running on it? stop it first, or use another --data-dir)"
                ) from None
            try:
                con.execute("SELECT 1 FROM schema_version LIMIT 1" if self.generation else "SELECT 1")
                return con
            except duckdb.Error as exc:
                # A query still finishing on the invalidated instance keeps it alive, and connect()
                # hands out that same instance until it is released.
                with contextlib.suppress(duckdb.Error):
                    con.close()
                if not is_fatal(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def reader(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor of the current instance (waiting for a reopen under way)."""
        local = self._local
        if not self._open.is_set():
            self._open.wait(REOPEN_WAIT_S)
        if getattr(local, "generation", None) != self.generation:
            with self._lock:
                cur = self.con.cursor()
                self._readers.append(cur)
                local.cur, local.generation = cur, self.generation
        cur_: duckdb.DuckDBPyConnection = local.cur
        return cur_

    def reopen(self) -> None:
        """Close every connection of the instance and open the file again (writer thread only).
        Raises if the file cannot be opened; the writer then tries again on its next job."""
        self._open.clear()
        try:
            with self._lock:
                readers, self._readers = self._readers, []
                old = self.con
                self.generation += 1
            for cur in readers:
                with contextlib.suppress(duckdb.Error):
                    cur.close()
            with contextlib.suppress(duckdb.Error):
                old.close()
            con = self._connect()
            with self._lock:
                self.con = con
        finally:
            self._open.set()  # reopened, or failed: readers then get the error, not a wait

    def check_space(self) -> None:
        """Refuse a write with 507 before DuckDB runs out of disk mid-checkpoint (see `health`)."""
        if self.file is not None:
            check_space(self.file, self.disk_reserve)

    def wal_bytes(self) -> int:
        if self.file is None:
            return 0
        try:
            return self.file.with_name(self.file.name + ".wal").stat().st_size
        except FileNotFoundError:
            return 0

    def checkpoint(self, *, at_least: int = 0) -> None:
        """Fold the WAL into the database file, if it holds more than `at_least` bytes (writer
        thread, outside a transaction): start-up then has nothing to replay, and disk use stops
        growing with the log."""
        if self.file is not None and self.wal_bytes() > at_least:
            try:
                self.con.execute("CHECKPOINT")
            except duckdb.TransactionException as exc:
                # Another connection is in a write transaction (a job worker claiming a chunk,
                # say): nothing is wrong, and the next idle pause checkpoints.
                if "other write transactions" not in str(exc):
                    raise

    def close(self) -> None:
        """Close the readers, checkpoint and close; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        with self._lock:
            readers, self._readers = self._readers, []
        for cur in readers:
            with contextlib.suppress(duckdb.Error):
                cur.close()
        try:
            self.checkpoint()
        except duckdb.Error as exc:
            log.warning("could not checkpoint the database on close (the WAL is replayed on start): %s", exc)
        with contextlib.suppress(duckdb.Error):
            self.con.close()

"""Telling DuckDB's failures apart, and the disk space a write needs.

DuckDB reports three kinds of trouble the store must handle differently from a bad statement:

- a *fatal* error: the database instance is invalidated ("database has been invalidated",
  `FatalException`), every later statement on it fails, and only reopening the file recovers it
  (the WAL holds every committed transaction);
- a commit that succeeded but whose automatic checkpoint failed ("Transaction COMMIT succeeded
  and is durable, but the autocheckpoint failed"): fatal too, yet the write is acknowledged;
- a full disk (ENOSPC), fatal or not: a 507 that names the data directory.

A write needs room for the WAL to grow and, at the next checkpoint, for the WAL's contents to be
copied into the database file: `RESERVE_BYTES` beyond the current WAL. Writes are refused with
507 below that, before DuckDB runs out of space mid-checkpoint and invalidates the database.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import duckdb

from assay.model.errors import StorageFull, StoreFailed

NO_SPACE = os.strerror(errno.ENOSPC)  # "No space left on device"


INVALIDATED_BEFORE = "invalidated because of a previous fatal error"


def first_line(exc: BaseException) -> str:
    """What went wrong, in one line: for a database invalidated earlier, the original error."""
    text = str(exc).strip()
    if INVALIDATED_BEFORE in text and "Original error:" in text:
        text = "invalidated by an earlier error: " + text.split("Original error:", 1)[1].strip().strip('"')
    return text.split("\n")[0][:300]


def is_fatal(exc: BaseException) -> bool:
    """The database instance is invalidated: nothing runs on it until it is reopened."""
    text = str(exc)
    return isinstance(exc, duckdb.FatalException) or "database has been invalidated" in text


def committed_durably(exc: BaseException) -> bool:
    """A fatal error raised after the transaction committed (its automatic checkpoint failed)."""
    return is_fatal(exc) and "COMMIT succeeded and is durable" in str(exc)


def is_disk_full(exc: BaseException) -> bool:
    return NO_SPACE in str(exc) or "disk is full" in str(exc).lower()


def disk_full(data_dir: Path, detail: str) -> StorageFull:
    return StorageFull(
        f"the disk holding the database ({data_dir}) is full: {detail}. Nothing of this request "
        "was written and nothing acknowledged is lost; free some space there and retry "
        "(writes resume by themselves, no restart needed)"
    )


def store_error(exc: BaseException, data_dir: Path) -> StorageFull | StoreFailed:
    """The client's view of a database failure: a 507 when this request ran out of disk, a 503
    when the database failed (or had failed before this request came)."""
    if is_disk_full(exc) and INVALIDATED_BEFORE not in str(exc):
        return disk_full(data_dir, first_line(exc))
    return StoreFailed(
        f"the database failed ({first_line(exc)}); it is being reopened and nothing acknowledged "
        "is lost: retry the request"
    )


def free_bytes(directory: Path) -> int:
    stats = os.statvfs(directory)
    return stats.f_bavail * stats.f_frsize


def check_space(db_path: Path, reserve: int) -> None:
    """Refuse a write (507) when the disk has less than the WAL's size plus `reserve` free."""
    if reserve <= 0:
        return
    wal = db_path.with_name(db_path.name + ".wal")
    try:
        wal_size = wal.stat().st_size
    except FileNotFoundError:
        wal_size = 0
    free = free_bytes(db_path.parent)
    if free < wal_size + reserve:
        mib = 2**20
        raise disk_full(
            db_path.parent,
            f"{free / mib:.1f} MiB free, and a write needs the write-ahead log's size "
            f"({wal_size / mib:.1f} MiB) plus {reserve / mib:.0f} MiB (ASSAY_DISK_RESERVE_BYTES)",
        )

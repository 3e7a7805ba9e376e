"""A small tmpfs mounted for one test, to fill a disk for real (CI runs as root)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def tmpfs(path: Path, megabytes: int) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("filling a real disk needs a tmpfs, and mounting one needs root (CI runs as root)")
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def free_bytes(path: Path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def fill(path: Path, leave: int) -> Path:
    """A file taking all but `leave` bytes of the disk holding `path`."""
    filler = path / "filler"
    size = max(0, free_bytes(path) - leave)
    with filler.open("wb") as out:
        chunk = b"\0" * (1 << 20)
        while size > 0:
            out.write(chunk[: min(size, len(chunk))])
            size -= min(size, len(chunk))
    return filler

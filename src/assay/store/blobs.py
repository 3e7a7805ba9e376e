"""Blob storage for attachments: the `BlobStore` interface and the default, a folder beside the database.

Attachments (images, PDFs, audio… that the SDKs log with `Attachment`) are bytes, not rows, so
they live outside the database: by default in `<data dir>/attachments/`, or, for several servers
sharing storage, in an S3-compatible object store (`store/s3.py`). Both keep small JSON records
next to the bytes (upload status, file name, content type), so a shared bucket is all servers need.

Names are `/`-separated paths made by the caller from validated parts; a backend never sees user
text it could be tricked into escaping from.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

CHUNK = 1024 * 1024


class BlobStore(Protocol):
    """Named byte strings, written whole and durably, read as a stream."""

    def put(self, name: str, data: BinaryIO) -> int:
        """Store the rest of `data` under `name` (replacing any blob there); return its size.
        The blob is durable and complete when this returns; a reader never sees half of it."""

    def size(self, name: str) -> int | None:
        """The blob's size in bytes, or None when there is no blob of that name."""

    def read(self, name: str) -> Iterator[bytes] | None:
        """The blob's bytes in chunks, or None when there is no blob of that name."""

    def describe(self) -> str:
        """Where the blobs are, for messages and start-up output."""


def read_all(store: BlobStore, name: str) -> bytes | None:
    chunks = store.read(name)
    return None if chunks is None else b"".join(chunks)


class FolderBlobStore:
    """Blobs as files under `root`: written to a temporary file, synced, then renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, name: str) -> Path:
        parts = name.split("/")
        if any(p in ("", ".", "..") for p in parts):
            raise ValueError(f"invalid blob name {name!r}")
        return self.root.joinpath(*parts)

    def put(self, name: str, data: BinaryIO) -> int:
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(data, out, CHUNK)
                out.flush()
                os.fsync(out.fileno())
                size = out.tell()
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)  # the rename itself survives a crash
        finally:
            os.close(dir_fd)
        return size

    def size(self, name: str) -> int | None:
        try:
            return self._path(name).stat().st_size
        except FileNotFoundError:
            return None

    def read(self, name: str) -> Iterator[bytes] | None:
        try:
            handle = self._path(name).open("rb")
        except FileNotFoundError:
            return None

        def chunks() -> Iterator[bytes]:
            with handle:
                while chunk := handle.read(CHUNK):
                    yield chunk

        return chunks()

    def describe(self) -> str:
        return str(self.root)

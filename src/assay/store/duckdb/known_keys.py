"""Which row keys may have been written: the writer's filter between new rows and stored ones.

Telling a new row (write it as encoded) from a stored one (merge into it) must not cost a scan
of the table's keys, and it must not cost a statement either: the SDK sends requests of 100 rows,
and each DuckDB statement has a fixed cost of a few milliseconds there. So the writer keeps, in
memory, the 64-bit hashes of every key stored (`key_hash`, DuckDB's `md5_number_lower`): a
sorted NumPy array (8 bytes a key) for what it found when it started, plus a set of the hashes
written since, folded into the array from time to time.

It is a filter, never the truth: a hash not held means the key was never written; a held one
(the key was written, perhaps deleted since, or a transaction that wrote it rolled back, or a
rare collision) only means "maybe", and the writer then looks the row up. So nothing needs to be
kept on disk: the filter is rebuilt from `rows` on the first write after the store opens, and
after `assay migrate` copies rows in behind the writer's back (`forget`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import duckdb
import numpy as np

FOLD_AT = 100_000  # hashes held in the set before they join the sorted array


def key_hash(key: str) -> int:
    """DuckDB's `md5_number_lower(key)`: the low 64 bits of the key's MD5, as an unsigned int."""
    return int.from_bytes(hashlib.md5(key.encode()).digest()[8:], "little")


class KnownKeys:
    """Hashes of the row keys that may be stored; used only from the writer thread."""

    def __init__(self) -> None:
        self._sorted: np.ndarray | None = None  # None: not loaded yet
        self._recent: set[int] = set()

    def forget(self) -> None:
        """Rows were written outside the writer: reload from `rows` on the next `claim`."""
        self._sorted, self._recent = None, set()

    def _load(self, con: duckdb.DuckDBPyConnection) -> np.ndarray:
        found = con.execute("SELECT DISTINCT md5_number_lower(_key) AS h FROM rows ORDER BY h").fetchnumpy()
        self._sorted = np.asarray(found["h"], dtype=np.uint64)
        return self._sorted

    def claim(self, con: duckdb.DuckDBPyConnection, keys: Iterable[str]) -> set[str]:
        """The keys among `keys` that were never written, which are held from now on."""
        known = self._sorted if self._sorted is not None else self._load(con)
        by_hash: dict[int, list[str]] = {}
        for key in keys:
            by_hash.setdefault(key_hash(key), []).append(key)
        if not by_hash:
            return set()
        hashes = np.fromiter(by_hash, dtype=np.uint64, count=len(by_hash))
        at = np.minimum(np.searchsorted(known, hashes), max(len(known) - 1, 0))
        held = (known[at] == hashes) if len(known) else np.zeros(len(hashes), dtype=bool)
        fresh: set[str] = set()
        for h, seen in zip(by_hash, held.tolist(), strict=True):
            if not seen and h not in self._recent:
                self._recent.add(h)
                fresh.update(by_hash[h])
        if len(self._recent) >= FOLD_AT:
            recent = np.fromiter(self._recent, dtype=np.uint64, count=len(self._recent))
            self._sorted, self._recent = np.union1d(known, recent), set()
        return fresh

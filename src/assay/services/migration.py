"""Moving a whole database to another backend (`assay migrate`): copy, then verify row for row.

The copy goes table by table through the `Store.copy_*` methods (tables and value types in
`assay.store.copying`), so any backend can be the source or the target: DuckDB to PostgreSQL
when a team outgrows one process, PostgreSQL to DuckDB to take a copy home. The target must be
empty. After the copy the target rebuilds what is derived (`copy_done`), then both databases
are read again in key order and compared row by row: a copy is only reported done when every
value of every copied row is equal in both.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from assay.model.errors import InvalidInput
from assay.store import Store
from assay.store.copying import TABLES, Copied

BATCH = 5_000  # rows per read and per write transaction
Progress = Callable[[str, int], None]  # (table, rows just handled)


class CopyMismatch(Exception):
    """The copy differs from its source (the target is left as it is: drop it and copy again)."""


@dataclass
class Copy:
    """What a copy moved: rows per table."""

    rows: dict[str, int]


def sizes(store: Store) -> dict[str, int]:
    return {t.name: store.copy_count(t.name) for t in TABLES}


def check_empty(target: Store) -> None:
    held = {name: n for name, n in sizes(target).items() if n}
    if held:
        listed = ", ".join(f"{n} in {name}" for name, n in held.items())
        raise InvalidInput(f"the target database is not empty ({listed}): copy into a new database")


def copy(source: Store, target: Store, progress: Progress, *, batch: int = BATCH) -> Copy:
    """Copy every table of `source` into the empty `target`, then let it rebuild its caches."""
    check_empty(target)
    moved: dict[str, int] = {}
    for t in TABLES:
        moved[t.name] = 0
        for rows in source.copy_out(t.name, batch=batch):
            target.copy_in(t.name, rows)
            moved[t.name] += len(rows)
            progress(t.name, len(rows))
    target.copy_done()
    return Copy(moved)


def _rows(store: Store, t: Copied, batch: int) -> Iterator[tuple[Any, ...]]:
    for rows in store.copy_out(t.name, batch=batch):
        yield from rows


def verify(source: Store, target: Store, progress: Progress, *, batch: int = BATCH) -> None:
    """Compare every copied table of both databases row for row (CopyMismatch at the first
    difference: which table, which row, which column)."""
    for t in TABLES:
        pairs = itertools.zip_longest(_rows(source, t, batch), _rows(target, t, batch))
        n = 0
        for n, (a, b) in enumerate(pairs, start=1):
            if a is None or b is None:
                side = "source" if a is None else "copy"
                raise CopyMismatch(f"{t.name}: the {side} has fewer rows (first missing at row {n})")
            if a != b:
                column = next(c for c, x, y in zip(t.columns, a, b, strict=True) if x != y)
                key = {c: a[t.columns.index(c)] for c in t.key}
                raise CopyMismatch(f"{t.name}: row {key} differs in {column!r}")
            if n % batch == 0:
                progress(t.name, batch)
        progress(t.name, n % batch)

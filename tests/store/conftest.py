"""The `store` fixture: one instance per backend, so every test here runs against each of them.

DuckDB runs on a file in the test's folder; PostgreSQL on a fresh copy of a migrated template
database in the run's one real cluster (`pg_cluster`). A known gap is declared with a strict xfail.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assay.model.objects import utcnow
from assay.store import Store, open_store
from assay.store.base import ObjectRef, RowWrite, WriteRequest, WriteResult

Opener = Callable[[], Store]


def _duckdb_opener(tmp_path: Path) -> Opener:
    url = f"duckdb:///{tmp_path / 'store.duckdb'}"
    return lambda: open_store(url)


@pytest.fixture
def open_backend(db_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Opener:
    """A function opening the same database again (for close/reopen tests); one per backend
    (`db_backend` is parametrised in tests/conftest.py)."""
    if db_backend == "duckdb":
        return _duckdb_opener(tmp_path)
    url = request.getfixturevalue("new_pg_database")()
    return lambda: open_store(url)


@pytest.fixture
def store(open_backend: Opener) -> Iterator[Store]:
    db = open_backend()
    yield db
    db.close()


class Env:
    """An organization with a project, and helpers to make objects and write rows."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.org = store.ensure_org("conformance")
        self.project = self.create("project", "proj")

    def create(self, kind: str, name: str, **extra: Any) -> dict[str, Any]:
        doc: dict[str, Any] = {"id": str(uuid.uuid4()), "name": name, "created": utcnow().isoformat()}
        doc["deleted_at"] = None
        if kind == "project":
            doc["org_id"] = self.org.id
        else:
            doc["project_id"] = extra.pop("project_id", None) or self.project["id"]
        doc.update(extra)
        return self.store.create_object(kind, doc)[0]  # type: ignore[arg-type]

    def experiment(self, name: str | None = None) -> ObjectRef:
        exp = self.create("experiment", name or f"exp-{uuid.uuid4().hex[:8]}")
        return ObjectRef("experiment", exp["id"])

    def write(self, ref: ObjectRef, *rows: dict[str, Any]) -> WriteResult:
        """Write `rows` (each with an `id`) to `ref` as one request."""
        return self.store.write(
            WriteRequest(rows=[RowWrite(ref, self.project["id"], r["id"], dict(r)) for r in rows])
        )

    def rows(self, ref: ObjectRef, **kw: Any) -> dict[str, dict[str, Any]]:
        """Every row of `ref` (one big page), by id."""
        page = self.store.fetch(ref, limit=100_000, **kw)
        return {e["id"]: e for e in page.events}


@pytest.fixture
def env(store: Store) -> Env:
    return Env(store)


@pytest.fixture
def duckdb_env(tmp_path: Path) -> Iterator[Env]:
    """An `Env` on a DuckDB file, for the tests that read its tables (`env` runs every backend)."""
    store = _duckdb_opener(tmp_path)()
    try:
        yield Env(store)
    finally:
        store.close()

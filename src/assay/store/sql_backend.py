"""What a part of a SQL store (jobs, records) asks of its backend, so that part's logic and its
statements are written once for DuckDB and PostgreSQL.

A part writes each statement once, in DuckDB's dialect with named parameters (`:name`), parses it
into a syntax tree and compiles it per backend (`compile_statement`). The backends differ in:
- how a function runs on a connection (`read`, `write`): on DuckDB a reader cursor or the single
  writer's transaction; on PostgreSQL a pooled connection (in a transaction for writes);
- row locks (`locks`): on PostgreSQL several servers share the database, so a read that guards a
  write takes `FOR UPDATE`; on DuckDB the single writer serialises every change;
- the clock (`clock`): PostgreSQL's own, so servers with skewed clocks agree; on DuckDB (in this
  process) None, and the caller passes `now` as a parameter.
The adapters are `assay.store.duckdb.sql_backend` and `assay.store.postgres.sql_backend`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import sqlglot
from sqlglot import exp

T = TypeVar("T")


class Tx(Protocol):
    """One connection (in a transaction, for writes) that runs compiled statements."""

    def rows(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]: ...

    def many(self, sql: str, params: Sequence[Mapping[str, Any]]) -> None: ...


class SqlBackend(Protocol):
    """Where a part's functions run, its dialect, locks and clock (see the module docstring)."""

    dialect: str  # a sqlglot dialect name
    locks: bool  # take row locks (several servers share the database)
    clock: exp.Expr | None  # the database's clock in epoch seconds; None: the caller passes `now`

    def read(self, fn: Callable[[Tx], T]) -> T: ...

    def write(self, fn: Callable[[Tx], T]) -> T: ...


@dataclass(frozen=True)
class Statement:
    """A compiled statement and the names of the parameters it takes (DuckDB refuses extras)."""

    sql: str
    names: frozenset[str]

    def bind(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in params.items() if k in self.names}

    def run(self, tx: Tx, /, **params: Any) -> list[tuple[Any, ...]]:
        return tx.rows(self.sql, self.bind(params))


def parse(text: str) -> exp.Expr:
    """A statement as written by a part (DuckDB's dialect, `:name` parameters)."""
    return sqlglot.parse_one(text, dialect="duckdb")


def compile_statement(tree: exp.Expr, dialect: str, clock: exp.Expr | None = None) -> Statement:
    """`tree` in `dialect`, with `clock` (a backend's own clock) in place of the `:now` parameter."""
    if clock is not None:
        now = clock
        tree = tree.transform(
            lambda node: now.copy() if isinstance(node, exp.Placeholder) and node.name == "now" else node
        )
    names = frozenset(p.name for p in tree.find_all(exp.Placeholder))
    return Statement(tree.sql(dialect=dialect), names)


class StatementSet:
    """A part's statements compiled for one dialect: `texts` as written; `locked`, reads that guard
    a write, under `FOR UPDATE` where the backend takes row locks; `narrowed`, a statement of
    `texts` with one more `column = :column` condition (name -> (base, column))."""

    def __init__(
        self,
        dialect: str,
        locks: bool,
        texts: Mapping[str, str],
        locked: Mapping[str, str],
        narrowed: Mapping[str, tuple[str, str]],
    ) -> None:
        trees = {name: parse(text) for name, text in texts.items()}
        self.by_name = {name: compile_statement(tree, dialect) for name, tree in trees.items()}
        for name, text in locked.items():
            tree = parse(text)
            assert isinstance(tree, exp.Select)
            self.by_name[name] = compile_statement(tree.lock(update=True) if locks else tree, dialect)
        for name, (base, column) in narrowed.items():
            tree = trees[base].copy()
            assert isinstance(tree, exp.Select | exp.Delete)
            tree = tree.where(exp.column(column).eq(exp.Placeholder(this=column)))
            self.by_name[name] = compile_statement(tree, dialect)

    def __getitem__(self, name: str) -> Statement:
        return self.by_name[name]

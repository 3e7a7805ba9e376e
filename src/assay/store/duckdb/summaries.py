"""Trace summaries, materialised: one stored row per trace, kept fresh by the writer.

Scores averaged over a trace's spans, metrics aggregated over it, preview fields from its root:
every summary, comparison, group-by and `summary`-shape query reads these. Computing them from
the spans on each read costs a full aggregation of the object (seconds at 100,000 traces);
reading stored rows costs a scan of one row per trace.

The writer marks each trace it changes in `dirty_traces`, with the `_xact_id` of the change, in
the same transaction as the rows. Before any read of summaries, `refresh` recomputes exactly the
dirty traces of the objects read (`traces.compute`, the one definition of a trace summary) and
clears their marks. While writes go on, and when they pause, the writer thread also works
through the marks in slices (`refresh_some`), so a page opened right after a large ingest finds
little left to do.

A refresh reads only the part of `rows` written since the oldest span of the traces it
recomputes: rows are appended in `_xact_id` order, every span of a trace is either in its last
summary (whose `min_xact` is the least `_xact_id` of its spans then) or written since (its mark
has that write's `_xact_id`), so `_xact_id >= least(min_xact, mark)` lets DuckDB's zone maps skip
every older row group. Refreshing the tail of an ingest therefore costs what the tail holds, not
what the table holds. The table is a cache: when `SUMMARY_VERSION` changes it is rebuilt from
the spans on open.

Statements are sqlglot trees, rendered once; the objects they are about are parameters (literal
nodes in `summaries_query`, which callers embed in their own statements).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence
from typing import Any

import duckdb
from sqlglot import exp

from assay.store.duckdb import cases
from assay.store.duckdb.dialect import parse, parse_select, render
from assay.store.duckdb.traces import TRACE, compute, create_table

# Bump when what `traces.compute` writes changes (2: stand-in roots; 3: classifier errors; 4: min_xact;
# 5: match_key a number; 6: labels; 7: after a rebase had put it back to 4, which left databases of
# versions 4 and 5 unrebuilt); 8: last_key, the greatest pagination key of a trace's spans).
SUMMARY_VERSION = 8
_WORK = "_assay_dirty"
# The marks of one refresh: a trace's least `_xact_id`; `unknown` when a mark predates them.
_DIRTY = parse_select(
    "SELECT object_type, object_id, root_span_id, min(xact) AS xact, bool_or(xact IS NULL) AS unknown"
    " FROM dirty_traces GROUP BY ALL"
)
_SCOPE = render(
    parse(
        """SELECT count(*), bool_or(d.unknown), min(least(d.xact, coalesce(t.min_xact, d.xact)))
           FROM _assay_dirty d LEFT JOIN trace_summaries t
             ON t.object_id = d.object_id AND t.root_span_id = d.root_span_id"""
    )
)
_FORGET_SUMMARIES = render(
    parse(
        """DELETE FROM trace_summaries t USING _assay_dirty d
           WHERE t.object_id = d.object_id AND t.root_span_id = d.root_span_id"""
    )
)
_CLEAR_MARKS = render(
    parse(
        """DELETE FROM dirty_traces t USING _assay_dirty d
           WHERE t.object_type = d.object_type AND t.object_id = d.object_id
           AND t.root_span_id = d.root_span_id"""
    )
)
_ANY_MARK = render(exp.select("1").from_("dirty_traces").limit(1))
_DROP_WORK = render(exp.Drop(tables=[exp.to_table(_WORK)], kind="TABLE", exists=True))


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create (or rebuild, if its definition changed) the summaries table; run in a transaction."""
    found = con.execute("SELECT version FROM cache_versions WHERE name = 'trace_summaries'").fetchone()
    if found and found[0] == SUMMARY_VERSION:
        cases.ensure_tables(con)
        return
    cases.ensure_tables(con, rebuild=True)  # test cases are made of trace summaries
    con.execute("DROP TABLE IF EXISTS trace_summaries")
    create_table(con)
    con.execute("DELETE FROM dirty_traces")
    every = exp.select(*TRACE, exp.null()).distinct().from_("rows")
    con.execute(render(exp.insert(every, "dirty_traces")))
    con.execute("INSERT OR REPLACE INTO cache_versions VALUES ('trace_summaries', ?)", [SUMMARY_VERSION])


def _objects(object_type: exp.Expr, object_ids: Sequence[exp.Expr]) -> exp.Expr:
    """The condition selecting rows of these objects."""
    return exp.and_(
        exp.column("object_type").eq(object_type),
        exp.column("object_id").isin(*(object_ids or [exp.null()])),
    )


def _of(object_type: str, object_ids: Sequence[str]) -> exp.Expr:
    return _objects(exp.Literal.string(object_type), [exp.Literal.string(i) for i in object_ids])


@functools.lru_cache(maxsize=64)
def _marked(ids: int) -> str:
    """Whether an object (its type, then `ids` ids, as parameters) has dirty traces."""
    where = _objects(exp.Placeholder(), [exp.Placeholder() for _ in range(ids)])
    return render(exp.select("1").from_("dirty_traces").where(where).limit(1))


@functools.lru_cache(maxsize=64)
def _work(ids: int | None) -> str:
    """The work table of one refresh: the marks of an object (its type, then `ids` ids, as
    parameters), or with `ids` None the oldest marks of any object (how many: a parameter)."""
    marks = _DIRTY.copy()
    if ids is None:
        marks = marks.order_by(exp.Ordered(this=parse("min(xact)"), nulls_first=True)).limit(
            exp.Placeholder()
        )
    else:
        marks = marks.where(_objects(exp.Placeholder(), [exp.Placeholder() for _ in range(ids)]))
    work = exp.Create(
        this=exp.to_table(_WORK),
        kind="TABLE",
        replace=True,
        expression=marks,
        properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
    )
    return render(work)


def needs_refresh(con: duckdb.DuckDBPyConnection, object_type: str, object_ids: Sequence[str]) -> bool:
    return con.execute(_marked(len(object_ids)), [object_type, *object_ids]).fetchone() is not None


def refresh(con: duckdb.DuckDBPyConnection, object_type: str, object_ids: Sequence[str]) -> None:
    """Recompute the dirty traces of these objects (writer thread, inside its transaction)."""
    _recompute(con, _work(len(object_ids)), [object_type, *object_ids])


def refresh_some(con: duckdb.DuckDBPyConnection, limit: int) -> bool:
    """Recompute up to `limit` dirty traces of any objects, the least recently marked first, so
    that the first read after a large ingest finds little left to do. Returns whether dirty
    traces remain."""
    _recompute(con, _work(None), [int(limit)])
    return con.execute(_ANY_MARK).fetchone() is not None


def _recompute(con: duckdb.DuckDBPyConnection, work: str, params: list[Any]) -> None:
    """Replace the summaries of the dirty traces that statement `work` (with `params`) puts in
    the work table, and clear their marks."""
    con.execute(work, params)
    try:
        found = con.execute(_SCOPE).fetchone()
        assert found is not None
        count, unknown, since = found
        if not count:
            return
        con.execute(_FORGET_SUMMARIES)
        compute(con, _WORK, None if unknown else since)
        cases.forget(con, _WORK)  # the test cases built of these traces' old summaries
        con.execute(_CLEAR_MARKS)
    finally:
        _drop_dirty(con)


def _drop_dirty(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the work table (from `finally`). When an error is already on its way out (out of
    memory, an invalidated database), the transaction is aborted and the drop fails too; that
    second error ("transaction is aborted") must not replace the first, which tells the store to
    heal and the client what happened."""
    failing = sys.exc_info()[1] is not None
    try:
        con.execute(_DROP_WORK)
    except duckdb.Error:
        if not failing:
            raise


def summaries_query(object_type: str, object_ids: Sequence[str]) -> exp.Select:
    """The stored summaries of these objects (call `refresh` first)."""
    return exp.select("*").from_("trace_summaries").where(_of(object_type, object_ids))


def summaries_sql(object_type: str, object_ids: Sequence[str]) -> str:
    """`summaries_query`, rendered (for statements of `row_reads` that are still text)."""
    return render(summaries_query(object_type, object_ids))

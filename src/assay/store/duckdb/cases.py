"""Test cases of the stored comparison key, materialised per object: what a comparison reads.

Comparing a base with 7 experiments of 100,000 traces grouped every trace into its test case on
every request (a hash aggregation of 800,000 rows with a mean per score and metric: most of the
2 s such a summary took). An experiment's test cases only change when its traces do, so they are
kept here, one row per (object, `match_key`) of the default key (the whole `input`, stored with each
trace summary):

  `traces`, `id`   how many traces the case has, and the smallest trace id;
  `means`          per measure, the mean of its traces' non-null values (the case's value);
  `trials`         each trace's values, only for a case of several traces (trials): improvements
                   and regressions count each trace against the base's case value.

Measures are positional, not a MAP (reading 10 entries of a MAP costs more than the rest of a
comparison): the object's score names in `case_builds.names`, sorted, then every trace metric in
`METRIC_NAMES` order. The traces without a key (no input) form one row with a NULL key, which
matches nothing. `case_builds` also keeps each object's totals over all its traces (`traces`, and
per measure `sums`, `counts`): an experiment's means, with no aggregation at read time.

Built lazily, per object, on the writer thread, the first time a comparison reads the object
(`build`); `case_builds` lists the built objects, each build with its own id. A refresh of trace
summaries forgets the cases of every object it touches, in the same transaction (`forget`), so a
statement sees an object's cases only while they agree with its trace summaries; the comparison
statement reads the build ids in its own snapshot and is retried when they changed meanwhile. A
project's own comparison key, the table's filters and the project's aggregate scores are not served
from here (see `DuckDBStore.compare_experiments`). The tables are a cache, rebuilt with the trace
summaries (`ensure_tables`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import duckdb
from sqlglot import exp

from assay.model.metrics import METRIC_NAMES
from assay.store.base import ExperimentComparison
from assay.store.duckdb import compare
from assay.store.duckdb.dialect import parse, render

# Bump when what `build` writes changes. Its lists follow METRIC_NAMES: a new trace metric changes
# `traces.compute` too, whose SUMMARY_VERSION bump rebuilds these tables (`ensure_tables`).
CASES_VERSION = 1
CASES = "case_summaries"
BUILDS = "case_builds"
_CREATE = (
    parse(
        f"""CREATE TABLE {CASES} (object_type VARCHAR, object_id VARCHAR, match_key UHUGEINT,
            traces INTEGER, id VARCHAR, means DOUBLE[], trials DOUBLE[][])"""
    ),
    parse(
        f"""CREATE TABLE {BUILDS} (object_type VARCHAR, object_id VARCHAR, names VARCHAR[], build VARCHAR,
            traces BIGINT, sums DOUBLE[], counts BIGINT[], PRIMARY KEY (object_type, object_id))"""
    ),
)
_VERSION = parse(f"SELECT version FROM cache_versions WHERE name = '{CASES}'")
_SET_VERSION = parse(f"INSERT OR REPLACE INTO cache_versions VALUES ('{CASES}', {CASES_VERSION})")
_BUILD_IDS = parse("string_agg(build, ',' ORDER BY object_id)")
_FORGET_BUILDS = parse(
    f"""DELETE FROM {BUILDS} b USING (SELECT DISTINCT object_type, object_id FROM __work) d
        WHERE b.object_type = d.object_type AND b.object_id = d.object_id RETURNING b.object_type, b.object_id"""
)


def _col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table, quoted=True)


def _str(value: str) -> exp.Literal:
    return exp.Literal.string(value)


def _num(value: int) -> exp.Expr:
    return exp.Literal.number(value)


def _of(object_type: str, object_ids: Sequence[str], table: str | None = None) -> exp.Expr:
    ids: list[exp.Expr] = [_str(i) for i in object_ids] or [exp.null()]
    return exp.and_(_col("object_type", table).eq(_str(object_type)), _col("object_id", table).isin(*ids))


def _table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    query = exp.select("1").from_("duckdb_tables()").where(exp.column("table_name").eq(_str(name)))
    return con.execute(render(query)).fetchone() is not None


def ensure_tables(con: duckdb.DuckDBPyConnection, rebuild: bool = False) -> None:
    """Create the tables, or empty them when `rebuild` (the trace summaries were rebuilt) or when
    their definition changed; run in a transaction."""
    found = con.execute(render(_VERSION)).fetchone() if _table_exists(con, BUILDS) else None
    if not rebuild and found and found[0] == CASES_VERSION:
        return
    for name in (CASES, BUILDS):
        con.execute(render(exp.Drop(tables=[exp.to_table(name)], kind="TABLE", exists=True)))
    for statement in _CREATE:
        con.execute(render(statement))
    con.execute(render(_SET_VERSION))


def forget(con: duckdb.DuckDBPyConnection, work: str) -> None:
    """Forget the cases of the objects listed (`object_type`, `object_id`) in table `work`, whose
    trace summaries the caller is changing in this transaction. Cheap when none is built."""
    statement = _FORGET_BUILDS.transform(
        lambda n: exp.to_table(work) if isinstance(n, exp.Table) and n.name == "__work" else n
    )
    for object_type, object_id in con.execute(render(statement)).fetchall():
        delete = exp.delete(CASES, where=_of(object_type, [object_id]))
        con.execute(render(delete))


# -- building -------------------------------------------------------------------------------------
def _values(names: Sequence[str]) -> exp.Expr:
    """A trace summary's measures in the build's order: its scores by `names`, then the metrics."""
    items = [exp.Bracket(this=_col("scores"), expressions=[_str(n)]) for n in names]
    items += [exp.Bracket(this=_col("metrics"), expressions=[_str(m)]) for m in METRIC_NAMES]
    return exp.Array(expressions=items)


def _element(list_: exp.Expr, index: int | exp.Expr) -> exp.Expr:
    """`list_`'s element at the 1-based `index` (`list_extract`: sqlglot would shift a literal
    index of a bracket by one, and not a computed one)."""
    at = _num(index) if isinstance(index, int) else index
    return exp.Anonymous(this="list_extract", expressions=[list_, at])


def _build_sql(object_type: str, object_id: str, names: Sequence[str]) -> tuple[exp.Expr, exp.Expr]:
    """The statements writing one object's cases and its `case_builds` row."""
    width = range(1, len(names) + len(METRIC_NAMES) + 1)
    v = _col("v")
    traces = exp.Count(this=exp.Star())
    several = exp.and_(
        traces.copy() > _num(1), exp.Not(this=exp.Is(this=_col("match_key"), expression=exp.null()))
    )
    rows = (
        exp.select(_col("match_key"), _col("id"), exp.alias_(_values(names), "v"))
        .from_("trace_summaries")
        .where(_of(object_type, [object_id]))
        .subquery("t")
    )
    grouped = (
        exp.select(
            _str(object_type),
            _str(object_id),
            _col("match_key"),
            exp.cast(traces, exp.DataType.build("INTEGER")),
            exp.Min(this=_col("id")),
            exp.Array(expressions=[exp.Avg(this=_element(v, i)) for i in width]),
            exp.Case(ifs=[exp.If(this=several, true=exp.func("list", v.copy()))]),
        )
        .from_(rows)
        .group_by(_col("match_key"))
    )
    totals = exp.select(
        _str(object_type),
        _str(object_id),
        exp.Array(expressions=[_str(n) for n in names]),
        exp.cast(exp.func("uuid"), exp.DataType.build("VARCHAR")),
        traces.copy(),
        exp.Array(expressions=[exp.Sum(this=_element(v, i)) for i in width]),
        exp.Array(expressions=[exp.Count(this=_element(v, i)) for i in width]),
    ).from_(rows.copy())
    return exp.insert(grouped, CASES), exp.insert(totals, BUILDS)


def _names_sql(object_type: str, object_id: str) -> exp.Select:
    keys = exp.alias_(exp.func("unnest", exp.func("map_keys", _col("scores"))), "k")
    inner = exp.select(keys).from_("trace_summaries").where(_of(object_type, [object_id]))
    return exp.select(exp.column("k")).distinct().from_(inner.subquery("n")).order_by(exp.column("k"))


def build(con: duckdb.DuckDBPyConnection, object_type: str, object_ids: Sequence[str]) -> None:
    """Build the cases of those of these objects that have none (writer thread, in its transaction)."""
    have = set(builds(con, object_type, object_ids))
    for object_id in dict.fromkeys(object_ids):
        if object_id in have:
            continue
        names = [str(r[0]) for r in con.execute(render(_names_sql(object_type, object_id))).fetchall()]
        con.execute(render(exp.delete(CASES, where=_of(object_type, [object_id]))))
        for statement in _build_sql(object_type, object_id, names):
            con.execute(render(statement))


# -- reading --------------------------------------------------------------------------------------
class Build:
    """One object's built cases: the build's id, its score names (the measures' order) and its
    totals over all its traces."""

    def __init__(
        self,
        build: str,
        names: Sequence[str],
        traces: int,
        sums: Sequence[float | None],
        counts: Sequence[int],
    ) -> None:
        self.build = build
        self.names = list(names)
        self.traces = traces
        self.sums = list(sums)
        self.counts = list(counts)

    def position(self, column: str, name: str) -> int | None:
        """The 1-based position of a score (`column` "scores") or metric in this build's lists."""
        if column == "scores":
            return self.names.index(name) + 1 if name in self.names else None
        return len(self.names) + METRIC_NAMES.index(name) + 1 if name in METRIC_NAMES else None

    def total(self, column: str, name: str) -> tuple[float | None, int]:
        """The mean of a measure over the object's traces, and how many traces have a value."""
        at = self.position(column, name)
        if at is None or not self.counts[at - 1]:
            return None, 0
        return self.sums[at - 1] / self.counts[at - 1], self.counts[at - 1]  # type: ignore[operator]


_BUILDS_READ = ("object_id", "build", "names", "traces", "sums", "counts")


def builds(con: duckdb.DuckDBPyConnection, object_type: str, object_ids: Sequence[str]) -> dict[str, Build]:
    query = exp.select(*[_col(c) for c in _BUILDS_READ]).from_(BUILDS).where(_of(object_type, object_ids))
    return {str(r[0]): Build(*r[1:]) for r in con.execute(render(query)).fetchall()}


def _index(built: Mapping[str, Build], column: str, name: str) -> exp.Expr:
    """A measure's position in each object's lists: one number when every build agrees (the usual
    case: the same scorers), else per object; NULL (no value) for an object without it."""
    at = {object_id: b.position(column, name) for object_id, b in built.items()}
    known = set(at.values())
    if len(known) == 1 and None not in known:
        return _num(next(iter(known)))  # type: ignore[arg-type]
    ifs = [exp.If(this=_col("object_id").eq(_str(i)), true=_num(p)) for i, p in at.items() if p is not None]
    return exp.Case(ifs=ifs) if ifs else exp.null()


def build_ids(built: Mapping[str, Build]) -> str:
    """The build ids of `built`, as the comparison statement reads them (ordered by object id)."""
    return ",".join(built[i].build for i in sorted(built))


def comparison_sql(
    object_type: str,
    base_id: str,
    object_ids: Sequence[str],
    measures: Sequence[tuple[str, str]],
    built: Mapping[str, Build],
) -> exp.Select:
    """Per object other than the base, for each measure j (a (`scores`|`metrics`, name) pair) the
    columns of `assay.store.duckdb.compare.CompareTrees.comparison_sql` that need the base: `up{j}`,
    `down{j}` (traces above / below the base's value of their test case: the cases of one trace,
    and each trial of the others), `n{j}`, `d{j}`, `sd{j}` (over matched test cases); and in every
    row `builds`, the build ids the statement read (compare with `build_ids`). Always one row at
    least (`object_id` NULL when no test case matched)."""
    ids = list(dict.fromkeys([base_id, *object_ids]))
    idx = [_index(built, column, name) for column, name in measures]
    J = range(len(measures))
    case_items: list[exp.Expr] = [
        _col("object_id"),
        exp.alias_(_col("match_key"), "k", quoted=True),
        exp.alias_(_col("traces"), "tr", quoted=True),
        _col("trials"),
        *[exp.alias_(_element(_col("means"), idx[j].copy()), f"v{j}", quoted=True) for j in J],
    ]
    cases = (
        exp.select(*case_items)
        .from_(CASES)
        .where(
            exp.and_(
                _of(object_type, ids), exp.Not(this=exp.Is(this=_col("match_key"), expression=exp.null()))
            )
        )
    )
    base = (
        exp.select(_col("k"), *[_col(f"v{j}") for j in J])
        .from_("c")
        .where(_col("object_id").eq(_str(base_id)))
    )

    def counted(cond: exp.Expr, name: str) -> exp.Expr:
        return exp.alias_(exp.CountIf(this=cond), name, quoted=True)

    def diff(j: int) -> exp.Expr:
        return exp.Sub(this=_col(f"v{j}", "x"), expression=_col(f"v{j}", "b"))

    alone = _col("tr", "x").eq(_num(1))
    pairs = (
        exp.select(
            exp.alias_(_col("object_id", "x"), "object_id", quoted=True),
            *[exp.alias_(exp.Count(this=diff(j)), f"n{j}", quoted=True) for j in J],
            *[exp.alias_(exp.Avg(this=diff(j)), f"d{j}", quoted=True) for j in J],
            *[exp.alias_(exp.func("stddev_samp", diff(j)), f"sd{j}", quoted=True) for j in J],
            *[counted(exp.and_(alone.copy(), _col(f"v{j}", "x") > _col(f"v{j}", "b")), f"up{j}") for j in J],
            *[
                counted(exp.and_(alone.copy(), _col(f"v{j}", "x") < _col(f"v{j}", "b")), f"down{j}")
                for j in J
            ],
        )
        .from_(exp.to_table("c").as_("x"))
        .join(exp.to_table("b").as_("b"), on=_col("k", "x").eq(_col("k", "b")))
        .where(_col("object_id", "x").neq(_str(base_id)))
        .group_by(_col("object_id", "x"))
    )
    each = (
        exp.select(
            _col("object_id"), _col("k"), exp.alias_(exp.func("unnest", _col("trials")), "t", quoted=True)
        )
        .from_("c")
        .where(exp.and_(_col("tr") > _num(1), _col("object_id").neq(_str(base_id))))
    )
    trials = exp.select(
        _col("object_id"),
        _col("k"),
        *[exp.alias_(_element(_col("t"), idx[j].copy()), f"v{j}", quoted=True) for j in J],
    ).from_(each.subquery("e"))
    per_trial = (
        exp.select(
            exp.alias_(_col("object_id", "x"), "object_id", quoted=True),
            *[counted(_col(f"v{j}", "x") > _col(f"v{j}", "b"), f"up{j}") for j in J],
            *[counted(_col(f"v{j}", "x") < _col(f"v{j}", "b"), f"down{j}") for j in J],
        )
        .from_(trials.subquery("x"))
        .join(exp.to_table("b").as_("b"), on=_col("k", "x").eq(_col("k", "b")))
        .group_by(_col("object_id", "x"))
    )

    def total(name: str) -> exp.Expr:
        both = exp.Add(
            this=exp.func("coalesce", _col(name, "p"), _num(0)),
            expression=exp.func("coalesce", _col(name, "r"), _num(0)),
        )
        return exp.alias_(both, name, quoted=True)

    read = exp.Subquery(this=exp.select(_BUILD_IDS.copy()).from_(BUILDS).where(_of(object_type, ids)))
    snapshot = exp.select(exp.alias_(read, "builds", quoted=True))  # one row, whatever matched
    out = (
        exp.select(
            _col("builds", "q"),
            exp.alias_(_col("object_id", "p"), "object_id", quoted=True),
            *[total(f"{p}{j}") for p in ("up", "down") for j in J],
            *[_col(f"{p}{j}", "p") for p in ("n", "d", "sd") for j in J],
        )
        .from_(snapshot.subquery("q"))
        .join(exp.to_table("p").as_("p"), on=exp.true(), join_type="left")
        .join(
            exp.to_table("r").as_("r"), on=_col("object_id", "p").eq(_col("object_id", "r")), join_type="left"
        )
    )
    for name, cte in (("c", cases), ("b", base), ("p", pairs), ("r", per_trial)):
        out = out.with_(name, as_=cte)
    return out


# A backend's way to run one rendered statement: (column names, rows).
Run = Callable[[str], tuple[list[str], list[tuple[Any, ...]]]]


def compare_experiments(
    run: Run,
    object_type: str,
    base_id: str,
    object_ids: Sequence[str],
    metrics: Sequence[str],
    built: Mapping[str, Build],
) -> dict[str, ExperimentComparison] | None:
    """`assay.store.duckdb.compare.compare_experiments` (default key, no filter, no aggregate
    scores) over the built cases of every object; None when a build changed since `built` was
    read (read the builds again)."""
    ids = list(dict.fromkeys([base_id, *object_ids]))
    names = sorted({n for b in built.values() for n in b.names})
    measures = [("scores", n) for n in names] + [("metrics", m) for m in metrics]
    # A measure no trace has a value for is left out (its figures are those of no values).
    present = [m for m in measures if any(b.total(*m)[1] for b in built.values())]
    columns, rows = run(render(comparison_sql(object_type, base_id, ids, present, built)))
    if not rows or rows[0][0] != build_ids(built):
        return None
    against = {str(r[1]): dict(zip(columns, r, strict=True)) for r in rows if r[1] is not None}
    parts = ("mean", "count", "up", "down", "n", "d", "sd")
    keys = ["object_id", "traces", *[f"{p}{j}" for j in range(len(present)) for p in parts]]
    out: list[tuple[Any, ...]] = []
    for object_id in ids:
        b = built[object_id]
        if not b.traces:
            continue  # as when grouping traces: an experiment without traces has no row
        row: dict[str, Any] = {"object_id": object_id, "traces": b.traces, **against.get(object_id, {})}
        for j, measure in enumerate(present):
            row[f"mean{j}"], row[f"count{j}"] = b.total(*measure)
        out.append(tuple(row.get(k) for k in keys))
    return compare.comparisons(keys, out, present)


def stored_cases(
    object_type: str, object_id: str, scores: Sequence[str], metrics: Sequence[str], grouped: exp.Select
) -> exp.Select:
    """`CompareTrees.cases` (rows `match_key`, `id`, `traces`, `s{j}`, `m{k}`) read from the object's
    built cases; `grouped` (the same rows grouped from its trace summaries) when it has no build
    in the statement's snapshot, so the statement is right whether or not the cases are built."""
    names = _col("names", "b")
    items: list[exp.Expr] = [
        _col("match_key", "c"),
        _col("id", "c"),
        _col("traces", "c"),
        *[
            exp.alias_(
                _element(
                    _col("means", "c"),
                    exp.Anonymous(this="list_position", expressions=[names.copy(), _str(n)]),
                ),
                f"s{j}",
                quoted=True,
            )
            for j, n in enumerate(scores)
        ],
        *[
            exp.alias_(
                _element(
                    _col("means", "c"),
                    exp.Add(this=exp.func("len", names.copy()), expression=_num(METRIC_NAMES.index(m) + 1)),
                ),
                f"m{k}",
                quoted=True,
            )
            for k, m in enumerate(metrics)
        ],
    ]
    same = exp.and_(
        _col("object_type", "b").eq(_col("object_type", "c")),
        _col("object_id", "b").eq(_col("object_id", "c")),
    )
    cached = (
        exp.select(*items)
        .from_(exp.to_table(CASES).as_("c"))
        .join(exp.to_table(BUILDS).as_("b"), on=same)
        .where(
            exp.and_(
                _of(object_type, [object_id], "c"),
                exp.Not(this=exp.Is(this=_col("match_key", "c"), expression=exp.null())),
            )
        )
    )
    built = exp.select("1").from_(BUILDS).where(_of(object_type, [object_id]))
    unbuilt = grouped.where(exp.Not(this=exp.Exists(this=built)), copy=False)
    return exp.union(cached, unbuilt, distinct=False, copy=False)  # type: ignore[return-value]

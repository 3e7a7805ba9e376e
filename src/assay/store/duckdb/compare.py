"""Comparing experiments in DuckDB: test cases matched by comparison key, over stored trace summaries.

A *test case* of an experiment is the set of its traces that share one comparison-key value; its
value for a score or metric is the mean over those traces (several traces per key are trials).
Everything that compares experiments reads the trees built here: the paired statistics of
`DuckDBStore.compare_experiments`, the `compare =>` source of the query layer, and histograms.

Statements are sqlglot trees: names of scores and metrics and object ids enter as literals, and
the comparison key arrives already compiled by the query layer (`assay.query.compile_key`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlglot
from sqlglot import exp

from assay.store.base import CaseValues, ExperimentComparison, MeasureComparison, ObjectRef

SUMMARIES = "trace_summaries"
KEY = "match_key"


def _col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table, quoted=True)


def _str(value: str) -> exp.Literal:
    return exp.Literal.string(value)


def _num(value: int | float) -> exp.Expr:
    return exp.Literal.number(value)


# A 128-bit key's decimal digits, as CAST(key AS VARCHAR) spells them at a fifteenth of its cost:
# DuckDB converts a UHUGEINT to text in about 50 µs (a comparison's page of 23,000 rows spent 1.2 s
# CPU there), a HUGEINT in well under 1 µs. Keys of 2^127 and above print their tenth and last digit.
_KEY_TEXT = sqlglot.parse_one(
    """CASE WHEN __key < CAST('170141183460469231731687303715884105728' AS UHUGEINT)
            THEN CAST(CAST(__key AS HUGEINT) AS VARCHAR)
            ELSE CAST(CAST(__key // 10 AS HUGEINT) AS VARCHAR) || CAST(CAST(__key % 10 AS TINYINT) AS VARCHAR)
       END""",
    dialect="duckdb",
)


class CompareTrees:
    """The statements that compare experiments, spelled for DuckDB; the PostgreSQL backend
    subclasses this and overrides what it spells differently (maps, keys, unnesting)."""

    dialect = "duckdb"
    stored_cases = True  # `cases` of the default key read the stored test cases (`cases.py`) when built

    def render(self, tree: exp.Expr) -> str:
        return tree.sql(dialect=self.dialect, comments=False)

    def match_key(self, parts: Sequence[exp.Expr]) -> exp.Expr:
        """A trace's key from the compiled parts of a comparison key: the md5 of their JSON text, as a
        128-bit number (joins and groups on it cost a fraction of what 32-character text does).

        NULL when every part is NULL: such a trace matches nothing. (The default key, the whole
        `input`, is stored with each trace summary instead; see `traces.trace_summary_sql`.)
        """
        jsons: list[exp.Expr] = [exp.func("to_json", p.copy()) for p in parts]
        text = jsons[0] if len(jsons) == 1 else exp.func("to_json", exp.func("list_value", *jsons))
        digest = exp.func("md5_number", exp.Cast(this=text, to=exp.DataType.build("VARCHAR")))
        if len(parts) == 1:
            return digest
        all_null = exp.and_(*[exp.Is(this=p.copy(), expression=exp.Null()) for p in parts])
        return exp.Case(ifs=[exp.If(this=all_null, true=exp.Null())], default=digest)

    def text_key(self, query: exp.Select) -> exp.Select:
        """`query`'s rows with `match_key` as text: how the query language shows the key (its
        decimal digits, `_KEY_TEXT`)."""
        key = _KEY_TEXT.transform(lambda n: _col(KEY) if n == exp.column("__key") else n)
        return exp.select(exp.Star(replace=[exp.alias_(key, KEY, quoted=True)])).from_(
            query.subquery("keyed")
        )

    def key_literal(self, text: str) -> exp.Expr | None:
        """A key as the query language shows it (`text_key`), back as a stored key; None when
        `text` cannot be one (it then matches nothing)."""
        if not text.isdigit() or len(text) > 39:
            return None
        return exp.Cast(this=_str(text), to=exp.DataType.build("UHUGEINT", dialect="duckdb"))

    def objects(self, object_type: str, object_ids: Sequence[str], table: str | None = None) -> exp.Expr:
        ids: list[exp.Expr] = [_str(i) for i in object_ids] or [exp.Null()]
        return exp.and_(_col("object_type", table).eq(_str(object_type)), _col("object_id", table).isin(*ids))

    def summaries(
        self, object_type: str, object_ids: Sequence[str], key: Sequence[exp.Expr] | None
    ) -> exp.Select:
        """The stored summaries of these objects, `match_key` computed from `key` when one is given."""
        star = exp.Star(replace=[exp.alias_(self.match_key(key), KEY, quoted=True)]) if key else exp.Star()
        return exp.select(star).from_(SUMMARIES).where(self.objects(object_type, object_ids))

    def entry(self, column: str, name: str) -> exp.Expr:
        return exp.Bracket(this=_col(column), expressions=[_str(name)])

    def named_map(self, column: str, names: Sequence[str]) -> exp.Expr:
        """MAP(names, [avg(column[name]) …]). Building MAPs costs about 20 µs a row in DuckDB, so the
        per-name columns of `cases` are the fast path; this is for whole-map reads only."""
        keys = exp.Array(expressions=[_str(n) for n in names])
        values = exp.Array(expressions=[exp.Avg(this=self.entry(column, n)) for n in names])
        return exp.func("map", keys, values)

    def cases(
        self,
        object_type: str,
        object_id: str,
        key: Sequence[exp.Expr] | None,
        *,
        scores: Sequence[str] = (),
        metrics: Sequence[str] = (),
        all_scores: bool = False,
        all_metrics: Sequence[str] = (),
    ) -> exp.Select:
        """One row per test case of one object: `match_key`, `id` (one of its traces: the smallest id),
        `traces`, and the means over its traces of each named score (`s0`, `s1`, … in the order of
        `scores`) and metric (`m0`, …). `all_scores` adds `scores`, a MAP of every score found, and
        `all_metrics` a MAP `metrics` of those metrics (both far slower: read whole maps only when
        asked to)."""
        rows = self.summaries(object_type, [object_id], key).subquery("s")
        items: list[exp.Expr] = [
            _col(KEY),
            exp.alias_(exp.Min(this=_col("id")), "id", quoted=True),
            exp.alias_(exp.Count(this=exp.Star()), "traces", quoted=True),
            *[
                exp.alias_(exp.Avg(this=self.entry("scores", n)), f"s{j}", quoted=True)
                for j, n in enumerate(scores)
            ],
            *[
                exp.alias_(exp.Avg(this=self.entry("metrics", n)), f"m{k}", quoted=True)
                for k, n in enumerate(metrics)
            ],
        ]
        if all_metrics:
            items.append(exp.alias_(self.named_map("metrics", all_metrics), "metrics", quoted=True))
        found = (
            exp.select(*items)
            .from_(rows)
            .where(exp.Not(this=exp.Is(this=_col(KEY), expression=exp.Null())))
            .group_by(_col(KEY))
        )
        if not all_scores:
            if key is None and not all_metrics and self.stored_cases:
                from assay.store.duckdb import cases as stored  # here: it imports this module

                return stored.stored_cases(object_type, object_id, scores, metrics, found)
            return found
        keyed = (
            exp.select("*")
            .from_(self.summaries(object_type, [object_id], key).subquery("s"))
            .where(exp.Not(this=exp.Is(this=_col(KEY), expression=exp.Null())))
        )
        per_name = (
            exp.select(_col(KEY), exp.column("k"), exp.alias_(exp.Avg(this=exp.column("v")), "v"))
            .from_(self.score_entries(keyed, [KEY]).subquery("entries"))
            .group_by(_col(KEY), exp.column("k"))
        )
        whole = (
            exp.select(_col(KEY), exp.alias_(self.map_agg(exp.column("k"), exp.column("v")), "scores"))
            .from_(per_name.subquery("per_name"))
            .group_by(_col(KEY))
        )
        return (
            exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("named")), _col("scores", "whole"))
            .from_(found.subquery("named"))
            .join(whole.subquery("whole"), on=_col(KEY, "named").eq(_col(KEY, "whole")), join_type="left")
        )

    def keyed_cases(
        self,
        object_type: str,
        object_ids: Sequence[str],
        key: Sequence[exp.Expr] | None,
        keys: Sequence[str],
        scores: Sequence[str],
        metrics: Sequence[str],
    ) -> exp.Select:
        """The test cases of these objects with these keys: `object_id`, `match_key` (as text),
        `traces`, `id` (the smallest), `s{j}` and `m{k}` (means of the named scores and metrics).
        The keys are compared as stored (a text comparison would convert every row's key)."""
        wanted = [lit for lit in (self.key_literal(k) for k in keys) if lit is not None] or [exp.Null()]
        rows = (
            exp.select("*")
            .from_(self.summaries(object_type, object_ids, key).subquery("s"))
            .where(_col(KEY).isin(*wanted))
        )
        items: list[exp.Expr] = [
            _col("object_id"),
            _col(KEY),
            exp.alias_(exp.Count(this=exp.Star()), "traces", quoted=True),
            exp.alias_(exp.Min(this=_col("id")), "id", quoted=True),
            *[
                exp.alias_(exp.Avg(this=self.entry("scores", n)), f"s{j}", quoted=True)
                for j, n in enumerate(scores)
            ],
            *[
                exp.alias_(exp.Avg(this=self.entry("metrics", n)), f"m{k}", quoted=True)
                for k, n in enumerate(metrics)
            ],
        ]
        grouped = exp.select(*items).from_(rows.subquery("k")).group_by(_col("object_id"), _col(KEY))
        return self.text_key(grouped)

    # -- paired statistics ------------------------------------------------------------------------
    def score_entries(self, rows: exp.Select, columns: Sequence[str]) -> exp.Select:
        """`columns` of each of `rows` with one row per entry of its `scores` map: `k` (the name),
        `v` (the value)."""
        entry = exp.alias_(exp.func("unnest", exp.func("map_entries", _col("scores"))), "e")
        unnested = exp.select(*[_col(c) for c in columns], entry).from_(rows.subquery("r"))
        return exp.select(
            *[_col(c) for c in columns],
            exp.alias_(exp.Dot(this=exp.column("e"), expression=exp.to_identifier("key")), "k"),
            exp.alias_(exp.Dot(this=exp.column("e"), expression=exp.to_identifier("value")), "v"),
        ).from_(unnested.subquery("u"))

    def map_agg(self, key: exp.Expr, value: exp.Expr) -> exp.Expr:
        """The aggregate building a map of `key` -> `value` over a group."""
        struct = exp.Struct(
            expressions=[
                exp.PropertyEQ(this=exp.to_identifier("key"), expression=key),
                exp.PropertyEQ(this=exp.to_identifier("value"), expression=value),
            ]
        )
        return exp.func("map_from_entries", exp.func("list", struct))

    def _stored(self, object_type: str, object_ids: Sequence[str]) -> exp.Select:
        return exp.select("*").from_(SUMMARIES).where(self.objects(object_type, object_ids))

    # -- paired statistics ------------------------------------------------------------------------
    def score_names_sql(self, object_type: str, object_ids: Sequence[str]) -> exp.Select:
        """Every score name seen in the summaries of these objects."""
        entries = self.score_entries(self._stored(object_type, object_ids), [])
        return (
            exp.select(exp.alias_(exp.column("k"), "name"))
            .distinct()
            .from_(entries.subquery("n"))
            .order_by(exp.column("name"))
        )

    def comparison_sql(
        self,
        object_type: str,
        base_id: str,
        object_ids: Sequence[str],
        key: Sequence[exp.Expr] | None,
        measures: Sequence[exp.Expr],
        where: exp.Expr | None = None,
    ) -> exp.Select:
        """One row per object (the base included): for each measure j (a score or metric expression
        over a summary row) the columns

          mean{j}, count{j}   mean over the object's traces, and how many traces have a value;
          up{j}, down{j}      traces above / below the base's value of their test case;
          n{j}, d{j}, sd{j}   over matched test cases: how many, the mean and the sample standard
                              deviation of (case value - the base's case value).

        The base's own row carries zeros and NULLs in the last five. One statement over the stored
        summaries; the test-case values are computed once and joined on the key.

        `where` (a condition over a summary row, as the table's filters compile) keeps the traces
        that count: every figure above is over the kept traces of each object, except the base's
        test-case values the others are measured against, which are over all its traces: the
        values a compared row shows (`compare =>`) and the table summary's comparison uses.
        """
        ids = list(dict.fromkeys([base_id, *object_ids]))
        v = [f"v{j}" for j in range(len(measures))]
        items: list[exp.Expr] = [
            _col("object_id"),
            exp.alias_(_col(KEY), "k", quoted=True),
            *[exp.alias_(m.copy(), v[j], quoted=True) for j, m in enumerate(measures)],
        ]
        if where is not None:
            kept = exp.func("coalesce", exp.Paren(this=where.copy()), exp.false())
            items.append(exp.alias_(kept, "kept", quoted=True))
        traces = exp.select(*items).from_(self.summaries(object_type, ids, key).subquery("s"))

        def per_case(*conds: exp.Expr) -> exp.Select:
            return (
                exp.select(
                    _col("object_id"),
                    _col("k"),
                    *[exp.alias_(exp.Avg(this=_col(c)), c, quoted=True) for c in v],
                )
                .from_("t")
                .where(exp.and_(exp.Not(this=exp.Is(this=_col("k"), expression=exp.Null())), *conds))
                .group_by(_col("object_id"), _col("k"))
            )

        is_kept = [_col("kept")] if where is not None else []
        case_values = per_case(*is_kept)
        of_base = _col("object_id").eq(_str(base_id))
        base = per_case(of_base) if where is not None else exp.select("*").from_("c").where(of_base.copy())
        means = (
            exp.select(
                _col("object_id"),
                exp.alias_(exp.Count(this=exp.Star()), "traces", quoted=True),
                *[exp.alias_(exp.Avg(this=_col(c)), f"mean{j}", quoted=True) for j, c in enumerate(v)],
                *[exp.alias_(exp.Count(this=_col(c)), f"count{j}", quoted=True) for j, c in enumerate(v)],
            )
            .from_("t")
            .group_by(_col("object_id"))
        )
        if where is not None:
            means = means.where(_col("kept"))

        def counted(cond: exp.Expr, name: str) -> exp.Expr:
            return exp.alias_(
                exp.Filter(this=exp.Count(this=exp.Star()), expression=exp.Where(this=cond)), name
            )

        not_base = _col("object_id", "x").neq(_str(base_id))
        ups = (
            exp.select(
                exp.alias_(_col("object_id", "x"), "object_id", quoted=True),
                *[counted(_col(c, "x") > _col(c, "b"), f"up{j}") for j, c in enumerate(v)],
                *[counted(_col(c, "x") < _col(c, "b"), f"down{j}") for j, c in enumerate(v)],
            )
            .from_(exp.to_table("t").as_("x"))
            .join(exp.to_table("b").as_("b"), on=_col("k", "x").eq(_col("k", "b")))
            .where(exp.and_(not_base, *([_col("kept", "x")] if where is not None else [])))
            .group_by(_col("object_id", "x"))
        )

        def diff(c: str) -> exp.Expr:
            return exp.Sub(this=_col(c, "x"), expression=_col(c, "b"))

        pairs = (
            exp.select(
                exp.alias_(_col("object_id", "x"), "object_id", quoted=True),
                *[exp.alias_(exp.Count(this=diff(c)), f"n{j}") for j, c in enumerate(v)],
                *[exp.alias_(exp.Avg(this=diff(c)), f"d{j}") for j, c in enumerate(v)],
                *[exp.alias_(exp.func("stddev_samp", diff(c)), f"sd{j}") for j, c in enumerate(v)],
            )
            .from_(exp.to_table("c").as_("x"))
            .join(exp.to_table("b").as_("b"), on=_col("k", "x").eq(_col("k", "b")))
            .where(not_base)
            .group_by(_col("object_id", "x"))
        )
        pick = [
            *[_col(f"{p}{j}", "r") for p in ("up", "down") for j in range(len(v))],
            *[_col(f"{p}{j}", "p") for p in ("n", "d", "sd") for j in range(len(v))],
        ]
        out = (
            exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("m")), *pick)
            .from_(exp.to_table("m").as_("m"))
            .join(
                exp.to_table("r").as_("r"),
                on=_col("object_id", "m").eq(_col("object_id", "r")),
                join_type="left",
            )
            .join(
                exp.to_table("p").as_("p"),
                on=_col("object_id", "m").eq(_col("object_id", "p")),
                join_type="left",
            )
        )
        for name, cte in (
            ("t", traces),
            ("c", case_values),
            ("b", base),
            ("m", means),
            ("r", ups),
            ("p", pairs),
        ):
            out = out.with_(name, as_=cte)
        return out

    # -- histograms ---------------------------------------------------------------------------------
    def histogram_sql(
        self, object_type: str, object_ids: Sequence[str], bins: int, where: exp.Expr | None = None
    ) -> exp.Select:
        """Per object and score: how many traces (those `where` keeps) fall in each of `bins` equal
        bins over [0, 1] (a trace's score is its mean over its spans; 1.0 falls in the last bin)."""
        stored = self._stored(object_type, object_ids)
        if where is not None:
            stored = stored.where(where.copy())
        values = self.score_entries(stored, ["object_id"])
        scaled = exp.Floor(this=exp.Mul(this=exp.column("v"), expression=_num(bins)))
        index = exp.func("greatest", _num(0), exp.func("least", scaled, _num(bins - 1)))
        return (
            exp.select(
                _col("object_id"),
                exp.alias_(exp.column("k"), "name"),
                exp.alias_(exp.Cast(this=index, to=exp.DataType.build("INT")), "bin"),
                exp.alias_(exp.Count(this=exp.Star()), "n"),
            )
            .from_(values.subquery("vals"))
            .where(exp.Not(this=exp.Is(this=exp.column("v"), expression=exp.Null())))
            .group_by(exp.Literal.number(1), exp.Literal.number(2), exp.Literal.number(3))
        )


DUCKDB = CompareTrees()


# -- running them (summaries must be fresh) ----------------------------------------------------
# A backend's way to run one rendered statement: (column names, rows).
Run = Callable[[str], tuple[list[str], list[tuple[Any, ...]]]]


def compare_experiments(
    run: Run,
    trees: CompareTrees,
    base: ObjectRef,
    others: Sequence[ObjectRef],
    key: Sequence[exp.Expr] | None,
    metrics: Sequence[str],
    where: exp.Expr | None = None,
    formulas: Mapping[str, exp.Expr] | None = None,
) -> dict[str, ExperimentComparison]:
    ids = list(dict.fromkeys([base.object_id, *(o.object_id for o in others)]))
    names = [str(r[0]) for r in run(trees.render(trees.score_names_sql(base.object_type, ids)))[1]]
    extra = {n: f for n, f in (formulas or {}).items() if n not in names}  # a logged score wins
    measures: list[tuple[str, str]] = [("scores", n) for n in [*names, *extra]] + [
        ("metrics", m) for m in metrics
    ]
    exprs = [extra[name] if name in extra else trees.entry(column, name) for column, name in measures]
    tree = trees.comparison_sql(base.object_type, base.object_id, ids, key, exprs, where)
    columns, rows = run(trees.render(tree))
    return comparisons(columns, rows, measures)


def comparisons(
    columns: Sequence[str], rows: Sequence[tuple[Any, ...]], measures: Sequence[tuple[str, str]]
) -> dict[str, ExperimentComparison]:
    """The rows of a comparison statement (`CompareTrees.comparison_sql`'s columns) per object;
    `measures` names measure j as (`scores`|`metrics`, name)."""
    out: dict[str, ExperimentComparison] = {}
    for values in rows:
        row = dict(zip(columns, values, strict=True))
        found = ExperimentComparison(int(row["traces"]), {}, {})
        for j, (column, name) in enumerate(measures):
            if not row[f"count{j}"]:
                continue  # the experiment has no such score (or metric)
            item = MeasureComparison(
                mean=_float(row[f"mean{j}"]),
                count=int(row[f"count{j}"]),
                higher=int(row[f"up{j}"] or 0),
                lower=int(row[f"down{j}"] or 0),
                pairs=int(row[f"n{j}"] or 0),
                mean_diff=_float(row[f"d{j}"]),
                sd_diff=_float(row[f"sd{j}"]),
            )
            (found.scores if column == "scores" else found.metrics)[name] = item
        out[str(row["object_id"])] = found
    return out


def test_cases(
    run: Run,
    trees: CompareTrees,
    refs: Sequence[ObjectRef],
    keys: Sequence[str],
    key: Sequence[exp.Expr] | None,
    scores: Sequence[str],
    metrics: Sequence[str],
) -> dict[tuple[str, str], CaseValues]:
    if not refs or not keys:
        return {}
    ids = [r.object_id for r in refs]
    tree = trees.keyed_cases(refs[0].object_type, ids, key, keys, scores, metrics)
    columns, rows = run(trees.render(tree))
    out: dict[tuple[str, str], CaseValues] = {}
    for values in rows:
        row = dict(zip(columns, values, strict=True))
        out[(str(row["object_id"]), str(row[KEY]))] = CaseValues(
            traces=int(row["traces"]),
            id=str(row["id"]),
            scores={n: _float(row[f"s{j}"]) for j, n in enumerate(scores)},
            metrics={n: _float(row[f"m{k}"]) for k, n in enumerate(metrics)},
        )
    return out


def score_names(run: Run, trees: CompareTrees, refs: Sequence[ObjectRef]) -> list[str]:
    sql = trees.render(trees.score_names_sql(refs[0].object_type, [r.object_id for r in refs]))
    return [str(r[0]) for r in run(sql)[1]]


def score_histograms(
    run: Run, trees: CompareTrees, refs: Sequence[ObjectRef], bins: int, where: exp.Expr | None = None
) -> dict[str, dict[str, list[int]]]:
    out: dict[str, dict[str, list[int]]] = {r.object_id: {} for r in refs}
    if not refs:
        return out
    sql = trees.render(trees.histogram_sql(refs[0].object_type, [r.object_id for r in refs], bins, where))
    for object_id, name, index, count in run(sql)[1]:
        out[object_id].setdefault(name, [0] * bins)[int(index)] = int(count)
    return out


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]

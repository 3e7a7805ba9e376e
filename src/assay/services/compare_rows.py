"""The experiment table in comparison mode: each row with every compared experiment's test case.

The table lists the traces of one experiment (the one opened) with the usual filters, search and
sort. Each row also carries, for the base and every other compared experiment, the values of the
test case with the row's comparison key and the deltas against the base; the page can be narrowed
to the rows where one experiment improved or regressed on one score. Grid and diff mode ask for
each matched trace's fields too.

The statement is assembled as a tree of the query language (`compare => [...]`,
`comparisons[i].scores.<name>`) from parsed pieces and run by `assay.query.run_query`, which checks
and compiles it like any query: nothing here writes backend SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal, cast

from pydantic import BaseModel, Field
from sqlglot import exp

from assay.model.comparison import (
    ComparedCase,
    ComparedExperiment,
    CompareRow,
    CompareRowsPage,
)
from assay.model.errors import InvalidInput
from assay.model.metrics import TABLE_METRICS
from assay.query import Source
from assay.query.compile import encode_cursor
from assay.query.parse import ParsedQuery
from assay.services import compare_filters, comparison_key
from assay.services.aggregates import expand
from assay.services.auth import Principal
from assay.services.catalog import get_object
from assay.services.compare_filters import CompareSummaryQuery
from assay.services.context import Services
from assay.services.queries import run_parsed
from assay.services.table_query import Built
from assay.store.base import ObjectRef
from assay.store.columns import TABLE_FIELDS

FIELDS = ("input", "output", "expected", "metadata", "error")


class ChangeFilter(BaseModel):
    """Only the rows whose test case improved (or regressed) in one experiment against the base."""

    experiment_id: str = Field(description="The table's experiment or one of `experiment_ids`")
    name: str = Field(description="A score (or metric) name")
    kind: Literal["score", "metric"] = "score"
    direction: Literal["improvements", "regressions"]


class CompareQuery(CompareSummaryQuery):
    """A table state plus the comparison, and optionally only the rows that changed."""

    change: ChangeFilter | None = None


class CompareRowsQuery(CompareQuery):
    offset: int = Field(0, ge=0)
    limit: int = Field(100, ge=1, le=1000)
    with_total: bool = True
    with_fields: bool = Field(
        False, description="Add each matched trace's input, output, expected, metadata, error"
    )


class CompareGroupsQuery(CompareQuery):
    group_by: str = Field(description="A column path, e.g. metadata.category")


@dataclass
class Setup:
    table: dict[str, Any]  # the experiment whose rows are listed
    order: list[dict[str, Any]]  # compared experiments, the base first
    compare_ids: list[str]  # `compare => [...]`: every compared experiment but the table's own
    scores: list[str]
    key: str  # the project's comparison key
    built: Built  # the table state's filters, search, sort and custom columns, parsed

    @property
    def base_id(self) -> str:
        return str(self.order[0]["id"])

    def index(self, experiment_id: str) -> int | None:
        """Position in `compare => [...]`, None for the table's own experiment."""
        return None if experiment_id == self.table["id"] else self.compare_ids.index(experiment_id)

    def source(self, experiment_id: str | None = None, compare_ids: list[str] | None = None) -> Source:
        """Summary rows of the table's experiment (or another) with these experiments compared."""
        key = None if self.key == comparison_key.DEFAULT_KEY else self.key
        ids = self.compare_ids if compare_ids is None else compare_ids
        return Source("experiment", (experiment_id or self.table["id"],), "summary", tuple(ids), key)


def setup(svc: Services, who: Principal, experiment_id: str, q: CompareQuery) -> Setup:
    """Check the comparison (readable experiments of one project, at most 8) and parse the table state."""
    if q.row_type != "traces":
        raise InvalidInput("comparisons need trace rows (row_type 'traces'), as in the reference")
    c = compare_filters.resolve(svc, who, experiment_id, q)
    table = get_object(svc, who, "experiment", experiment_id)
    built = Built(q, compare_filters.aggregates(svc, c))  # filters may name aggregate scores
    compare_ids = [e["id"] for e in c.experiments if e["id"] != table["id"]]
    scores = svc.store.score_names(c.refs)
    return Setup(table, c.experiments, compare_ids, scores, c.key, built)


# -- the query-language tree --------------------------------------------------------------------
def _path(*parts: str | int) -> exp.Expr:
    """A field path as the parser would build it: `a.b."c d"`, `comparisons[0].scores.x`."""
    node: exp.Expr = exp.column(str(parts[0]))
    for part in parts[1:]:
        if isinstance(part, int):
            node = exp.Bracket(this=node, expressions=[exp.Literal.number(part)])
        else:
            node = exp.Dot(this=node, expression=exp.to_identifier(part, quoted=True))
    return node


def _value(s: Setup, experiment_id: str, kind: str, name: str) -> exp.Expr:
    """A score or metric of the row's test case in one compared experiment."""
    column = "scores" if kind == "score" else "metrics"
    i = s.index(experiment_id)
    return _path(column, name) if i is None else _path("comparisons", i, column, name)


def _change(s: Setup, change: ChangeFilter) -> exp.Expr:
    ids = [e["id"] for e in s.order]
    if change.experiment_id not in ids or change.experiment_id == s.base_id:
        raise InvalidInput("change.experiment_id must be one of the compared experiments other than the base")
    mine = _value(s, change.experiment_id, change.kind, change.name)
    base = _value(s, s.base_id, change.kind, change.name)
    higher = (change.direction == "improvements") == (change.kind == "score")
    return exp.GT(this=mine, expression=base) if higher else exp.LT(this=mine, expression=base)


def _select(s: Setup, items: list[exp.Expr], change: ChangeFilter | None) -> exp.Select:
    select = s.built.select(items)
    return select.where(_change(s, change)) if change is not None else select


def _expanded(s: Setup, select: exp.Select) -> exp.Select:
    """Aggregate scores read as scores wherever the statement names them (filters, sort)."""
    return cast(exp.Select, expand(select, s.built.aggregates))


@dataclass(frozen=True)
class _Column:
    """A selected value of a compared experiment: its alias in the statement and what it is."""

    alias: str
    experiment_id: str
    part: str  # "scores" | "metrics" | "id" | "traces"
    name: str = ""


def _compared_columns(s: Setup) -> list[tuple[_Column, exp.Expr]]:
    out: list[tuple[_Column, exp.Expr]] = []
    for i, experiment_id in enumerate(s.compare_ids):
        for j, name in enumerate(s.scores):
            column = _Column(f"__c{i}_s{j}", experiment_id, "scores", name)
            out.append((column, _path("comparisons", i, "scores", name)))
        for k, name in enumerate(TABLE_METRICS):
            column = _Column(f"__c{i}_m{k}", experiment_id, "metrics", name)
            out.append((column, _path("comparisons", i, "metrics", name)))
        out.append((_Column(f"__c{i}_id", experiment_id, "id"), _path("comparisons", i, "id")))
        out.append((_Column(f"__c{i}_t", experiment_id, "traces"), _path("comparisons", i, "traces")))
    return out


def _items(s: Setup) -> list[exp.Expr]:
    items: list[exp.Expr] = [exp.column(f) for f in TABLE_FIELDS["traces"]]
    items.append(exp.alias_(exp.column("match_key"), "match_key", quoted=True))
    items += [exp.alias_(expr.copy(), name, quoted=True) for name, expr in s.built.custom.items()]
    return items


def _paged(s: Setup, select: exp.Select, q: CompareRowsQuery) -> exp.Select:
    order = s.built.order(with_default=q.offset > 0)
    if order is not None:
        select.set("order", order)
    select.set("limit", exp.Limit(expression=exp.Literal.number(q.limit)))
    return _expanded(s, select)


def rows_statement(s: Setup, q: CompareRowsQuery) -> tuple[exp.Select, list[_Column]]:
    """One statement: the rows joined with every compared experiment's test cases. Needed when the
    filter or sort reads the comparison; it aggregates every test case of every experiment."""
    compared = _compared_columns(s)
    items = _items(s) + [exp.alias_(expr, col.alias, quoted=True) for col, expr in compared]
    return _paged(s, _select(s, items, q.change), q), [c for c, _ in compared]


def _reads_comparisons(s: Setup, q: CompareRowsQuery) -> bool:
    """Whether a filter, the sort or a custom column reads `comparisons[…]` or `comparison_scores`."""
    trees = [*s.built.where, *s.built.custom.values(), *(s.built.column(k.column) for k in q.sort)]
    roots = {"comparisons", "comparison_scores"}
    return q.change is not None or any(
        col.parts and col.parts[0].name in roots for t in trees for col in t.find_all(exp.Column)
    )


Sides = dict[str, dict[str, Any]]  # experiment id -> {id, traces, scores, metrics} of the row's case


def _joined_sides(s: Setup, record: dict[str, Any], columns: Sequence[_Column]) -> Sides:
    sides: Sides = {e: {"id": None, "traces": 0, "scores": {}, "metrics": {}} for e in s.compare_ids}
    for col in columns:
        value = record.pop(col.alias)
        side = sides[col.experiment_id]
        if col.part in ("scores", "metrics"):
            side[col.part][col.name] = value
        else:
            side[col.part] = value
    return sides


def _looked_up(svc: Services, s: Setup, keys: list[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """The compared experiments' test cases with these keys: one grouped statement over just the
    traces with a page's keys (`Store.test_cases`), instead of every test case of every experiment."""
    if not keys or not s.compare_ids:
        return {}
    found = svc.store.test_cases(
        [ObjectRef("experiment", e) for e in s.compare_ids],
        keys,
        key=comparison_key.compiled(s.key, svc.store.dialect),
        scores=s.scores,
        metrics=TABLE_METRICS,
    )
    return {
        k: {"id": c.id, "traces": c.traces, "scores": c.scores, "metrics": c.metrics}
        for k, c in found.items()
    }


def _run(svc: Services, select: exp.Select, source: Source, offset: int = 0) -> list[dict[str, Any]]:
    cursor = encode_cursor({"o": offset}) if offset else None
    return run_parsed(svc, ParsedQuery(select), source, cursor=cursor).rows


def count(svc: Services, who: Principal, experiment_id: str, q: CompareQuery) -> int:
    return _count(svc, setup(svc, who, experiment_id, q), q)


def _count(svc: Services, s: Setup, q: CompareQuery) -> int:
    select = _expanded(s, _select(s, [exp.alias_(exp.Count(this=exp.Star()), "n")], q.change))
    source = s.source() if q.change is not None else s.source(compare_ids=[])
    found = _run(svc, select, source)
    return int(found[0]["n"]) if found else 0


def page(svc: Services, who: Principal, experiment_id: str, q: CompareRowsQuery) -> CompareRowsPage:
    """One page of the table's rows, each with every compared experiment's test case and deltas.

    When nothing filters or sorts by the comparison (the usual first page), the page is read like
    the plain table (the query layer's fast keyed page) and the compared test cases of just its
    keys are looked up next; otherwise one statement joins every test case."""
    s = setup(svc, who, experiment_id, q)
    joined = _reads_comparisons(s, q)
    columns: list[_Column] = []
    if joined:
        select, columns = rows_statement(s, q)
        source = s.source()
    else:
        select, source = _paged(s, s.built.select(_items(s)), q), s.source(compare_ids=[])
    with ThreadPoolExecutor(max_workers=2) as pool:
        found = pool.submit(_run, svc, select, source, q.offset)
        total = pool.submit(_count, svc, s, q) if q.with_total else None
        records = found.result()
        counted = total.result() if total is not None else None
    if joined:
        sides = [_joined_sides(s, r, columns) for r in records]
    else:
        keys = sorted({str(r["match_key"]) for r in records if r.get("match_key") is not None})
        cases = _looked_up(svc, s, keys)
        empty: dict[str, Any] = {
            "id": None,
            "traces": 0,
            "scores": dict.fromkeys(s.scores),
            "metrics": dict.fromkeys(TABLE_METRICS),
        }
        sides = [{e: cases.get((e, str(r.get("match_key"))), empty) for e in s.compare_ids} for r in records]
    fields = _fields(svc, s, sides) if q.with_fields else None
    rows = [_row(s, r, side, fields) for r, side in zip(records, sides, strict=True)]
    return CompareRowsPage(experiments=experiments_of(s), rows=rows, total=counted, offset=q.offset)


def experiments_of(s: Setup) -> list[ComparedExperiment]:
    return [
        ComparedExperiment(
            id=e["id"],
            name=e["name"],
            role="base" if i == 0 else "comparison",
            created=e.get("created"),
            traces=0,
        )
        for i, e in enumerate(s.order)
    ]


def _row(
    s: Setup,
    record: dict[str, Any],
    sides: Sides,
    fields: dict[tuple[str, str], dict[str, Any]] | None,
) -> CompareRow:
    sides = dict(sides)
    match_key = record.pop("match_key")
    own_metrics = record.get("metrics") or {}
    sides[s.table["id"]] = {
        "id": record["id"],
        "traces": 1,
        "scores": dict(record.get("scores") or {}),
        "metrics": {m: own_metrics.get(m) for m in TABLE_METRICS},
    }
    base = sides[s.base_id]
    cases = []
    for e in s.order:
        side = sides[e["id"]]
        is_base = e["id"] == s.base_id
        cases.append(
            ComparedCase(
                experiment_id=e["id"],
                id=side["id"],
                traces=int(side["traces"] or 0),
                scores=side["scores"],
                metrics=side["metrics"],
                score_deltas={} if is_base else _deltas(side["scores"], base["scores"]),
                metric_deltas={} if is_base else _deltas(side["metrics"], base["metrics"]),
                fields=_side_fields(s, e["id"], side["id"], record, fields),
            )
        )
    return CompareRow(row=record, match_key=match_key, experiments=cases)


def _deltas(mine: dict[str, Any], base: dict[str, Any]) -> dict[str, float | None]:
    return {
        name: (value - base[name]) if value is not None and base.get(name) is not None else None
        for name, value in mine.items()
    }


def _side_fields(
    s: Setup,
    experiment_id: str,
    trace_id: str | None,
    record: dict[str, Any],
    fields: dict[tuple[str, str], dict[str, Any]] | None,
) -> dict[str, Any] | None:
    if fields is None:
        return None
    if experiment_id == s.table["id"]:
        return {f: record.get(f) for f in FIELDS}
    return fields.get((experiment_id, trace_id)) if trace_id else None


def _fields(svc: Services, s: Setup, sides: list[Sides]) -> dict[tuple[str, str], dict[str, Any]]:
    """input/output/expected/metadata/error of every matched trace on the page, by (experiment, id)."""
    ids = {str(side["id"]) for row in sides for side in row.values() if side.get("id")}
    out: dict[tuple[str, str], dict[str, Any]] = {}
    if s.compare_ids and ids:
        items: list[exp.Expr] = [exp.column(f) for f in ("experiment_id", "id", *FIELDS)]
        select = (
            exp.select(*items)
            .where(exp.column("id").isin(*[exp.Literal.string(i) for i in sorted(ids)]))
            .limit(len(ids) * len(s.compare_ids))
        )
        source = Source("experiment", tuple(s.compare_ids), "summary")
        for r in _run(svc, select, source):
            out[(r["experiment_id"], r["id"])] = {f: r.get(f) for f in FIELDS}
    return out

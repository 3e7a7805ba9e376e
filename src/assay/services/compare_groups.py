"""Groups of a comparison: per group, every compared experiment's counts, means, and its
improvements and regressions against the base.

Each experiment is grouped over its own traces (the group expression, filters and search apply to
each experiment's rows), and its traces are set against the base's value of their test case, so a
group's counts add up to that experiment's counts in the comparison summary. One query-language
statement per experiment, run side by side.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import orjson
from sqlglot import exp

from assay.model.comparison import CompareGroup, CompareGroups, GroupOfExperiment
from assay.model.metrics import TABLE_METRICS
from assay.services.auth import Principal
from assay.services.compare_rows import (
    CompareGroupsQuery,
    Setup,
    _expanded,
    _path,
    _run,
    experiments_of,
    setup,
)
from assay.services.context import Services

MAX_GROUPS = 1000


def _one(s: Setup, q: CompareGroupsQuery, experiment_id: str) -> exp.Select:
    """One experiment's groups; the others' traces are set against the base's case values."""
    is_base = experiment_id == s.base_id
    items: list[exp.Expr] = [
        exp.alias_(s.built.column(q.group_by), "group", quoted=True),
        exp.alias_(exp.Count(this=exp.Star()), "n", quoted=True),
    ]
    for j, name in enumerate(s.scores):
        items.append(exp.alias_(exp.Avg(this=_path("scores", name)), f"s{j}", quoted=True))
        if not is_base:
            mine, base = _path("scores", name), _path("comparisons", 0, "scores", name)
            for alias, cond in (
                (f"u{j}", exp.GT(this=mine, expression=base)),
                (f"d{j}", exp.LT(this=mine.copy(), expression=base.copy())),
            ):
                case = exp.Case(
                    ifs=[exp.If(this=cond, true=exp.Literal.number(1))], default=exp.Literal.number(0)
                )
                items.append(exp.alias_(exp.Sum(this=case), alias, quoted=True))
    for k, name in enumerate(TABLE_METRICS):
        items.append(exp.alias_(exp.Avg(this=_path("metrics", name)), f"m{k}", quoted=True))
    # The change filter narrows the table's rows; groups describe every experiment's own rows.
    select = s.built.select(items)
    one = exp.Literal.number(1)
    select.set("group", exp.Group(expressions=[one]))
    select.set("order", exp.Order(expressions=[exp.Ordered(this=one.copy(), nulls_first=False)]))
    return _expanded(s, select.limit(MAX_GROUPS))


def groups(svc: Services, who: Principal, experiment_id: str, q: CompareGroupsQuery) -> CompareGroups:
    s = setup(svc, who, experiment_id, q)
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {}
        for e in s.order:
            others = [] if e["id"] == s.base_id else [s.base_id]
            futures[e["id"]] = pool.submit(_run, svc, _one(s, q, e["id"]), s.source(e["id"], others))
        found = {eid: f.result() for eid, f in futures.items()}
    merged: dict[str, tuple[Any, dict[str, GroupOfExperiment]]] = {}
    for eid in [s.table["id"], *(e["id"] for e in s.order)]:
        for r in found[eid]:
            key = orjson.dumps(r["group"]).decode()
            entry = merged.setdefault(key, (r["group"], {}))
            entry[1][eid] = _item(s, eid, r)
    out = [
        CompareGroup(group=value, experiments=[per.get(e["id"]) or _empty(s, e["id"]) for e in s.order])
        for value, per in merged.values()
    ]
    return CompareGroups(group_by=q.group_by, experiments=experiments_of(s), groups=out)


def _item(s: Setup, experiment_id: str, r: dict[str, Any]) -> GroupOfExperiment:
    is_base = experiment_id == s.base_id
    return GroupOfExperiment(
        experiment_id=experiment_id,
        count=int(r["n"]),
        scores={n: r.get(f"s{j}") for j, n in enumerate(s.scores)},
        metrics={n: r.get(f"m{k}") for k, n in enumerate(TABLE_METRICS)},
        improvements={} if is_base else {n: int(r.get(f"u{j}") or 0) for j, n in enumerate(s.scores)},
        regressions={} if is_base else {n: int(r.get(f"d{j}") or 0) for j, n in enumerate(s.scores)},
    )


def _empty(s: Setup, experiment_id: str) -> GroupOfExperiment:
    return GroupOfExperiment(
        experiment_id=experiment_id,
        count=0,
        scores={n: None for n in s.scores},
        metrics={n: None for n in TABLE_METRICS},
        improvements={},
        regressions={},
    )

"""Slices that underperform: metadata values, and pairs of values, whose scores are significantly
below the rest of the experiment (the answer to "what patterns do you see in the low-scoring
cases?").

One grouped statement per metadata key (and per pair of keys) returns count, sum and sum of
squares of every score per value; the rest of the experiment is the total minus the slice, so
each slice is tested against everything outside it (`two_sample.welch`) without another scan.
All slices of one analysis form one family for Holm's adjustment, so at the stated level the
chance of reporting any slice without a real effect is at most `alpha`.

A pair of values is reported only when it is worse than each of its two values alone: its mean is
significantly below the rest of each parent slice (the larger of the two p-values, Holm-adjusted
over all pairs); otherwise the single value explains it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from assay.model.errors import InvalidInput
from assay.services.analysis.models import (
    SkippedKey,
    Slice,
    SliceExample,
    SliceQuery,
    SliceReport,
    SliceValue,
)
from assay.services.analysis.scope import Scope, column_text, path
from assay.services.analysis.two_sample import Difference, Moments, holm, welch
from assay.services.table_query import Condition, condition

Key = tuple[Any, ...]  # the values of one slice, in the order of its keys


@dataclass
class _Tested:
    score: str
    keys: tuple[str, ...]
    values: Key
    group: Moments
    rest: Moments
    test: Difference
    # A pair: the p-value of "worse than the rest of each parent slice" (the larger of the two;
    # 1 when it is not worse). None for single values.
    beyond_parents: float | None = None


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _scalar(value: Any) -> bool:
    return type(value) in _SCALARS


# Above this many combinations of values, moments are read per key and per pair of keys instead of
# once per combination of all keys (which then sums into every single value and pair).
MAX_CELLS = 20_000
SAMPLE = 2000
OTHER = ("<object or list>",)  # a value that is not a slice (JSON objects and lists), hashable


def _measures(scores: list[str]) -> list[exp.Expr]:
    items: list[exp.Expr] = []
    for i, s in enumerate(scores):
        value = path("scores", s)
        items.append(exp.alias_(exp.Count(this=value.copy()), f"n{i}"))
        items.append(exp.alias_(exp.Sum(this=value.copy()), f"s{i}"))
        items.append(exp.alias_(exp.Sum(this=exp.Mul(this=value.copy(), expression=value.copy())), f"q{i}"))
    return items


def _statement(keys: tuple[str, ...], scores: list[str]) -> exp.Select:
    items: list[exp.Expr] = [exp.alias_(path("metadata", k), f"k{i}") for i, k in enumerate(keys)]
    select = exp.Select(expressions=items + _measures(scores))
    return select.group_by(*[exp.Literal.number(i + 1) for i in range(len(keys))])


def _sampled_values(scope: Scope, keys: list[str]) -> dict[str, int]:
    """Distinct values of each key among the first `SAMPLE` traces: a key with more than
    `max_values` there (an id, free text) is skipped without grouping every trace by it."""
    select = exp.select(exp.column("metadata")).limit(SAMPLE)
    seen: dict[str, set[str]] = {k: set() for k in keys}
    for r in scope.run(select):
        md = r.get("metadata")
        if isinstance(md, dict):
            for k in keys:
                if k in md:
                    seen[k].add(repr(md[k]))
    return {k: len(v) for k, v in seen.items()}


def _read(
    scope: Scope, keys: tuple[str, ...], scores: list[str], limit: int | None = None
) -> dict[Key, list[Moments]] | None:
    """The moments of each score per combination of values of `keys`; None past `limit` rows."""
    select = _statement(keys, scores)
    rows = scope.run(select.limit(limit + 1) if limit is not None else select)
    if limit is not None and len(rows) > limit:
        return None
    out: dict[Key, list[Moments]] = {}
    for r in rows:
        values = tuple(v if _scalar(v) else OTHER for v in (r[f"k{i}"] for i in range(len(keys))))
        moments = [
            Moments(int(r[f"n{i}"] or 0), float(r[f"s{i}"] or 0.0), float(r[f"q{i}"] or 0.0))
            for i in range(len(scores))
        ]
        out[values] = _add(out[values], moments) if values in out else moments
    return out


def _add(a: list[Moments], b: list[Moments]) -> list[Moments]:
    return [Moments(x.n + y.n, x.total + y.total, x.squares + y.squares) for x, y in zip(a, b, strict=True)]


class _Groups:
    """Moments per value of one key or per pair of values of two keys.

    Usually one statement groups the traces by every key at once, and each single value's or
    pair's moments are sums of those cells (moments add up). When the keys have too many
    combinations of values for that, each key and each pair is its own grouped statement."""

    def __init__(self, scope: Scope, keys: list[str], scores: list[str]) -> None:
        self.scope, self.keys, self.scores = scope, keys, scores
        self.cells = _read(scope, tuple(keys), scores, MAX_CELLS) if keys else {}

    def values_of(self, key: str, max_values: int) -> dict[Key, list[Moments]] | None:
        """One key's groups; None when it has more than `max_values` values."""
        if self.cells is None:
            return _read(self.scope, (key,), self.scores, max_values)
        found = self.by(key)
        return found if len(found) <= max_values else None

    def by(self, *keys: str) -> dict[Key, list[Moments]]:
        if self.cells is None:
            return _read(self.scope, keys, self.scores) or {}
        index = [self.keys.index(k) for k in keys]
        out: dict[Key, list[Moments]] = {}
        for values, moments in self.cells.items():
            sub = tuple(values[i] for i in index)
            out[sub] = _add(out[sub], moments) if sub in out else moments
        return out


def _total(groups: dict[Key, list[Moments]], count: int) -> list[Moments]:
    sums = [Moments(0, 0.0, 0.0) for _ in range(count)]
    for moments in groups.values():
        sums = _add(sums, moments)
    return sums


def _conditions(keys: tuple[str, ...], values: Key) -> list[Condition]:
    """The slice as the table's structured conditions (a link opens exactly these rows)."""
    return [
        Condition(column=column_text("metadata", k), op="is null" if v is None else "=", value=v)
        for k, v in zip(keys, values, strict=True)
    ]


def analyze(scope: Scope, q: SliceQuery) -> SliceReport:
    scores = [q.score] if q.score else scope.score_names
    if q.score and q.score not in scope.score_names:
        raise InvalidInput(
            f"score {q.score!r} not found in this experiment (it has: {', '.join(scope.score_names) or 'none'})"
        )
    keys = list(q.keys) if q.keys else scope.metadata_keys
    missing = [k for k in keys if k not in scope.metadata_keys]
    if missing:
        raise InvalidInput(f"metadata key {missing[0]!r} not found in this experiment's root spans")
    report = SliceReport(alpha=q.alpha, confidence=1 - q.alpha, min_n=q.min_n, scores=scores, keys=keys)
    if not scores or not keys:
        return report

    sampled = _sampled_values(scope, keys)
    many = {k for k in keys if sampled[k] > q.max_values}
    groups = _Groups(scope, [k for k in keys if k not in many], scores)
    singles: dict[str, dict[Key, list[Moments]]] = {}
    for k in keys:
        found = None if k in many else groups.values_of(k, q.max_values)
        if found is None:
            report.skipped.append(SkippedKey(key=k, reason=f"more than {q.max_values} distinct values"))
        else:
            singles[k] = found
    usable = list(singles)
    if not usable:
        return report
    totals = _total(singles[usable[0]], len(scores))
    report.traces = {s: totals[i].n for i, s in enumerate(scores)}

    tested: list[_Tested] = []
    confidence = 1 - q.alpha

    def test(
        keys_: tuple[str, ...], values: Key, moments: list[Moments], within: list[list[Moments]]
    ) -> None:
        for i, s in enumerate(scores):
            group, rest = moments[i], totals[i] - moments[i]
            if group.n < q.min_n or rest.n < q.min_n:
                continue
            result = welch(group, rest, confidence)
            tested.append(_Tested(s, keys_, values, group, rest, result))
            if within:
                worst = 0.0
                for parent in within:
                    inside = parent[i] - group
                    if inside.n < 2 or group.mean >= inside.mean:
                        worst = 1.0
                        break
                    worst = max(worst, welch(group, inside, confidence).p_value)
                tested[-1].beyond_parents = worst

    for k, found in singles.items():
        for values, moments in found.items():
            if OTHER not in values:
                test((k,), values, moments, [])
    if q.pairs:
        for a, b in itertools.combinations(usable[: q.max_pair_keys], 2):
            for values, moments in groups.by(a, b).items():
                if OTHER in values:
                    continue
                parents = [singles[a][(values[0],)], singles[b][(values[1],)]]
                test((a, b), values, moments, parents)

    adjusted = holm([t.test.p_value for t in tested])
    # "Worse than each of its values alone" is a claim too: adjusted over all pairs tested.
    pairs = [t for t in tested if t.beyond_parents is not None]
    explained = {
        id(t)
        for t, p in zip(pairs, holm([t.beyond_parents or 1.0 for t in pairs]), strict=True)
        if p > q.alpha
    }
    report.tested = len(tested)
    kept = [
        (t, p)
        for t, p in zip(tested, adjusted, strict=True)
        if id(t) not in explained and p <= q.alpha and t.test.diff < 0
    ]
    kept.sort(key=lambda tp: (tp[0].test.z, tp[0].test.diff))
    for t, p in kept[: q.limit]:
        report.slices.append(
            Slice(
                score=t.score,
                values=[SliceValue(key=k, value=v) for k, v in zip(t.keys, t.values, strict=True)],
                n=t.group.n,
                mean=t.group.mean,
                rest_n=t.rest.n,
                rest_mean=t.rest.mean,
                diff=t.test.diff,
                ci_low=t.test.ci_low,
                ci_high=t.test.ci_high,
                effect_size=t.test.effect_size,
                p_value=t.test.p_value,
                p_adjusted=p,
                conditions=_conditions(t.keys, t.values),
                filter=_where(t.keys, _conditions(t.keys, t.values)).sql(),
            )
        )
    for item in report.slices[: q.examples_for]:
        item.examples = _examples(scope, item, q.examples)
    return report


def _where(keys: tuple[str, ...], conditions: list[Condition]) -> exp.Expr:
    return exp.and_(*[condition(path("metadata", k), c) for k, c in zip(keys, conditions, strict=True)])


def _examples(scope: Scope, item: Slice, count: int) -> list[SliceExample]:
    """The slice's lowest-scoring traces: the evidence a reader opens first."""
    score = path("scores", item.score)
    where = _where(tuple(v.key for v in item.values), item.conditions)
    select = (
        exp.select(exp.column("id"), exp.column("root_span_id"), exp.alias_(score.copy(), "value"))
        .where(where)
        .where(exp.Not(this=exp.Is(this=score.copy(), expression=exp.Null())))
        .order_by(exp.Ordered(this=score.copy(), desc=False), exp.Ordered(this=exp.column("id")))
        .limit(count)
    )
    return [
        SliceExample(id=r["id"], root_span_id=r["root_span_id"], score=r["value"]) for r in scope.run(select)
    ]

"""Random experiments, random filters and aggregations: every compiled query's answer is checked
against an independent evaluation of the same question in plain Python (with SQL's three-valued
logic for NULLs)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.query.helpers import btql, log, make_experiment, make_project

MODELS = ("a", "b", "c")
TAGS = ("x", "y")
SCORE = st.one_of(st.none(), st.sampled_from([0.0, 0.125, 0.25, 0.5, 0.75, 1.0]))


@dataclass
class Span:
    id: str
    root: str
    is_root: bool
    scores: dict[str, float | None] | None
    metadata: dict[str, Any] | None
    tags: list[str] | None
    span_type: str
    input: str | None


@st.composite
def experiments(draw: st.DrawFn) -> list[Span]:
    spans = []
    for _ in range(draw(st.integers(1, 6))):
        root = str(uuid.uuid4())
        meta: dict[str, Any] = {}
        if draw(st.booleans()):
            meta["model"] = draw(st.sampled_from(MODELS))
        if draw(st.booleans()):
            meta["n"] = draw(st.integers(-3, 3))
        tags = draw(st.one_of(st.none(), st.lists(st.sampled_from(TAGS), max_size=2, unique=True)))
        root_scores = draw(st.one_of(st.none(), st.fixed_dictionaries({"s": SCORE})))
        text = draw(st.sampled_from(["apple pie", "banana", "Apple", None]))
        spans.append(Span(root, root, True, root_scores, meta or None, tags or None, "eval", text))
        for _ in range(draw(st.integers(0, 3))):
            child = {"s": draw(SCORE), "t": draw(SCORE)}
            spans.append(Span(str(uuid.uuid4()), root, False, child, None, None, "score", None))
    return spans


def to_rows(eid: str, spans: list[Span]) -> list[dict[str, Any]]:
    return [
        {
            "id": s.id,
            "span_id": s.id,
            "root_span_id": s.root,
            "span_parents": None if s.is_root else [s.root],
            "experiment_id": eid,
            "scores": s.scores,
            "metadata": s.metadata,
            "tags": s.tags,
            "input": s.input,
            "span_attributes": {"type": s.span_type},
        }
        for s in spans
    ]


# -- filters: (SQL text, Python predicate returning True/False/None) --------------------------
Pred = Callable[[Span], bool | None]


def _score(s: Span, name: str) -> float | None:
    return (s.scores or {}).get(name)


def _meta(s: Span, name: str) -> Any:
    return (s.metadata or {}).get(name)


def _cmp(value: Any, fn: Callable[[Any], bool]) -> bool | None:
    return None if value is None else fn(value)


@st.composite
def atoms(draw: st.DrawFn) -> tuple[str, Pred]:
    kind = draw(st.integers(0, 9))
    c = draw(st.sampled_from([0.0, 0.25, 0.5, 1.0]))
    k = draw(st.integers(-3, 3))
    m = draw(st.sampled_from(MODELS))
    if kind == 0:
        return f"scores.s > {c}", lambda s: _cmp(_score(s, "s"), lambda v: v > c)
    if kind == 1:
        return f"metadata.n >= {k}", lambda s: _cmp(_meta(s, "n"), lambda v: v >= k)
    if kind == 2:
        return f"metadata.model = '{m}'", lambda s: _cmp(_meta(s, "model"), lambda v: v == m)
    if kind == 3:
        return f"metadata.model IN ('{m}', 'c')", lambda s: _cmp(_meta(s, "model"), lambda v: v in (m, "c"))
    if kind == 4:
        return "is_root", lambda s: s.is_root
    if kind == 5:
        return "tags INCLUDES 'x'", lambda s: None if s.tags is None else "x" in s.tags
    if kind == 6:
        return "scores.t IS NULL", lambda s: _score(s, "t") is None
    if kind == 7:
        return "span_attributes.type = 'score'", lambda s: s.span_type == "score"
    if kind == 8:
        return "input MATCH 'apple'", lambda s: _cmp(s.input, lambda v: "apple" in v.lower().split())
    return "input LIKE 'a%'", lambda s: _cmp(s.input, lambda v: v.startswith("a"))


def _and(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _or(a: bool | None, b: bool | None) -> bool | None:
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


def filters() -> st.SearchStrategy[tuple[str, Pred]]:
    def extend(inner: st.SearchStrategy[tuple[str, Pred]]) -> st.SearchStrategy[tuple[str, Pred]]:
        def combine(op: str, a: tuple[str, Pred], b: tuple[str, Pred]) -> tuple[str, Pred]:
            fa, fb = a[1], b[1]
            if op == "AND":
                return f"({a[0]} AND {b[0]})", lambda s: _and(fa(s), fb(s))
            return f"({a[0]} OR {b[0]})", lambda s: _or(fa(s), fb(s))

        def negate(a: tuple[str, Pred]) -> tuple[str, Pred]:
            fa = a[1]
            return f"NOT ({a[0]})", lambda s: None if fa(s) is None else not fa(s)

        return st.one_of(
            st.builds(combine, st.sampled_from(["AND", "OR"]), inner, inner), st.builds(negate, inner)
        )

    return st.recursive(atoms(), extend, max_leaves=4)


# -- aggregations: (SQL select list, Python function of the matching spans) -------------------
def _values(spans: list[Span], get: Callable[[Span], Any]) -> list[Any]:
    return [v for v in (get(s) for s in spans) if v is not None]


def _percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    pos = p * (len(values) - 1)
    low = int(pos)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (pos - low)


AGGS: dict[str, Callable[[list[Span]], Any]] = {
    "count(*)": len,
    "count(metadata.model)": lambda ss: len(_values(ss, lambda s: _meta(s, "model"))),
    "sum(scores.s)": lambda ss: (
        sum(_values(ss, lambda s: _score(s, "s"))) if _values(ss, lambda s: _score(s, "s")) else None
    ),
    "avg(scores.s)": lambda ss: (lambda v: sum(v) / len(v) if v else None)(
        _values(ss, lambda s: _score(s, "s"))
    ),
    "max(metadata.n)": lambda ss: max(_values(ss, lambda s: _meta(s, "n")), default=None),
    "min(scores.t)": lambda ss: min(_values(ss, lambda s: _score(s, "t")), default=None),
    "count_distinct(root_span_id)": lambda ss: len({s.root for s in ss}),
    "percentile(scores.s, 0.5)": lambda ss: _percentile(_values(ss, lambda s: _score(s, "s")), 0.5),
}


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and a == pytest.approx(b, abs=1e-9)
    return a == b


COMMON = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def project(api):
    return make_project(api, "prop")


@COMMON
@given(spans=experiments(), where=filters(), agg=st.sampled_from(sorted(AGGS)))
def test_filter_and_aggregate_match_python(api, project, spans, where, agg):
    eid = make_experiment(api, project, str(uuid.uuid4()))
    log(api, to_rows(eid, spans))
    sql, pred = where
    res = btql(api, f"SELECT {agg} AS v FROM experiment('{eid}') WHERE {sql}")
    assert res.status_code == 200, (sql, res.text)
    expected = AGGS[agg]([s for s in spans if pred(s) is True])
    got = res.json()["data"][0]["v"]
    assert _close(got, expected), (sql, agg, got, expected)
    ids = btql(api, f"SELECT id FROM experiment('{eid}') WHERE {sql}").json()["data"]
    assert sorted(r["id"] for r in ids) == sorted(s.id for s in spans if pred(s) is True)


@COMMON
@given(spans=experiments(), where=filters())
def test_group_by_metadata_matches_python(api, project, spans, where):
    eid = make_experiment(api, project, str(uuid.uuid4()))
    log(api, to_rows(eid, spans))
    sql, pred = where
    q = (
        "SELECT metadata.model AS model, count(*) AS n, avg(scores.s) AS s "
        f"FROM experiment('{eid}') WHERE {sql} GROUP BY metadata.model"
    )
    res = btql(api, q)
    assert res.status_code == 200, res.text
    groups: dict[Any, list[Span]] = {}
    for s in spans:
        if pred(s) is True:
            groups.setdefault(_meta(s, "model"), []).append(s)
    got = {r["model"]: r for r in res.json()["data"]}
    assert set(got) == set(groups)
    for key, members in groups.items():
        assert got[key]["n"] == len(members)
        assert _close(got[key]["s"], AGGS["avg(scores.s)"](members))


@COMMON
@given(spans=experiments(), c=st.sampled_from([0.0, 0.25, 0.5, 0.75]))
def test_summary_shape_matches_python(api, project, spans, c):
    eid = make_experiment(api, project, str(uuid.uuid4()))
    log(api, to_rows(eid, spans))
    res = btql(
        api,
        f"SELECT root_span_id, scores.s AS s, span_count FROM experiment('{eid}', shape => 'summary') "
        f"WHERE scores.s >= {c} OR scores.s IS NULL",
    )
    assert res.status_code == 200, res.text
    traces: dict[str, list[Span]] = {}
    for s in spans:
        traces.setdefault(s.root, []).append(s)
    expected = {}
    for root, members in traces.items():
        values = _values(members, lambda s: _score(s, "s"))
        mean = sum(values) / len(values) if values else None
        if mean is None or mean >= c:
            expected[root] = (mean, len(members))
    got = {r["root_span_id"]: (r["s"], r["span_count"]) for r in res.json()["data"]}
    assert set(got) == set(expected)
    for root, (mean, count) in expected.items():
        assert got[root][1] == count and (_close(got[root][0], mean) or got[root][0] is mean is None)

"""Store conformance: comparing experiments by comparison key, and score histograms."""

from __future__ import annotations

from typing import Any

import pytest

from assay.query import parse_expression
from assay.query.expression import compile_key
from assay.store.base import ObjectRef
from tests.store.conftest import Env


def key(env: Env, text: str):
    """A comparison key compiled for the store's dialect, as the services pass it."""
    return compile_key(parse_expression(text), env.store.dialect)


def case(root: str, acc: float | None, tokens: int = 10, **root_fields: Any) -> list[dict[str, Any]]:
    """A trace: a root span and one score span carrying `acc` and `tokens` prompt tokens."""
    return [
        {"id": root, "span_id": root, "root_span_id": root, "metrics": {"start": 0, "end": 1}, **root_fields},
        {
            "id": f"{root}-s",
            "span_id": f"{root}-s",
            "root_span_id": root,
            "span_parents": [root],
            "scores": {"acc": acc},
            "metrics": {"prompt_tokens": tokens},
            "span_attributes": {"type": "score", "name": "acc"},
        },
    ]


def test_matches_by_input_by_default_and_counts_each_way(env: Env) -> None:
    base, new = env.experiment(), env.experiment()
    dataset_row = {"object_type": "dataset", "object_id": "d", "id": "case-1"}
    # Same dataset record but edited inputs: not the same test case under the default key (`input`).
    env.write(base, *case("b1", 0.2, input="old text", origin=dataset_row))
    env.write(new, *case("n1", 0.9, input="new text", origin=dataset_row))
    env.write(base, *case("b2", 0.8, 10, input={"q": 2}))
    env.write(new, *case("n2", 0.1, 20, input={"q": 2}))
    env.write(base, *case("b3", 0.5, input={"q": 3}))
    env.write(new, *case("n3", 0.5, input={"q": 3}))
    env.write(new, *case("n4", 1.0, input=None))  # no input: matches nothing
    found = env.store.compare_experiments(base, [new], metrics=["prompt_tokens"])
    acc = found[new.object_id].scores["acc"]
    assert (acc.higher, acc.lower, acc.pairs) == (0, 1, 2)
    assert acc.mean == pytest.approx((0.9 + 0.1 + 0.5 + 1.0) / 4) and acc.count == 4
    assert acc.mean_diff == pytest.approx((-0.7 + 0.0) / 2)
    assert acc.sd_diff == pytest.approx(0.4949747, rel=1e-6)
    tokens = found[new.object_id].metrics["prompt_tokens"]
    assert (tokens.higher, tokens.lower) == (1, 0)
    own = found[base.object_id].scores["acc"]
    assert own.pairs == 0 and own.mean == pytest.approx(0.5) and found[base.object_id].traces == 3


def test_trials_form_one_test_case(env: Env) -> None:
    base, new = env.experiment(), env.experiment()
    env.write(base, *case("b1", 0.4, input="q"), *case("b2", 0.6, input="q"))  # case value 0.5
    env.write(new, *case("n1", 0.45, input="q"), *case("n2", 0.9, input="q"), *case("n3", 0.9, input="q"))
    acc = env.store.compare_experiments(base, [new])[new.object_id].scores["acc"]
    assert (acc.higher, acc.lower) == (2, 1)  # each trial against the base's case value
    assert acc.pairs == 1 and acc.mean_diff == pytest.approx(0.75 - 0.5) and acc.sd_diff is None


def test_several_experiments_in_one_call_and_a_compiled_key(env: Env) -> None:
    base, a, b = env.experiment(), env.experiment(), env.experiment()
    for i in range(3):
        env.write(base, *case(f"b{i}", 0.5, input={"q": i, "run": "base"}, metadata={"cat": "x"}))
        env.write(a, *case(f"a{i}", 0.5 + 0.1 * i, input={"q": i, "run": "a"}, metadata={"cat": "x"}))
        env.write(b, *case(f"c{i}", 0.4, input={"q": i, "run": "b"}, metadata={"cat": "y"}))
    assert env.store.compare_experiments(base, [a, b])[a.object_id].scores["acc"].pairs == 0
    by_q = env.store.compare_experiments(base, [a, b], key=key(env, "input.q"))
    assert by_q[a.object_id].scores["acc"].pairs == 3 and by_q[a.object_id].scores["acc"].higher == 2
    assert by_q[b.object_id].scores["acc"].lower == 3
    by_both = env.store.compare_experiments(base, [a, b], key=key(env, "[input.q, metadata.cat]"))
    assert by_both[a.object_id].scores["acc"].pairs == 3
    assert by_both[b.object_id].scores["acc"].pairs == 0


def test_histograms(env: Env) -> None:
    a, b = env.experiment(), env.experiment()
    env.write(a, *case("a1", 0.0, input=1), *case("a2", 0.49, input=2), *case("a3", 1.0, input=3))
    env.write(b, *case("b1", None, input=1))
    found = env.store.score_histograms([a, b, ObjectRef("experiment", "none")], 2)
    assert found[a.object_id] == {"acc": [2, 1]}
    assert found[b.object_id] == {} and found["none"] == {}


def test_score_names(env: Env) -> None:
    a, b = env.experiment(), env.experiment()
    env.write(a, *case("a1", 0.5, input=1))
    env.write(b, {"id": "r", "span_id": "r", "root_span_id": "r", "scores": {"z": 1.0, "b c": 0.0}})
    assert env.store.score_names([a, b]) == ["acc", "b c", "z"]
    assert env.store.score_names([]) == []


def _figures(found: dict[str, Any]) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    """Every figure of a comparison, rounded past floating-point noise, by (experiment, kind, name)."""

    def r(v: float | None) -> float | None:
        return None if v is None else round(v, 9)

    out: dict[tuple[str, str, str], tuple[Any, ...]] = {}
    for object_id, e in found.items():
        for kind, measures in (("scores", e.scores), ("metrics", e.metrics)):
            for name, m in measures.items():
                out[(object_id, kind, name)] = (
                    e.traces,
                    r(m.mean),
                    m.count,
                    m.higher,
                    m.lower,
                    m.pairs,
                    r(m.mean_diff),
                    r(m.sd_diff),
                )
    return out


def _varied(env: Env) -> list[ObjectRef]:
    """Three experiments over 30 inputs: trials (a third of the cases run twice or three times),
    traces without input, missing and null scores, a score only one experiment has."""
    refs = [env.experiment() for _ in range(3)]
    for e, ref in enumerate(refs):
        rows: list[dict[str, Any]] = []
        for i in range(30 + 5 * e):
            for trial in range(1 + (i % 3 == 0) + (i % 9 == 0)):
                acc = None if (i + e) % 7 == 0 else ((i * 7 + e * 3 + trial) % 10) / 10
                extra: dict[str, Any] = {"input": None} if i % 11 == 10 else {"input": {"q": i}}
                rows += case(f"{e}-{i}-{trial}", acc, tokens=i + e + trial, **extra)
                if e == 1 and i % 4 == 0:
                    rows[-1]["scores"]["only_here"] = (i % 5) / 4
        env.write(ref, *rows)
    return refs


def test_the_default_key_gives_what_the_same_key_computed_per_read_gives(env: Env) -> None:
    # The default key is the stored one (DuckDB reads its stored test cases); `input` compiled as a
    # project key is computed from every trace on each read: the same test cases, the same figures.
    base, *others = _varied(env)
    metrics = ["prompt_tokens", "duration"]
    stored = env.store.compare_experiments(base, others, metrics=metrics)
    computed = env.store.compare_experiments(base, others, metrics=metrics, key=key(env, "input"))
    assert _figures(stored) == _figures(computed)
    assert stored[others[0].object_id].scores["only_here"].count > 0
    assert "only_here" not in stored[base.object_id].scores
    # 30 shared inputs, less 2 without input, 4 the base has no accuracy for, 4 the other has none for.
    assert stored[others[1].object_id].scores["acc"].pairs == 20


def test_a_comparison_follows_later_writes(env: Env) -> None:
    base, new = env.experiment(), env.experiment()
    env.write(base, *case("b1", 0.2, input="q1"), *case("b2", 0.8, input="q2"))
    env.write(new, *case("n1", 0.4, input="q1"), *case("n2", 0.8, input="q2"))
    first = env.store.compare_experiments(base, [new])[new.object_id].scores["acc"]
    assert (first.higher, first.lower, first.pairs) == (1, 0, 2)
    # A merge lowers a score, a trial is added, an input is edited, a new score appears.
    env.write(new, {"id": "n1-s", "_is_merge": True, "scores": {"acc": 0.1}})
    env.write(new, *case("n3", 1.0, input="q2"))
    env.write(base, {"id": "b2", "_is_merge": True, "input": "q2-edited"})
    env.write(base, {"id": "b1-s", "_is_merge": True, "scores": {"acc": 0.2, "fresh": 1.0}})
    found = env.store.compare_experiments(base, [new])
    acc = found[new.object_id].scores["acc"]
    assert (acc.higher, acc.lower, acc.pairs) == (0, 1, 1)  # only q1 still matches
    assert acc.mean == pytest.approx((0.1 + 0.8 + 1.0) / 3) and acc.count == 3
    assert acc.mean_diff == pytest.approx(0.1 - 0.2)
    assert found[base.object_id].scores["fresh"].mean == pytest.approx(1.0)
    assert _figures(found) == _figures(env.store.compare_experiments(base, [new], key=key(env, "input")))
    # A deleted trace leaves its test case.
    env.write(new, {"id": "n1", "_object_delete": True}, {"id": "n1-s", "_object_delete": True})
    gone = env.store.compare_experiments(base, [new])[new.object_id].scores["acc"]
    assert gone.pairs == 0 and gone.count == 2

"""DuckDB-only: the stored test cases a comparison reads are built once, forgotten with the trace
summaries they were made of, and never read once out of date."""

from __future__ import annotations

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from assay.store.duckdb import cases, compare
from assay.store.duckdb.store import DuckDBStore
from tests.store.conftest import Env
from tests.store.test_store_compare import case

pytestmark = pytest.mark.duckdb_only  # the embedded DuckDB store's own machinery


@pytest.fixture
def env(duckdb_env: Env) -> Env:
    return duckdb_env


def builds(env: Env, *ids: str) -> dict[str, cases.Build]:
    store = env.store
    assert isinstance(store, DuckDBStore)
    return cases.builds(store._reader(), "experiment", ids)


def case_rows(env: Env, object_id: str) -> int:
    store = env.store
    assert isinstance(store, DuckDBStore)
    found = store._reader().execute("SELECT count(*) FROM case_summaries WHERE object_id = ?", [object_id])
    return int(found.fetchone()[0])  # type: ignore[index]


def test_cases_are_built_on_the_first_comparison_and_forgotten_when_their_traces_change(env: Env) -> None:
    base, new = env.experiment(), env.experiment()
    env.write(base, *case("b1", 0.2, input="q1"), *case("b2", 0.8, input="q2"))
    env.write(new, *case("n1", 0.4, input="q1"))
    assert builds(env, base.object_id, new.object_id) == {}
    env.store.compare_experiments(base, [new])
    first = builds(env, base.object_id, new.object_id)
    assert set(first) == {base.object_id, new.object_id} and first[base.object_id].names == ["acc"]
    assert case_rows(env, base.object_id) == 2 and first[base.object_id].traces == 2

    env.write(new, *case("n2", 0.9, input="q2"))
    env.store.refresh_summaries("experiment", [new.object_id])  # type: ignore[attr-defined]
    assert set(builds(env, base.object_id, new.object_id)) == {base.object_id}  # the base's stay
    assert case_rows(env, new.object_id) == 0

    acc = env.store.compare_experiments(base, [new])[new.object_id].scores["acc"]
    assert (acc.pairs, acc.higher, acc.lower) == (2, 2, 0)
    again = builds(env, base.object_id, new.object_id)
    assert again[base.object_id].build == first[base.object_id].build
    assert again[new.object_id].build != first[new.object_id].build


def test_a_statement_that_read_a_changed_build_is_not_used(env: Env) -> None:
    base, new = env.experiment(), env.experiment()
    env.write(base, *case("b1", 0.2, input="q1"))
    env.write(new, *case("n1", 0.4, input="q1"))
    env.store.compare_experiments(base, [new])
    stale = builds(env, base.object_id, new.object_id)
    env.write(new, {"id": "n1-s", "_is_merge": True, "scores": {"acc": 0.1}})
    env.store.refresh_summaries("experiment", [new.object_id])  # type: ignore[attr-defined]
    run = env.store._run  # type: ignore[attr-defined]
    ids = [base.object_id, new.object_id]
    assert cases.compare_experiments(run, "experiment", base.object_id, ids, [], stale) is None
    env.store.compare_experiments(base, [new])  # builds the new cases
    fresh = builds(env, *ids)
    found = cases.compare_experiments(run, "experiment", base.object_id, ids, [], fresh)
    assert found is not None and found[new.object_id].scores["acc"].lower == 1


def test_a_compared_side_reads_the_same_cases_built_or_not(env: Env) -> None:
    # `compare =>` joins each compared experiment's test cases (CompareTrees.cases): from the
    # stored cases once built, grouped from the trace summaries before; the same rows either way.
    base, other = env.experiment(), env.experiment()
    env.write(base, *case("b1", 0.2, input="q1"))
    rows = [*case("o1", 0.4, input="q1"), *case("o2", 0.8, input="q1"), *case("o3", None, 7, input="q2")]
    env.write(other, *rows, *case("o4", 1.0, input=None))
    store = env.store
    assert isinstance(store, DuckDBStore)
    store.refresh_summaries("experiment", [other.object_id])
    trees = compare.DUCKDB
    tree = trees.cases(
        "experiment", other.object_id, None, scores=["acc", "absent"], metrics=["prompt_tokens"]
    )
    sql = "SELECT * FROM (" + trees.render(tree) + ") ORDER BY traces"
    grouped = store._reader().execute(sql).fetchall()
    assert [r[2:] for r in grouped] == [(1, None, None, 7.0), (2, pytest.approx(0.6), None, 10.0)]
    store.compare_experiments(base, [other])  # builds both
    assert other.object_id in builds(env, other.object_id)
    assert store._reader().execute(sql).fetchall() == grouped


def test_a_key_is_shown_as_its_decimal_digits() -> None:
    # text_key spells CAST(key AS VARCHAR) faster; the digits must be the same on both sides of 2^127.
    values = [0, 1, 9, 10, 2**64, 2**127 - 1, 2**127, 2**127 + 1, 2**127 + 9, 2**128 - 10, 2**128 - 1]
    rows = ", ".join(f"('{v}')" for v in [*values, None]).replace("'None'", "NULL")
    keys = sqlglot.parse_one(
        f"SELECT CAST(x AS UHUGEINT) AS match_key FROM (VALUES {rows}) AS v(x)", dialect="duckdb"
    )
    assert isinstance(keys, exp.Select)
    sql = compare.DUCKDB.render(compare.DUCKDB.text_key(keys))
    with duckdb.connect() as con:
        assert [r[0] for r in con.execute(sql).fetchall()] == [*(str(v) for v in values), None]

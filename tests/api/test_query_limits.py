"""Queries are bounded: the strings they build, their LIKE patterns, the size of their answer.

Issue 7, item 1: one query building a 5 GB string used to invalidate the database for everyone.
Now it is refused before it runs, and the server goes on answering."""

from __future__ import annotations

import pytest

from assay.services.auth import create_api_key
from tests.query.helpers import btql, log, make_experiment, make_project


@pytest.fixture
def big(api) -> str:
    eid = make_experiment(api, make_project(api, "p"), "e")
    log(api, [{"id": "big", "experiment_id": eid, "input": "x" * 600_000, "output": "y"}])
    return eid


def _concat(items: list[str]) -> str:
    return "concat(" + ", ".join(items) + ")"


def test_item_1_query_is_refused_and_the_next_100_requests_succeed(api, big):
    """Issue 7 item 1's exact query over a 600 KB row: a 400, then 100 requests of two organizations."""
    inner = _concat(["input"] * 32)
    outer = _concat([_concat([inner] * 32)] * 8)
    res = btql(api, f"SELECT len({outer}) AS n FROM experiment('{big}')")
    assert res.status_code == 400, res.text
    message = res.json()["error"]["message"]
    assert "concat() here combines" in message and "at most 8" in message
    # Every later request of every organization works: catalog, writes, login and queries.
    other = {"Authorization": f"Bearer {create_api_key(api.app.state.services.store, 'other-org')}"}
    calls = [
        lambda n: api.get("/v1/project"),
        lambda n: api.client.get("/v1/project", headers=other),
        lambda n: api.post("/logs3", json={"rows": [{"id": f"after-{n}", "experiment_id": big, "input": n}]}),
        lambda n: api.client.post("/api/apikey/login", headers=other),
        lambda n: btql(api, f"SELECT count(*) AS n FROM experiment('{big}')"),
    ]
    statuses = [calls[n % 5](n).status_code for n in range(100)]
    assert statuses == [200] * 100
    written = btql(api, f"SELECT count(*) AS n FROM experiment('{big}') WHERE id LIKE 'after-%'")
    assert written.json()["data"] == [{"n": 20}]


def test_a_string_longer_than_the_limit_stops_the_query(api, big):
    res = btql(api, f"SELECT len({_concat(['input'] * 2)}) AS n FROM experiment('{big}')")
    assert res.status_code == 400, res.text
    assert "concat() would build a string longer than 1 MiB" in res.json()["error"]["message"]
    small = btql(api, f"SELECT len(concat(output, '-', output)) AS n FROM experiment('{big}')")
    assert small.status_code == 200 and small.json()["data"] == [{"n": 3}]


def test_like_patterns_are_quoted_and_bounded(api, big):
    res = btql(api, f"SELECT count(*) AS n FROM experiment('{big}') WHERE input LIKE output")
    assert res.status_code == 400 and "quoted pattern" in res.json()["error"]["message"]
    pattern = "%y" * 17 + "%"
    res = btql(api, f"SELECT count(*) AS n FROM experiment('{big}') WHERE input LIKE '{pattern}'")
    assert res.status_code == 400 and "at most 16" in res.json()["error"]["message"]
    res = btql(api, f"SELECT count(*) AS n FROM experiment('{big}') WHERE output LIKE '%y%'")
    assert res.status_code == 200 and res.json()["data"] == [{"n": 1}]


def test_an_answer_larger_than_the_query_memory_limit_is_a_400(api, big):
    svc = api.app.state.services
    svc.settings = svc.settings.model_copy(update={"query_memory_bytes": 100_000})
    res = btql(api, f"SELECT input FROM experiment('{big}')")
    assert res.status_code == 400, res.text
    assert "larger than the query memory limit" in res.json()["error"]["message"]
    assert btql(api, f"SELECT output FROM experiment('{big}')").status_code == 200

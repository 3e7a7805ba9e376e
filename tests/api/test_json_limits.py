"""One JSON nesting limit and exact integers, on every write path; rows stored deeper by earlier
versions stay readable.

Each hostile body gets a 400 that names the place and the limit, and nothing is written: the
experiment's rows, and the catalog object, read back unchanged afterwards.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from assay.model.json_limits import MAX_JSON_DEPTH
from assay.store import Store
from assay.store.postgres.store import PostgresStore
from tests.conftest import Api


def store_of(api: Api) -> Store:
    store: Store = api.app.state.services.store
    return store


def nested(levels: int) -> Any:
    """A value with exactly `levels` nested containers (objects and arrays alternating)."""
    value: Any = "leaf"
    for i in range(levels):
        value = {"k": value} if i % 2 else [value]
    return value


@pytest.fixture
def exp(api: Api) -> dict[str, Any]:
    project = api.post("/v1/project", json={"name": "limits"}).json()
    experiment = api.post("/v1/experiment", json={"project_id": project["id"], "name": "e"}).json()
    ok = api.post("/logs3", json={"rows": [{"id": "seed", "experiment_id": experiment["id"], "input": 1}]})
    assert ok.status_code == 200
    return experiment


def events(api: Api, exp: dict[str, Any]) -> list[dict[str, Any]]:
    response = api.get(f"/v1/experiment/{exp['id']}/fetch")
    assert response.status_code == 200, response.text
    return response.json()["events"]


def assert_error(response: Any, status: int, *words: str) -> str:
    assert response.status_code == status, response.text
    message: str = response.json()["error"]["message"]
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    return message


def post(api: Api, url: str, body: Any) -> Any:
    return api.post(url, content=orjson.dumps(body))


# -- nesting ------------------------------------------------------------------------------------
def write_paths(exp: dict[str, Any], value: Any) -> list[tuple[str, str, Any, str]]:
    """(method, url, body, the place the message must name) for each write route."""
    eid = exp["id"]
    return [
        ("post", "/logs3", {"rows": [{"id": "x", "experiment_id": eid, "input": value}]}, "rows[0].input"),
        (
            "post",
            f"/v1/experiment/{eid}/insert",
            {"events": [{"id": "x", "output": value}]},
            "events[0].output",
        ),
        (
            "post",
            f"/v1/experiment/{eid}/feedback",
            {"feedback": [{"id": "seed", "metadata": value}]},
            "feedback[0].metadata",
        ),
        (
            "post",
            "/v1/experiment",
            {"project_id": exp["project_id"], "name": "x", "metadata": value},
            "metadata",
        ),
        ("patch", f"/v1/experiment/{eid}", {"metadata": {"m": value}}, "metadata.m"),
        ("post", "/btql", {"query": value, "fmt": "json"}, "query"),
    ]


@pytest.mark.parametrize("index", range(6))
def test_too_deep_body_is_refused_on_every_write_path_and_nothing_is_written(
    api: Api, exp: dict[str, Any], index: int
) -> None:
    before_rows = events(api, exp)
    before_exp = api.get(f"/v1/experiment/{exp['id']}").json()
    before_list = api.get("/v1/experiment", params={"project_id": exp["project_id"]}).json()
    method, url, body, place = write_paths(exp, nested(MAX_JSON_DEPTH))[index]
    response = getattr(api, method)(url, content=orjson.dumps(body))
    assert_error(response, 400, place, f"deeper than {MAX_JSON_DEPTH} levels")
    assert events(api, exp) == before_rows
    assert api.get(f"/v1/experiment/{exp['id']}").json() == before_exp
    assert api.get("/v1/experiment", params={"project_id": exp["project_id"]}).json() == before_list


@pytest.mark.parametrize("levels", [252, 253, 254, 1024, 1025, 100_000])
def test_depths_that_broke_the_server_are_refused_with_400(
    api: Api, exp: dict[str, Any], levels: int
) -> None:
    """Depth 252-253 used to be accepted and poison the experiment, 254-1,024 gave a 500."""
    before = events(api, exp)
    value_json = b"[" * levels + b"]" * levels
    body = (
        b'{"rows": [{"id": "x", "experiment_id": "'
        + exp["id"].encode()
        + b'", "input": '
        + value_json
        + b"}]}"
    )
    assert_error(api.post("/logs3", content=body), 400, "rows[0].input", "deeper than")
    insert = b'{"events": [{"id": "x", "input": ' + value_json + b"}]}"
    assert_error(api.post(f"/v1/experiment/{exp['id']}/insert", content=insert), 400, "events[0].input")
    assert events(api, exp) == before


def test_the_deepest_accepted_value_reads_back_everywhere(api: Api, exp: dict[str, Any]) -> None:
    """A body at exactly the limit is accepted, and every read path returns it intact."""
    value = nested(MAX_JSON_DEPTH - 3)  # {"rows": [{"input": ...}]} adds three levels
    ok = post(api, "/logs3", {"rows": [{"id": "deep", "experiment_id": exp["id"], "input": value}]})
    assert ok.status_code == 200, ok.text
    by_id = {e["id"]: e for e in events(api, exp)}
    assert by_id["deep"]["input"] == value
    one_more = {"rows": [{"id": "deeper", "experiment_id": exp["id"], "input": [value]}]}
    assert_error(post(api, "/logs3", one_more), 400, "rows[0].input")


def test_brackets_inside_strings_do_not_count(api: Api, exp: dict[str, Any]) -> None:
    text = '[{"\\"' * 400 + "\\\\"
    ok = post(api, "/logs3", {"rows": [{"id": "s", "experiment_id": exp["id"], "input": text}]})
    assert ok.status_code == 200, ok.text
    assert {e["id"]: e for e in events(api, exp)}["s"]["input"] == text


def poison(api: Api, exp: dict[str, Any], row_id: str, levels: int) -> Any:
    """Store a row nested `levels` deep the way earlier versions did (they accepted it), going
    around today's checks: the value is written straight into the table."""
    ok = api.post("/logs3", json={"rows": [{"id": row_id, "experiment_id": exp["id"], "input": "x"}]})
    assert ok.status_code == 200
    value = nested(levels)
    text = orjson.dumps(value).decode()
    key = f"{exp['id']}/{row_id}"
    store = store_of(api)
    if isinstance(store, PostgresStore):
        with store._pool.connection() as con:
            con.execute("UPDATE rows SET input = %s WHERE _key = %s", [text, key])
    else:
        store._writer.submit(  # type: ignore[attr-defined]
            lambda con: con.execute("UPDATE rows SET input = ? WHERE _key = ?", [text, key])
        )
    return value


def test_poisoned_depth_row_from_an_earlier_version_keeps_its_experiment_readable(
    api: Api, exp: dict[str, Any]
) -> None:
    value = poison(api, exp, "old", 253)
    eid = exp["id"]
    fetched = {e["id"]: e for e in events(api, exp)}
    assert fetched["old"]["input"] == value
    posted = api.post(f"/v1/experiment/{eid}/fetch", json={"limit": 10})
    assert posted.status_code == 200, posted.text
    assert {e["id"]: e for e in posted.json()["events"]}["old"]["input"] == value
    for fmt in ("json", "jsonl"):
        query = api.post("/btql", json={"query": f"SELECT * FROM experiment('{eid}')", "fmt": fmt})
        assert query.status_code == 200, query.text
        assert b'"old"' in query.content
    table = api.post(f"/v1/experiment/{eid}/table", json={"row_type": "spans"})
    assert table.status_code == 200, table.text
    export = api.post(f"/v1/experiment/{eid}/export", json={"format": "json", "row_type": "spans"})
    assert export.status_code == 200, export.text
    assert {r["id"]: r for r in orjson.loads(export.content)}["old"]["input"] == value
    summary = api.get(f"/v1/experiment/{eid}/summarize")
    assert summary.status_code == 200, summary.text


def test_poisoned_row_with_a_comment_keeps_its_fetch_readable(api: Api, exp: dict[str, Any]) -> None:
    """A commented row is built in Python rather than written by DuckDB; encoding it must not
    meet orjson's depth limit either."""
    value = poison(api, exp, "old", 253)
    comment = {"experiment_id": exp["id"], "comment": {"text": "deep"}, "origin": {"id": "old"}}
    assert api.post("/logs3", json={"rows": [{**comment, "id": "c1"}]}).status_code == 200
    posted = api.post(f"/v1/experiment/{exp['id']}/fetch", json={"limit": 10})
    assert posted.status_code == 200, posted.text
    old = {e["id"]: e for e in posted.json()["events"]}["old"]
    assert (old["input"], [c["comment"] for c in old["comments"]]) == (value, [{"text": "deep"}])


def test_merging_into_a_poisoned_row_is_refused_but_replacing_its_field_works(
    api: Api, exp: dict[str, Any]
) -> None:
    """The store never writes a value past the limit: feedback that would re-store the deep
    input is a 400 naming it; a merge that replaces the input repairs the row."""
    value = poison(api, exp, "old", 200)
    feedback = api.post(
        f"/v1/experiment/{exp['id']}/feedback", json={"feedback": [{"id": "old", "scores": {"s": 1}}]}
    )
    assert_error(feedback, 400, "'old'", "input", f"deeper than {MAX_JSON_DEPTH} levels")
    assert {e["id"]: e for e in events(api, exp)}["old"]["input"] == value
    repair = api.post(
        "/logs3",
        json={"rows": [{"id": "old", "experiment_id": exp["id"], "_is_merge": True, "input": "fixed"}]},
    )
    assert repair.status_code == 200, repair.text
    assert {e["id"]: e for e in events(api, exp)}["old"]["input"] == "fixed"


# -- integers -----------------------------------------------------------------------------------
def test_metric_of_2_63_is_refused_with_400_not_500(api: Api, exp: dict[str, Any]) -> None:
    before = events(api, exp)
    row = {"id": "m", "experiment_id": exp["id"], "metrics": {"tokens": 2**63}}
    assert_error(post(api, "/logs3", {"rows": [row]}), 400, "row 0", "metric 'tokens'", "2^53", "doubles")
    insert = {"events": [{"id": "m", "metrics": {"tokens": 2**53 + 1}}]}
    assert_error(post(api, f"/v1/experiment/{exp['id']}/insert", insert), 400, "metric 'tokens'")
    assert events(api, exp) == before


def test_metrics_up_to_2_53_are_kept_exactly(api: Api, exp: dict[str, Any]) -> None:
    row = {"id": "m", "experiment_id": exp["id"], "metrics": {"big": 2**53, "neg": -(2**53), "f": 1e300}}
    assert post(api, "/logs3", {"rows": [row]}).status_code == 200
    metrics = {e["id"]: e for e in events(api, exp)}["m"]["metrics"]
    assert metrics == {"big": 2**53, "neg": -(2**53), "f": 1e300}


@pytest.mark.parametrize("number", [2**64, 2**70, -(2**63) - 1, 10**400])
def test_integers_outside_64_bits_are_refused_not_rounded(api: Api, exp: dict[str, Any], number: int) -> None:
    before = events(api, exp)
    text = str(number).encode()
    body = (
        b'{"rows": [{"id": "n", "experiment_id": "'
        + exp["id"].encode()
        + b'", "metadata": {"n": '
        + text
        + b"}}]}"
    )
    assert_error(api.post("/logs3", content=body), 400, str(number), "rows[0].metadata.n", "2^64-1")
    insert = b'{"events": [{"id": "n", "input": [1, ' + text + b"]}]}"
    assert_error(api.post(f"/v1/experiment/{exp['id']}/insert", content=insert), 400, "events[0].input[1]")
    create = (
        b'{"project_id": "'
        + exp["project_id"].encode()
        + b'", "name": "n", "metadata": {"n": '
        + text
        + b"}}"
    )
    assert_error(api.post("/v1/experiment", content=create), 400, "metadata.n")
    assert events(api, exp) == before
    names = [
        e["name"]
        for e in api.get("/v1/experiment", params={"project_id": exp["project_id"]}).json()["objects"]
    ]
    assert names == ["e"]


def test_64_bit_integers_in_json_fields_are_kept_exactly(api: Api, exp: dict[str, Any]) -> None:
    numbers = {"max_u64": 2**64 - 1, "min_i64": -(2**63), "over_i64": 2**63 + 1, "big_odd": 2**60 + 1}
    row = {"id": "n", "experiment_id": exp["id"], "input": numbers, "metadata": numbers}
    assert post(api, "/logs3", {"rows": [row]}).status_code == 200
    insert = {"events": [{"id": "i", "expected": numbers}]}
    assert post(api, f"/v1/experiment/{exp['id']}/insert", insert).status_code == 200
    by_id = {e["id"]: e for e in events(api, exp)}
    assert by_id["n"]["input"] == numbers and by_id["n"]["metadata"] == numbers
    assert by_id["i"]["expected"] == numbers
    query = api.post("/btql", json={"query": f"SELECT input FROM experiment('{exp['id']}') WHERE id = 'n'"})
    assert query.status_code == 200, query.text
    assert query.json()["data"] == [{"input": numbers}]
    # A digit string in a string is text, whatever its length.
    text = {"id": "t", "experiment_id": exp["id"], "input": "1" * 40}
    assert post(api, "/logs3", {"rows": [text]}).status_code == 200


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b"1e400"])
def test_non_finite_numbers_are_malformed_on_every_route(
    api: Api, exp: dict[str, Any], literal: bytes
) -> None:
    """The standard library's parser (FastAPI's) accepts these and orjson would store null; every
    route parses with orjson, which refuses them."""
    before = events(api, exp)
    insert = b'{"events": [{"id": "x", "input": ' + literal + b"}]}"
    assert_error(api.post(f"/v1/experiment/{exp['id']}/insert", content=insert), 400, "malformed JSON")
    logs = (
        b'{"rows": [{"id": "x", "experiment_id": "' + exp["id"].encode() + b'", "input": ' + literal + b"}]}"
    )
    assert_error(api.post("/logs3", content=logs), 400, "malformed JSON")
    assert events(api, exp) == before


def test_every_route_parses_with_orjson(api: Api) -> None:
    from fastapi.routing import APIRoute

    from assay.api.routing import JsonRoute

    app = api.app
    routers = [r.original_router for r in app.routes if hasattr(r, "original_router")]  # included
    routes = [r for r in [*app.routes, *(r for x in routers for r in x.routes)] if isinstance(r, APIRoute)]
    with_bodies = [r for r in routes if r.methods & {"POST", "PUT", "PATCH"}]
    assert len(with_bodies) > 10
    assert [r.path for r in with_bodies if not isinstance(r, JsonRoute)] == []

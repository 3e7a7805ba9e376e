"""Bad input never writes anything and never answers 500: each case gets a precise 4xx that names
the problem, and a fetch afterwards shows the object unchanged."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from assay.services.auth import create_api_key
from assay.store import Store
from tests.conftest import Api


def store_of(api: Api) -> Store:
    """The store behind the in-process app (the body-limit wrapper holds the FastAPI app)."""
    store: Store = api.app.state.services.store
    return store


@pytest.fixture
def exp(api: Api) -> dict[str, Any]:
    """An experiment holding one root row `seed`."""
    project = api.post("/v1/project", json={"name": "bad-input"}).json()
    experiment = api.post("/v1/experiment", json={"project_id": project["id"], "name": "e"}).json()
    ok = api.post("/logs3", json={"rows": [{"id": "seed", "experiment_id": experiment["id"], "input": 1}]})
    assert ok.status_code == 200
    return experiment


def events(api: Api, exp: dict[str, Any]) -> list[dict[str, Any]]:
    response = api.get(f"/v1/experiment/{exp['id']}/fetch")
    assert response.status_code == 200
    return response.json()["events"]


def assert_error(response: Any, status: int, *words: str) -> None:
    assert response.status_code == status, response.text
    message = response.json()["error"]["message"]
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"


def post_rows(api: Api, rows: list[dict[str, Any]]) -> Any:
    return api.post("/logs3", content=orjson.dumps({"rows": rows, "api_version": 2}))


def good_row(exp: dict[str, Any], i: int) -> dict[str, Any]:
    return {"id": f"row-{i}", "experiment_id": exp["id"], "input": i, "scores": {"s": 0.5}}


def test_malformed_json_is_refused(api: Api, exp: dict[str, Any]) -> None:
    before = events(api, exp)
    body = b'{"rows": [{"id": "x", "experiment_id": "' + exp["id"].encode() + b'"'
    assert_error(api.post("/logs3", content=body), 400, "malformed JSON")
    assert_error(api.post("/logs3", content=b"[1, 2"), 400, "malformed JSON")
    assert_error(api.post("/logs3", content=b'{"rows": [{"scores": {"a": NaN}}]}'), 400, "malformed JSON")
    assert events(api, exp) == before


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"api_version": 2}, ["rows"]),
        ([1, 2], ["rows"]),
        ({"rows": {"id": "x"}}, ["rows", "list"]),
        ({"rows": ["not an object"]}, ["row 0", "object"]),
    ],
)
def test_body_of_the_wrong_shape_is_refused(
    api: Api, exp: dict[str, Any], body: Any, words: list[str]
) -> None:
    before = events(api, exp)
    assert_error(api.post("/logs3", json=body), 400, *words)
    assert events(api, exp) == before


BAD_FIELDS = [
    ({"scores": {"acc": 1.5}}, ["score 'acc'", "between 0 and 1"]),
    ({"scores": {"acc": -0.1}}, ["score 'acc'", "between 0 and 1"]),
    ({"scores": {"acc": "high"}}, ["score 'acc'", "number"]),
    ({"scores": {"acc": True}}, ["score 'acc'", "number"]),
    ({"scores": [0.5]}, ["scores must be an object"]),
    ({"metrics": {"start": "now"}}, ["metric 'start'", "number"]),
    ({"metrics": 3}, ["metrics must be an object"]),
    ({"tags": ["ok", 3]}, ["tags", "strings"]),
    ({"tags": "solo"}, ["tags", "strings"]),
    ({"created": "yesterday"}, ["created", "ISO-8601"]),
    ({"created": 1700000000}, ["created", "ISO-8601"]),
    ({"created": "0001-01-01T00:00:00+05:00"}, ["created", "ISO-8601"]),
    ({"metadata": ["a"]}, ["metadata must be an object"]),
    ({"span_parents": "parent"}, ["span_parents"]),
    ({"span_attributes": {"type": 5}}, ["span_attributes.type", "string"]),
    ({"id": 12}, ["id must be a non-empty string"]),
    ({"id": "x" * 2000}, ["id must be a non-empty string"]),
    ({"_is_merge": True, "_array_delete": [1]}, ["_array_delete"]),
    ({"_is_merge": True, "_array_delete": [{"path": [["tags"]], "delete": ["a"]}]}, ["_array_delete"]),
    ({"_is_merge": True, "_merge_paths": [["metadata", ["x"]]]}, ["_merge_paths"]),
    ({"_is_merge": True, "_merge_paths": "metadata"}, ["_merge_paths"]),
]


@pytest.mark.parametrize(("fields", "words"), BAD_FIELDS, ids=[str(f) for f, _ in BAD_FIELDS])
def test_bad_field_in_row_5_of_10_writes_none_of_them(
    api: Api, exp: dict[str, Any], fields: dict[str, Any], words: list[str]
) -> None:
    before = events(api, exp)
    rows = [good_row(exp, i) for i in range(10)]
    rows[5].update(fields)
    assert_error(post_rows(api, rows), 400, "row 5", *words)
    assert events(api, exp) == before


def test_comment_with_a_bad_created_is_refused(api: Api, exp: dict[str, Any]) -> None:
    before = events(api, exp)
    comment = {"experiment_id": exp["id"], "comment": {"text": "hm"}, "origin": {"id": "seed"}}
    assert_error(post_rows(api, [{**comment, "id": "c1", "created": "garbage"}]), 400, "row 0", "created")
    assert_error(post_rows(api, [{**comment, "id": {"no": 1}}]), 400, "row 0", "comment id")
    assert events(api, exp) == before


def test_row_without_destination_is_refused(api: Api, exp: dict[str, Any]) -> None:
    before = events(api, exp)
    rows = [good_row(exp, 0), {"id": "lost", "input": 1}]
    assert_error(post_rows(api, rows), 400, "row 1", "no destination")
    assert_error(post_rows(api, [{"id": "x", "project_id": "p", "log_id": "other"}]), 400, "no destination")
    assert events(api, exp) == before


@pytest.mark.parametrize("bad_id", [{}, [1], 7, ""])
def test_destination_id_of_the_wrong_type_is_refused(api: Api, exp: dict[str, Any], bad_id: Any) -> None:
    before = events(api, exp)
    assert_error(post_rows(api, [{"id": "x", "experiment_id": bad_id}]), 400, "experiment id")
    assert_error(post_rows(api, [{"id": "x", "dataset_id": bad_id}]), 400, "dataset id")
    assert events(api, exp) == before


def test_unknown_experiment_is_404_and_nothing_is_written(api: Api, exp: dict[str, Any]) -> None:
    before = events(api, exp)
    rows = [good_row(exp, 0), {"id": "x", "experiment_id": "00000000-0000-0000-0000-000000000000"}]
    assert_error(post_rows(api, rows), 404, "experiment", "00000000-0000-0000-0000-000000000000")
    assert events(api, exp) == before
    assert_error(api.get("/v1/experiment/nope/fetch"), 404, "nope")


def test_another_organizations_object_is_not_found(api: Api, exp: dict[str, Any]) -> None:
    """Reads and writes of another organization's object get the same 404 as an unknown id."""
    other_key = create_api_key(store_of(api), "other-org")
    other = {"Authorization": f"Bearer {other_key}"}
    before = events(api, exp)
    body = orjson.dumps({"rows": [good_row(exp, 1)]})
    assert_error(api.client.post("/logs3", content=body, headers=other), 404, exp["id"], "not found")
    assert_error(
        api.client.post(f"/v1/experiment/{exp['id']}/insert", json={"events": [{"input": 1}]}, headers=other),
        404,
        "not found",
    )
    assert_error(api.client.get(f"/v1/experiment/{exp['id']}/fetch", headers=other), 404, "not found")
    assert_error(api.client.get(f"/v1/experiment/{exp['id']}", headers=other), 404, "not found")
    assert_error(api.client.delete(f"/v1/experiment/{exp['id']}", headers=other), 404, "not found")
    unknown = api.client.get("/v1/experiment/00000000-0000-0000-0000-000000000000", headers=other)
    assert unknown.status_code == 404
    assert events(api, exp) == before


@pytest.mark.parametrize(
    ("headers", "words"),
    [
        ({}, ["missing API key"]),
        ({"Authorization": "Bearer "}, ["missing API key"]),
        ({"Authorization": "Basic abc"}, ["missing API key"]),
        ({"Authorization": "Bearer sk-assay-wrong"}, ["invalid API key"]),
    ],
)
def test_missing_or_invalid_key_is_401(
    api: Api, exp: dict[str, Any], headers: dict[str, str], words: list[str]
) -> None:
    before = events(api, exp)
    body = orjson.dumps({"rows": [good_row(exp, 1)]})
    assert_error(api.client.post("/logs3", content=body, headers=headers), 401, *words)
    assert_error(api.client.get(f"/v1/experiment/{exp['id']}/fetch", headers=headers), 401, *words)
    assert events(api, exp) == before


def test_body_over_the_limit_is_413(api: Api, exp: dict[str, Any]) -> None:
    before = events(api, exp)
    rows = [{**good_row(exp, i), "input": "x" * 1000} for i in range(1100)]  # ~1.2 MiB > 1 MiB limit
    assert_error(post_rows(api, rows), 413, "larger than the limit")

    def chunks():  # no Content-Length: the limit must hold on the streamed body too
        yield orjson.dumps({"rows": rows})

    assert_error(api.post("/logs3", content=chunks()), 413, "larger than the limit")
    assert events(api, exp) == before


def test_unknown_route_is_404_and_wrong_method_405(api: Api) -> None:
    assert_error(api.get("/v1/no-such-thing"), 404, "/v1/no-such-thing")
    assert_error(api.post("/logs4", json={}), 404, "/logs4")
    assert_error(api.get("/logs3"), 405, "GET", "/logs3")
    assert_error(api.put("/v1/project", json={}), 405, "PUT")


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("cursor=!!!", ["cursor"]),
        ("cursor=" + "eHl6", ["cursor"]),  # valid base64 of a key that is not ours
        ("version=abc", ["version"]),
        ("max_xact_id=1e5", ["max_xact_id"]),
        ("limit=0", ["limit"]),
        ("limit=lots", ["limit"]),
    ],
)
def test_invalid_fetch_parameters_are_400(
    api: Api, exp: dict[str, Any], query: str, words: list[str]
) -> None:
    assert_error(api.get(f"/v1/experiment/{exp['id']}/fetch?{query}"), 400, *words)


@pytest.mark.parametrize(
    ("body", "words"),
    [({"version": "x"}, ["version"]), ({"cursor": 5}, ["cursor"]), ({"limit": "many"}, ["limit"])],
)
def test_invalid_fetch_body_is_400(
    api: Api, exp: dict[str, Any], body: dict[str, Any], words: list[str]
) -> None:
    assert_error(api.post(f"/v1/experiment/{exp['id']}/fetch", json=body), 400, *words)


def test_insert_and_feedback_validate_like_logs3(api: Api, exp: dict[str, Any]) -> None:
    before = events(api, exp)
    url = f"/v1/experiment/{exp['id']}"
    assert_error(
        api.post(f"{url}/insert", json={"events": [{"input": 1}, {"scores": {"a": 2}}]}), 400, "row 1"
    )
    assert_error(api.post(f"{url}/insert", json={"events": "x"}), 400, "events")
    assert_error(api.post(f"{url}/feedback", json={"feedback": [{"id": 5}]}), 400, "row 0", "id")
    assert_error(
        api.post(f"{url}/feedback", json={"feedback": [{"id": "seed", "scores": {"a": "x"}}]}),
        400,
        "score 'a'",
    )
    assert events(api, exp) == before


@pytest.mark.parametrize("kind", ["project", "experiment", "dataset"])
def test_list_filter_by_ids_that_are_not_uuids_is_400(api: Api, exp: dict[str, Any], kind: str) -> None:
    """`?ids=false` could match nothing: it is refused, naming the parameter (issue 7 item 11)."""
    assert_error(api.get(f"/v1/{kind}", params={"ids": "false"}), 400, "ids")
    known = {"project": exp["project_id"], "experiment": exp["id"]}.get(kind)
    if known:
        listed = api.get(f"/v1/{kind}", params={"ids": known})
        assert [o["id"] for o in listed.json()["objects"]] == [known], listed.text

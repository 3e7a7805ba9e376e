"""`/v1/function`: scorers, classifiers and facets as project objects, in the reference's shapes;
definitions Assay cannot run are refused with a precise 400, and code is never accepted."""

from __future__ import annotations

import pytest

from tests.api.scoring_helpers import experiment, ok, sapi  # noqa: F401 - fixture
from tests.conftest import Api, database_url


def _create(api: Api, pid: str, **body: object):
    return api.post("/v1/function", json={"project_id": pid, **body})


def test_functions_are_created_listed_replaced_and_deleted(sapi: Api) -> None:  # noqa: F811
    pid, _ = experiment(sapi)
    exact = ok(
        _create(
            sapi, pid, name="exact", function_data={"type": "sql", "expression": "output = expected ? 1 : 0"}
        )
    )
    assert exact["function_type"] == "scorer" and exact["slug"] == "exact" and exact["log_id"] == "p"
    assert exact["_xact_id"].isdigit() and len(exact["version"]) == 16 and exact["org_id"]
    again = ok(_create(sapi, pid, name="exact", function_data={"type": "sql", "expression": "1"}))
    assert again == exact  # POST: the same slug returns the stored one unchanged
    replaced = ok(
        sapi.put(
            "/v1/function",
            json={"project_id": pid, "name": "exact", "function_data": {"type": "sql", "expression": "1"}},
        )
    )
    assert replaced["id"] == exact["id"] and replaced["version"] != exact["version"]
    cls = ok(
        _create(
            sapi,
            pid,
            name="refusal",
            function_type="classifier",
            function_data={"type": "rules", "rules": [{"label": "refusal", "regex": "(?i)sorry|cannot"}]},
        )
    )
    listed = ok(sapi.get("/v1/function", params={"project_id": pid}))["objects"]
    assert [f["name"] for f in listed] == ["refusal", "exact"]  # newest first
    assert [
        f["id"]
        for f in ok(sapi.get("/v1/function", params={"project_id": pid, "function_type": "classifier"}))[
            "objects"
        ]
    ] == [cls["id"]]
    assert ok(sapi.get("/v1/function", params={"slug": "exact"}))["objects"][0]["id"] == exact["id"]
    patched = ok(sapi.patch(f"/v1/function/{cls['id']}", json={"description": "labels refusals"}))
    assert patched["description"] == "labels refusals" and patched["version"] == cls["version"]
    ok(sapi.delete(f"/v1/function/{cls['id']}"))
    assert sapi.get(f"/v1/function/{cls['id']}").status_code == 404
    assert [f["name"] for f in ok(sapi.get("/v1/function", params={"project_id": pid}))["objects"]] == [
        "exact"
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"function_data": {"type": "code", "data": {"type": "inline", "code": "1"}}},
            "never runs user-supplied",
        ),
        ({"function_data": {"type": "global", "name": "NoSuchScorer"}}, "unknown built-in scorer"),
        (
            {"function_data": {"type": "global", "name": "Levenshtein", "args": {"x": 1}}},
            "takes the arguments",
        ),
        ({"function_data": {"type": "sql", "expression": "read_csv('/etc/passwd')"}}, "read_csv"),
        ({"function_data": {"type": "sql", "expression": "nosuchfield + 1"}}, "unknown field"),
        ({"function_data": {"type": "rules", "rules": [{"label": "x", "regex": "a"}]}}, "make classifiers"),
        (
            {"function_type": "task", "function_data": {"type": "prompt"}},
            "keeps scorer, classifier and facet",
        ),
        ({"function_data": {"type": "prompt"}}, "prompt_data.prompt"),
        (
            {
                "function_data": {"type": "prompt"},
                "prompt_data": {
                    "prompt": {"type": "chat", "messages": [{"role": "user", "content": "Rate {{output}}"}]}
                },
            },
            "choice_scores",
        ),
        (
            {
                "function_type": "classifier",
                "function_data": {"type": "rules", "rules": [{"label": "x", "regex": "a", "when": "true"}]},
            },
            "exactly one of",
        ),
        (
            {
                "function_type": "classifier",
                "function_data": {"type": "rules", "rules": [{"label": "x", "regex": "(a"}]},
            },
            "rule 'x': regexp_matches: '(a' is not a regular expression",
        ),
    ],
)
def test_definitions_assay_cannot_run_are_refused(sapi: Api, body: dict, message: str) -> None:  # noqa: F811
    pid, _ = experiment(sapi)
    res = _create(sapi, pid, name="f", **body)
    assert res.status_code == 400, res.text
    assert message in res.json()["error"]["message"]
    assert ok(sapi.get("/v1/function", params={"project_id": pid}))["objects"] == []


def test_builtins_list_says_what_runs_here_and_the_key_is_never_shown(tmp_path, db_backend, request) -> None:
    from tests.api.scoring_helpers import scoring_api

    gen = scoring_api(
        tmp_path,
        database_url(request, db_backend, "functions"),
        llm_base_url="http://127.0.0.1:9/v1",
        llm_api_key="sk-secret-key",
        llm_model="m",
    )
    api = next(gen)
    try:
        builtins = {b["name"]: b for b in ok(api.get("/v1/function_builtin"))}
        assert {"Levenshtein", "ExactMatch", "NumericDiff", "JSONDiff", "ValidJSON", "ListContains"} <= set(
            builtins
        )
        assert builtins["Levenshtein"]["needs_llm"] is False and builtins["Factuality"]["needs_llm"] is True
        assert builtins["Factuality"]["available"] is True and builtins["Task"]["function_type"] == "facet"
        status = api.get("/v1/llm")
        assert status.json() == {
            "configured": True,
            "base_url": "http://127.0.0.1:9/v1",
            "model": "m",
            "embeddings_model": None,
            "key_set": True,
        }
        assert "sk-secret-key" not in status.text
        assert "sk-secret-key" not in api.get("/openapi.json").text
    finally:
        gen.close()


def test_without_an_llm_judges_are_listed_unavailable(sapi: Api) -> None:  # noqa: F811
    builtins = {b["name"]: b for b in ok(sapi.get("/v1/function_builtin"))}
    assert builtins["Factuality"]["available"] is False and builtins["ExactMatch"]["available"] is True
    assert ok(sapi.get("/v1/llm"))["configured"] is False


def test_another_organizations_functions_are_not_found(sapi: Api) -> None:  # noqa: F811
    from assay.services.auth import create_api_key
    from tests.api.scoring_helpers import services_of

    pid, _ = experiment(sapi)
    fn = ok(_create(sapi, pid, name="mine", function_data={"type": "global", "name": "Levenshtein"}))
    other = create_api_key(services_of(sapi).store, "other-org")
    headers = {"Authorization": f"Bearer {other}"}
    assert sapi.client.get(f"/v1/function/{fn['id']}", headers=headers).status_code == 404
    assert sapi.client.get("/v1/function", headers=headers).json()["objects"] == []
    res = sapi.client.post(
        "/v1/function",
        headers=headers,
        json={"project_id": pid, "name": "x", "function_data": {"type": "global", "name": "Levenshtein"}},
    )
    assert res.status_code == 404


def test_invoke_still_fails_as_the_sdks_expect(sapi: Api) -> None:  # noqa: F811
    res = sapi.post("/function/invoke", json={"function_id": "x"})
    assert res.status_code == 404 and "does not invoke functions" in res.json()["error"]["message"]
    assert ok(sapi.get("/v1/prompt"))["objects"] == []

"""LLM judges, LLM classifiers and LLM facets against a scripted OpenAI-compatible server on
127.0.0.1 (the only stand-in the tests use): the requests Assay sends are checked (key, model,
rendered prompt, the choice tool), the answers become score, label and facet spans with the
judge's rationale, and a failing call is that row's scorer error, not the job's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.scoring_helpers import experiment, log_cases, ok, run_jobs, score_spans, scoring_api
from tests.conftest import Api, database_url
from tests.llm_server import ScriptedLLM, last_user_text, text_reply, tool_choice

CASES = [
    {"input": "What is 2+2?", "output": "4", "expected": "4"},
    {"input": "Capital of France?", "output": "Lyon", "expected": "Paris"},
    {"input": "I was charged twice", "output": "Refunded", "expected": None},
]


def _respond(path: str, body: dict[str, Any]) -> dict[str, Any] | tuple[int, dict[str, Any]]:
    """Recorded answers, chosen by what the request asks (as a real judge would read it)."""
    text = last_user_text(body) + " ".join(str(m.get("content")) for m in body["messages"])
    tools = body.get("tools") or []
    if tools:
        # autoevals' judges force the `select_choice` tool; its enum is the judge's choices.
        assert body["tool_choice"] == {"type": "function", "function": {"name": "select_choice"}}
        enum = tools[0]["function"]["parameters"]["properties"]["choice"]["enum"]
        if "France" in text and "billing" in enum:  # the classifier's call fails on this row
            return (503, {"error": {"message": "overloaded", "type": "server_error"}})
        if "Lyon" in text:
            return tool_choice("N" if "N" in enum else "D", "Lyon is not the capital.")
        if "charged twice" in text and "billing" in enum:
            return tool_choice("billing", "A charge.")
        if "charged twice" in text:
            return (400, {"error": {"message": "content policy", "type": "invalid_request_error"}})
        return tool_choice("Y" if "Y" in enum else ("tech" if "tech" in enum else "E"), "Matches.")
    return text_reply("Ask for arithmetic" if "2+2" in text else "none")


@pytest.fixture
def judged(
    tmp_path: Path, db_backend: str, request: pytest.FixtureRequest
) -> Iterator[tuple[Api, ScriptedLLM]]:
    with ScriptedLLM(_respond) as llm:
        gen = scoring_api(
            tmp_path,
            database_url(request, db_backend, "judges"),
            llm_base_url=llm.base_url,
            llm_api_key=llm.key,
            llm_model="test-judge",
            llm_max_retries=1,
        )
        api = next(gen)
        try:
            yield api, llm
        finally:
            gen.close()
        assert llm.problems == []  # every request Assay sent was well-formed


def test_judges_classifiers_and_facets_write_their_answers_and_rationale(
    judged: tuple[Api, ScriptedLLM],
) -> None:
    api, llm = judged
    pid, eid = experiment(api)
    log_cases(api, eid, CASES)
    judge = ok(
        api.post(
            "/v1/function",
            json={
                "project_id": pid,
                "name": "correct",
                "function_data": {"type": "prompt"},
                "prompt_data": {
                    "prompt": {
                        "type": "chat",
                        "messages": [
                            {"role": "user", "content": "Q: {{input}}\nA: {{output}}\nIs the answer correct?"}
                        ],
                    },
                    "parser": {"type": "llm_classifier", "use_cot": True, "choice_scores": {"Y": 1, "N": 0}},
                },
            },
        )
    )
    topic = ok(
        api.post(
            "/v1/function",
            json={
                "project_id": pid,
                "name": "topic",
                "function_type": "classifier",
                "function_data": {"type": "prompt"},
                "prompt_data": {
                    "prompt": {
                        "type": "chat",
                        "messages": [{"role": "user", "content": "Topic of: {{input}}"}],
                    },
                    "parser": {"choices": ["billing", "tech"]},
                },
            },
        )
    )
    scorers = [
        {"type": "function", "id": judge["id"]},
        {"type": "function", "id": topic["id"]},
        {"type": "global", "name": "Factuality"},
        {"type": "global", "name": "Task", "function_type": "facet"},
    ]
    job = ok(api.post("/v1/job", json={"kind": "score", "object_id": eid, "scorers": scorers}))
    run_jobs(api)
    job = ok(api.get(f"/v1/job/{job['id']}"))
    # Row 2's Factuality call is refused (a 400), row 1's classifier call keeps failing (a 503,
    # retried): scorer errors of those rows; the job goes on.
    assert (job["state"], job["done"], job["failed"]) == ("done", 1, 2)

    by = {(s["span_parents"][0], s["span_attributes"]["name"]): s for s in score_spans(api, eid)}
    assert len(by) == 12
    assert by[("root-0", "correct")]["scores"] == {"correct": 1.0}
    wrong = by[("root-1", "correct")]
    assert wrong["scores"] == {"correct": 0.0}
    assert wrong["metadata"]["rationale"] == "Lyon is not the capital." and wrong["metadata"]["choice"] == "N"
    assert by[("root-2", "topic")]["classifications"] == {
        "topic": [{"id": "billing", "label": "billing", "metadata": {"rationale": "A charge."}}]
    }
    assert by[("root-0", "Factuality")]["scores"] == {"Factuality": 1.0}  # choice E: 1
    assert by[("root-1", "Factuality")]["scores"] == {"Factuality": 0.0}  # choice D (disagrees): 0
    failed = by[("root-2", "Factuality")]
    assert "content policy" in json.dumps(failed["error"]) and not failed.get("scores")
    assert (
        "overloaded" in by[("root-1", "topic")]["error"] and "classifications" not in by[("root-1", "topic")]
    )
    errors = ok(
        api.post(
            f"/v1/experiment/{eid}/table",
            json={"row_type": "traces", "filters": ["metrics.scorer_errors > 0"]},
        )
    )["rows"]
    assert sorted(r["id"] for r in errors) == ["root-1", "root-2"]  # a classifier's failure counts too
    assert by[("root-0", "Task")]["facets"] == {"Task": "Ask for arithmetic"}
    assert by[("root-1", "Task")]["facets"] == {"Task": "no_match"}  # "none" from the model

    chats = [body for path, body in llm.requests if path == "/v1/chat/completions"]
    rendered = [last_user_text(b) for b in chats if "Is the answer correct?" in last_user_text(b)]
    assert any("Q: Capital of France?\nA: Lyon" in t for t in rendered)  # the template, filled in
    assert all(b["model"] == "test-judge" for b in chats)
    facet = next(b for b in chats if "span by span" in last_user_text(b) and "2+2" in last_user_text(b))
    assert "tools" not in facet  # a facet asks for text
    assert "sk-test-llm" not in json.dumps(score_spans(api, eid))  # the key stays on the server


def test_rate_limited_calls_are_retried(
    tmp_path: Path, db_backend: str, request: pytest.FixtureRequest
) -> None:
    calls = {"n": 0}

    def respond(path: str, body: dict[str, Any]) -> dict[str, Any] | tuple[int, dict[str, Any]]:
        calls["n"] += 1
        if calls["n"] == 1:
            return 429, {"error": {"message": "slow down", "type": "rate_limit_error"}}
        return tool_choice("E")

    with ScriptedLLM(respond) as llm:
        gen = scoring_api(
            tmp_path,
            database_url(request, db_backend, "judges"),
            llm_base_url=llm.base_url,
            llm_api_key=llm.key,
            llm_model="test-judge",
        )
        api = next(gen)
        try:
            _, eid = experiment(api)
            log_cases(api, eid, CASES[:1])
            job = ok(
                api.post(
                    "/v1/job",
                    json={
                        "kind": "score",
                        "object_id": eid,
                        "scorers": [{"type": "global", "name": "Factuality"}],
                    },
                )
            )
            run_jobs(api)
            assert ok(api.get(f"/v1/job/{job['id']}"))["done"] == 1
            assert score_spans(api, eid)[0]["scores"] == {"Factuality": 1.0}
            assert calls["n"] == 2
        finally:
            gen.close()
        assert llm.problems == []


def test_an_llm_judge_without_a_configured_llm_is_refused_when_the_job_is_created(
    tmp_path: Path, db_backend: str, request: pytest.FixtureRequest
) -> None:
    gen = scoring_api(tmp_path, database_url(request, db_backend, "judges"))
    api = next(gen)
    try:
        _, eid = experiment(api)
        log_cases(api, eid, CASES[:1])
        res = api.post(
            "/v1/job",
            json={"kind": "score", "object_id": eid, "scorers": [{"type": "global", "name": "Factuality"}]},
        )
        assert res.status_code == 400 and "ASSAY_LLM_BASE_URL" in res.json()["error"]["message"]
        assert ok(api.get("/v1/job"))["objects"] == []
    finally:
        gen.close()

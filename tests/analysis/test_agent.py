"""The chat agent against a scripted OpenAI-compatible server on 127.0.0.1 (the only stand-in):
it calls the analyses as tools, cites only rows the tools returned, asks before it writes, and
keeps its conversations per project."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assay.server.app import create_app, wrap
from assay.server.settings import Settings
from assay.services.auth import create_api_key
from assay.store import open_store
from tests.analysis.planted import log_in_batches, planted_rows
from tests.conftest import Api
from tests.llm_server import ScriptedLLM, text_reply, tool_calls
from tests.query.helpers import make_experiment, make_project


class Script:
    """Answers the agent's requests in order; each step checks the request it gets."""

    def __init__(self) -> None:
        self.steps: list[Any] = []

    def __call__(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        assert path == "/v1/chat/completions"
        assert {t["function"]["name"] for t in body["tools"]} >= {"find_slices", "create_dataset", "run_sql"}
        assert body["messages"][0]["role"] == "system"
        return self.steps.pop(0)(body)


@pytest.fixture
def llm() -> Iterator[tuple[ScriptedLLM, Script]]:
    script = Script()
    with ScriptedLLM(script) as server:
        yield server, script
    assert server.problems == []


@pytest.fixture
def chat_api(tmp_path: Path, llm: tuple[ScriptedLLM, Script]) -> Iterator[Api]:
    cfg = Settings(
        data_dir=tmp_path,
        job_workers=0,
        llm_base_url=llm[0].base_url,
        llm_api_key="sk-test-llm",
        llm_model="test-judge",
    )
    store = open_store(cfg.resolved_db_url())
    key = create_api_key(store, cfg.org_name)
    with TestClient(wrap(create_app(cfg, store), cfg)) as client:
        yield Api(client, key)
    store.close()


@pytest.fixture
def experiment(chat_api: Api) -> tuple[str, str]:
    pid = make_project(chat_api, "chat")
    eid = make_experiment(chat_api, pid, "exp")
    rows, _ = planted_rows(eid, 400, effect=lambda m: -0.3 if m["topic"] == "law" else 0.0)
    log_in_batches(chat_api, rows)
    return pid, eid


def tool_result(body: dict[str, Any], name: str) -> Any:
    found = [m for m in body["messages"] if m["role"] == "tool" and m["name"] == name]
    assert found, f"no {name} result in the request"
    return json.loads(found[-1]["content"])


def post(api: Api, eid: str, **body: Any) -> dict[str, Any]:
    res = api.post(f"/v1/experiment/{eid}/assistant/chat", json=body)
    assert res.status_code == 200, res.text
    return res.json()


def test_the_agent_answers_with_an_analysis_and_cites_only_rows_it_saw(chat_api, experiment, llm):
    pid, eid = experiment
    server, script = llm
    seen: dict[str, str] = {}

    def ask_for_slices(body):
        assert body["messages"][-1] == {"role": "user", "content": "Where does the model do badly?"}
        return tool_calls(("find_slices", {"score": "acc", "pairs": False}))

    def answer(body):
        report = tool_result(body, "find_slices")
        first = report["slices"][0]
        assert first["values"] == [{"key": "topic", "value": "law"}]
        seen["trace"] = first["examples"][0]["root_span_id"]
        return text_reply(
            f"Law questions score {first['diff']:.2f} lower [trace:{seen['trace']}] [trace:invented-id]"
        )

    script.steps += [ask_for_slices, answer]
    out = post(chat_api, eid, message="Where does the model do badly?")
    roles = [(m["role"], [c["name"] for c in m["tool_calls"]]) for m in out["messages"]]
    assert roles == [("user", []), ("assistant", ["find_slices"]), ("tool", []), ("assistant", [])]
    assert out["pending"] is None
    assert out["citations"] == [{"root_span_id": seen["trace"], "experiment_id": eid}]
    assert len(server.requests) == 2

    # Kept per project: listed, and read back as it was.
    listed = chat_api.get(f"/v1/project/{pid}/assistant/conversations").json()["objects"]
    assert [(c["id"], c["title"]) for c in listed] == [
        (out["conversation_id"], "Where does the model do badly?")
    ]
    again = chat_api.get(f"/v1/assistant/conversation/{out['conversation_id']}").json()
    assert again["messages"] == out["messages"] and again["citations"] == out["citations"]

    # A follow-up continues the same conversation, with everything before it sent along.
    def follow_up(body):
        assert [m["role"] for m in body["messages"][1:]] == ["user", "assistant", "tool", "assistant", "user"]
        return text_reply("That is all.")

    script.steps.append(follow_up)
    more = post(chat_api, eid, conversation_id=out["conversation_id"], message="Anything else?")
    assert more["messages"][-1]["content"] == "That is all." and more["citations"] == []


def test_a_tool_that_writes_waits_for_confirmation(chat_api, experiment, llm):
    pid, eid = experiment
    _, script = llm
    create = ("create_dataset", {"selection": {"filters": ["scores.acc < 0.3"]}, "dataset_name": "low"})
    script.steps.append(lambda body: tool_calls(create))
    out = post(chat_api, eid, message="Make a dataset of the bad rows")
    assert out["pending"]["name"] == "create_dataset" and out["pending"]["writes"] is True
    assert chat_api.get("/v1/dataset", params={"project_id": pid}).json()["objects"] == []
    # Another message cannot skip the question.
    res = chat_api.post(
        f"/v1/experiment/{eid}/assistant/chat",
        json={"conversation_id": out["conversation_id"], "message": "hi"},
    )
    assert res.status_code == 400 and "waits for confirm" in res.text

    def done(body):
        result = tool_result(body, "create_dataset")
        assert result["written"] is True and result["rows"] > 0
        return text_reply(f"Created the dataset with {result['rows']} rows.")

    script.steps.append(done)
    confirmed = post(chat_api, eid, conversation_id=out["conversation_id"], confirm=True)
    assert confirmed["pending"] is None
    found = chat_api.get("/v1/dataset", params={"project_id": pid}).json()["objects"]
    assert [d["name"] for d in found] == ["low"]
    count = chat_api.post(f"/v1/experiment/{eid}/table/count", json={"filters": ["scores.acc < 0.3"]}).json()
    assert f"with {count['total']} rows" in confirmed["messages"][-1]["content"]


def test_a_declined_write_is_not_run(chat_api, experiment, llm):
    pid, eid = experiment
    _, script = llm
    create = ("create_dataset", {"selection": {"filters": ["true"]}, "dataset_name": "all"})
    script.steps.append(lambda body: tool_calls(create))
    out = post(chat_api, eid, message="Copy everything into a dataset")

    def declined(body):
        assert tool_result(body, "create_dataset") == {"declined": "the user declined this action"}
        return text_reply("Understood, nothing was created.")

    script.steps.append(declined)
    post(chat_api, eid, conversation_id=out["conversation_id"], confirm=False)
    assert chat_api.get("/v1/dataset", params={"project_id": pid}).json()["objects"] == []


def test_a_failing_tool_call_is_reported_to_the_model(chat_api, experiment, llm):
    _, eid = experiment
    _, script = llm
    script.steps.append(
        lambda body: tool_calls(("run_sql", {"query": "SELECT nope FROM nowhere"}), ("no_such_tool", {}))
    )

    def recover(body):
        assert "error" in tool_result(body, "run_sql")
        assert "no tool named 'no_such_tool'" in tool_result(body, "no_such_tool")["error"]
        return text_reply("The query failed.")

    script.steps.append(recover)
    out = post(chat_api, eid, message="Run a query")
    assert out["messages"][-1]["content"] == "The query failed."


def test_without_an_llm_the_chat_says_how_to_configure_one(api):
    pid = make_project(api, "nollm")
    eid = make_experiment(api, pid, "exp")
    res = api.post(f"/v1/experiment/{eid}/assistant/chat", json={"message": "hello"})
    assert res.status_code == 400 and "ASSAY_LLM_BASE_URL" in res.text


def test_an_llm_that_fails_is_a_502(tmp_path):
    with ScriptedLLM(lambda path, body: (500, {"error": {"message": "down"}})) as server:
        cfg = Settings(data_dir=tmp_path, job_workers=0, llm_base_url=server.base_url, llm_api_key="sk-test-llm",
                       llm_model="test-judge", llm_max_retries=0)  # fmt: skip
        store = open_store(cfg.resolved_db_url())
        key = create_api_key(store, cfg.org_name)
        with TestClient(wrap(create_app(cfg, store), cfg)) as client:
            api = Api(client, key)
            eid = make_experiment(api, make_project(api, "down"), "exp")
            res = api.post(f"/v1/experiment/{eid}/assistant/chat", json={"message": "hello"})
        store.close()
    assert res.status_code == 502 and "answered 500" in res.text


def test_starting_a_scoring_job_waits_for_confirmation(chat_api, experiment, llm):
    pid, eid = experiment
    _, script = llm
    start = (
        "start_scoring_job",
        {"scorers": [{"type": "global", "name": "Levenshtein"}], "filter": {"filters": ["scores.acc < 0.2"]}},
    )
    script.steps.append(lambda body: tool_calls(start))
    out = post(chat_api, eid, message="Score the worst rows with Levenshtein")
    assert out["pending"]["name"] == "start_scoring_job"
    assert chat_api.get("/v1/job", params={"project_id": pid}).json()["objects"] == []

    def started(body):
        job = tool_result(body, "start_scoring_job")
        assert job["kind"] == "score" and job["object_id"] == eid and job["total"] > 0
        return text_reply(f"Started job {job['id']}.")

    script.steps.append(started)
    post(chat_api, eid, conversation_id=out["conversation_id"], confirm=True)
    jobs = chat_api.get("/v1/job", params={"project_id": pid}).json()["objects"]
    assert len(jobs) == 1 and jobs[0]["object_id"] == eid

"""The assistant panel with an LLM configured (a scripted OpenAI-compatible server on 127.0.0.1,
the only stand-in): a typed question goes to the chat agent, the tool it called is shown, the
traces it cites are links, and a write waits for the user's Confirm."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from assay.testing import sign_in
from tests.analysis.planted import planted_rows
from tests.conftest import Server, database_url, start_server
from tests.llm_server import ScriptedLLM, text_reply, tool_calls

pytestmark = pytest.mark.browser


class Script:
    def __init__(self) -> None:
        self.steps: list[Any] = []

    def __call__(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.steps.pop(0)(body)


@pytest.fixture(scope="module")
def llm() -> Iterator[tuple[ScriptedLLM, Script]]:
    script = Script()
    with ScriptedLLM(script) as server:
        yield server, script
    assert server.problems == []


@pytest.fixture(scope="module")
def chat_server(
    tmp_path_factory: pytest.TempPathFactory,
    llm: tuple[ScriptedLLM, Script],
    db_backend: str,
    request: pytest.FixtureRequest,
) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("chat-server")
    env = {
        "ASSAY_LLM_BASE_URL": llm[0].base_url,
        "ASSAY_LLM_API_KEY": "sk-test-llm",
        "ASSAY_LLM_MODEL": "test-judge",
    }
    srv = start_server(data_dir, env=env, db_url=database_url(request, db_backend, "chat"))
    yield srv
    srv.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def experiment(chat_server: Server) -> dict[str, str]:
    h = {"Authorization": f"Bearer {chat_server.key}"}
    pid = httpx.post(f"{chat_server.url}/v1/project", json={"name": "chat"}, headers=h).json()["id"]
    eid = httpx.post(
        f"{chat_server.url}/v1/experiment", json={"project_id": pid, "name": "exp"}, headers=h
    ).json()["id"]
    rows, _ = planted_rows(eid, 300, effect=lambda m: -0.3 if m["topic"] == "law" else 0.0)
    httpx.post(
        f"{chat_server.url}/logs3", json={"rows": rows, "api_version": 2}, headers=h, timeout=60
    ).raise_for_status()
    return {"project": pid, "id": eid}


@pytest.fixture
def chat_page(browser: Any, chat_server: Server, tmp_path: Path) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1600, "height": 1600})
    sign_in(context, chat_server.url, chat_server.key)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    yield pg
    context.close()
    assert not errors, errors


def tool_result(body: dict[str, Any], name: str) -> Any:
    return json.loads(
        [m for m in body["messages"] if m["role"] == "tool" and m["name"] == name][-1]["content"]
    )


def test_a_typed_question_is_answered_by_the_agent_with_its_tool_calls_and_links(
    chat_page: Any,
    chat_server: Server,
    experiment: dict[str, str],
    llm: tuple[ScriptedLLM, Script],
    tmp_path: Path,
) -> None:
    _, script = llm
    cited: dict[str, str] = {}

    def answer(body: dict[str, Any]) -> dict[str, Any]:
        cited["id"] = tool_result(body, "find_slices")["slices"][0]["examples"][0]["root_span_id"]
        return text_reply(f"Law questions do worst, e.g. [trace:{cited['id']}].")

    script.steps += [lambda body: tool_calls(("find_slices", {"pairs": False})), answer]
    chat_page.goto(f"{chat_server.url}/app/local/p/chat/experiments/exp?assistant=1")
    panel = chat_page.get_by_role("complementary", name="Assistant")
    panel.get_by_text("typed ones by the LLM").wait_for()
    ask = panel.get_by_role("textbox", name="Ask the assistant")
    ask.fill("Where is it weakest?")
    ask.press("Enter")
    convo = panel.get_by_role("region", name="Conversation with the LLM")
    convo.get_by_text("Law questions do worst").wait_for()
    assert convo.locator("details summary", has_text="find_slices").count() == 1  # the call is shown
    link = convo.get_by_role("link", name=cited["id"][:8])
    link.click()
    chat_page.wait_for_url(f"**tr={cited['id']}**")


def test_a_write_waits_for_confirm(
    chat_page: Any, chat_server: Server, experiment: dict[str, str], llm: tuple[ScriptedLLM, Script]
) -> None:
    _, script = llm
    create = ("create_dataset", {"selection": {"filters": ["scores.acc < 0.3"]}, "dataset_name": "low rows"})
    script.steps += [
        lambda body: tool_calls(create),
        lambda body: text_reply(f"Created it with {tool_result(body, 'create_dataset')['rows']} rows."),
    ]
    chat_page.goto(f"{chat_server.url}/app/local/p/chat/experiments/exp?assistant=1")
    panel = chat_page.get_by_role("complementary", name="Assistant")
    panel.get_by_text("typed ones by the LLM").wait_for()
    ask = panel.get_by_role("textbox", name="Ask the assistant")
    ask.fill("Put the bad rows in a dataset")
    ask.press("Enter")
    confirm = panel.get_by_role("group", name="Confirm the action")
    confirm.wait_for()
    h = {"Authorization": f"Bearer {chat_server.key}"}
    listed = httpx.get(
        f"{chat_server.url}/v1/dataset", params={"project_id": experiment["project"]}, headers=h
    ).json()
    assert listed["objects"] == []
    confirm.get_by_role("button", name="Confirm").click()
    panel.get_by_text("Created it with").wait_for()
    listed = httpx.get(
        f"{chat_server.url}/v1/dataset", params={"project_id": experiment["project"]}, headers=h
    ).json()
    assert [d["name"] for d in listed["objects"]] == ["low rows"]

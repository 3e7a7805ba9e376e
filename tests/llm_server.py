"""A scripted OpenAI-compatible server on 127.0.0.1: the only stand-in the tests use.

It answers `POST /v1/chat/completions` and `POST /v1/embeddings` with recorded responses (in the
exact shape the OpenAI API answers), chosen by the test's `respond(path, body)`, and it checks
every request it receives: the path, the bearer key, the model, a well-formed body. Anything
unexpected is answered with a 400 and recorded in `problems`, which the test asserts is empty.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Respond = Callable[[str, dict[str, Any]], dict[str, Any] | tuple[int, dict[str, Any]]]


def tool_choice(choice: str, reasons: str = "Because.", *, model: str = "test-judge") -> dict[str, Any]:
    """A recorded chat completion that calls `select_choice` (what autoevals' judges expect)."""
    return {
        "id": "chatcmpl-recorded",
        "object": "chat.completion",
        "created": 1_760_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_recorded",
                            "type": "function",
                            "function": {
                                "name": "select_choice",
                                "arguments": json.dumps({"reasons": reasons, "choice": choice}),
                            },
                        }
                    ],
                },
                "finish_reason": "tool_calls",
            }
        ],
        "usage": {"prompt_tokens": 120, "completion_tokens": 20, "total_tokens": 140},
    }


def text_reply(text: str, *, model: str = "test-judge") -> dict[str, Any]:
    """A recorded chat completion answering with text."""
    return {
        "id": "chatcmpl-recorded",
        "object": "chat.completion",
        "created": 1_760_000_000,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 80, "completion_tokens": 8, "total_tokens": 88},
    }


def embeddings(vectors: list[list[float]], *, model: str = "test-embed") -> dict[str, Any]:
    return {
        "object": "list",
        "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)],
        "model": model,
        "usage": {"prompt_tokens": 10, "total_tokens": 10},
    }


def tool_calls(*calls: tuple[str, dict[str, Any]], model: str = "test-judge") -> dict[str, Any]:
    """A recorded chat completion calling these tools (name, arguments), ids call_0, call_1, …"""
    return {
        "id": "chatcmpl-recorded",
        "object": "chat.completion",
        "created": 1_760_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": f"call_{i}",
                            "type": "function",
                            "function": {"name": n, "arguments": json.dumps(a)},
                        }
                        for i, (n, a) in enumerate(calls)
                    ],
                },
                "finish_reason": "tool_calls",
            }
        ],
        "usage": {"prompt_tokens": 200, "completion_tokens": 20, "total_tokens": 220},
    }


def last_user_text(body: dict[str, Any]) -> str:
    return next(str(m.get("content")) for m in reversed(body["messages"]) if m.get("role") == "user")


class ScriptedLLM:
    """Start with `with ScriptedLLM(respond) as llm:`; `llm.base_url` is the API's base URL."""

    def __init__(
        self, respond: Respond, *, key: str = "sk-test-llm", models: tuple[str, ...] = ("test-judge",)
    ) -> None:
        self.respond = respond
        self.key = key
        self.models = models
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.problems: list[str] = []
        self.delay = 0.0
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                size = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(size)
                status, answer = outer._answer(self.path, self.headers.get("authorization"), raw)
                if outer.delay:
                    time.sleep(outer.delay)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def _problem(self, text: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.problems.append(text)
        return 400, {"error": {"message": text, "type": "invalid_request_error"}}

    def _answer(self, path: str, auth: str | None, raw: bytes) -> tuple[int, dict[str, Any]]:
        if auth != f"Bearer {self.key}":
            return self._problem(f"bad Authorization header {auth!r}")
        if path not in ("/v1/chat/completions", "/v1/embeddings"):
            return self._problem(f"unexpected path {path}")
        try:
            body = json.loads(raw)
        except ValueError:
            return self._problem("the body is not JSON")
        if body.get("model") not in self.models:
            return self._problem(f"unexpected model {body.get('model')!r}")
        if path.endswith("chat/completions"):
            messages = body.get("messages")
            if (
                not isinstance(messages, list)
                or not messages
                or not all(
                    isinstance(m, dict) and m.get("role") in ("system", "user", "assistant", "tool")
                    for m in messages
                )
            ):
                return self._problem("messages must be a non-empty list of {role, content}")
            called: set[str] = set()
            for m in messages:
                called |= {c.get("id") for c in m.get("tool_calls") or [] if isinstance(c, dict)}
                if m["role"] == "tool" and m.get("tool_call_id") not in called:
                    return self._problem(
                        f"a tool message answers no earlier tool call: {m.get('tool_call_id')!r}"
                    )
        elif not isinstance(body.get("input"), list) or not all(isinstance(t, str) for t in body["input"]):
            return self._problem("embeddings input must be a list of strings")
        with self._lock:
            self.requests.append((path, body))
        try:
            found = self.respond(path, body)
        except Exception as exc:  # the script does not know this request: a test failure
            return self._problem(f"no recorded response for this request ({exc!r})")
        return found if isinstance(found, tuple) else (200, found)

    def __enter__(self) -> ScriptedLLM:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

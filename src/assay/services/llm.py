"""The one client of an OpenAI-compatible API: LLM judges, classifiers, facets and embeddings.

Configured by the settings (`ASSAY_LLM_BASE_URL`, `ASSAY_LLM_API_KEY`, `ASSAY_LLM_MODEL`, …); the
key never leaves the server. Every call goes through one limiter per server (at most
`llm_concurrency` calls in flight, at most `llm_requests_per_minute` started per minute) and is
retried with backoff after a 429, a 5xx or a timeout. `autoevals`' model-graded scorers run on
this client too (`autoevals_client`), so their prompts and parsing are the library's own while
the transport, limits and retries are Assay's.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

import httpx
from autoevals.oai import LLMClient as AutoevalsLLMClient

from assay.model.errors import InvalidInput
from assay.server.settings import Settings

NOT_CONFIGURED = (
    "no LLM is configured: set ASSAY_LLM_BASE_URL (an OpenAI-compatible API), ASSAY_LLM_API_KEY and "
    "ASSAY_LLM_MODEL on the server (see docs/scoring.md)"
)


class LLMError(Exception):
    """A call failed after its retries; the message says why (never the key)."""


class RateLimiter:
    """At most `per_minute` starts in any 60 s window, and at most `concurrency` at once."""

    def __init__(self, concurrency: int, per_minute: int) -> None:
        self._slots = threading.BoundedSemaphore(concurrency)
        self._per_minute = per_minute
        self._starts: deque[float] = deque()
        self._lock = threading.Lock()

    def __enter__(self) -> RateLimiter:
        self._slots.acquire()
        if self._per_minute:
            while True:
                with self._lock:
                    now = time.monotonic()
                    while self._starts and now - self._starts[0] >= 60.0:
                        self._starts.popleft()
                    if len(self._starts) < self._per_minute:
                        self._starts.append(now)
                        break
                    wait = 60.0 - (now - self._starts[0])
                time.sleep(min(max(wait, 0.01), 1.0))
        return self

    def __exit__(self, *_: object) -> None:
        self._slots.release()


@dataclass(frozen=True)
class LLMStatus:
    """What the web app may know of the configuration: never the key."""

    configured: bool
    base_url: str | None
    model: str
    embeddings_model: str | None
    key_set: bool


class LLM:
    """Calls to the configured endpoint; one per server (see `for_settings`)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limiter = RateLimiter(settings.llm_concurrency, settings.llm_requests_per_minute)
        self._http: httpx.Client | None = None
        self._lock = threading.Lock()

    @property
    def configured(self) -> bool:
        return self.settings.llm_configured()

    def status(self) -> LLMStatus:
        s = self.settings
        return LLMStatus(
            s.llm_configured(), s.llm_base_url, s.llm_model, s.embeddings_model, bool(s.llm_api_key)
        )

    def require(self) -> None:
        if not self.configured:
            raise InvalidInput(NOT_CONFIGURED)

    def _client(self) -> httpx.Client:
        with self._lock:
            if self._http is None:
                s = self.settings
                headers = {"content-type": "application/json"}
                if s.llm_api_key is not None:
                    headers["authorization"] = f"Bearer {s.llm_api_key.get_secret_value()}"
                self._http = httpx.Client(
                    base_url=str(s.llm_base_url).rstrip("/") + "/",
                    headers=headers,
                    timeout=s.llm_timeout_s,
                    limits=httpx.Limits(max_connections=s.llm_concurrency),
                )
            return self._http

    def close(self) -> None:
        with self._lock:
            if self._http is not None:
                self._http.close()
                self._http = None

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST `body` to `path` (relative to the base URL) with limits and retries; the JSON answer."""
        if not self.configured:
            raise LLMError(NOT_CONFIGURED)
        attempts = self.settings.llm_max_retries + 1
        delay = 0.5
        last = ""
        for attempt in range(attempts):
            try:
                with self.limiter:
                    resp = self._client().post(path, json=body)
            except httpx.TimeoutException:
                last = f"the LLM endpoint did not answer within {self.settings.llm_timeout_s:g} s"
            except httpx.HTTPError as exc:
                last = f"cannot reach the LLM endpoint: {type(exc).__name__}"
            else:
                if resp.status_code == 200:
                    try:
                        answer = resp.json()
                    except ValueError:
                        raise LLMError("the LLM endpoint answered with something other than JSON") from None
                    if not isinstance(answer, dict):
                        raise LLMError("the LLM endpoint answered with JSON that is not an object")
                    return answer
                last = f"the LLM endpoint answered {resp.status_code}: {resp.text[:300]}"
                if resp.status_code != 429 and resp.status_code < 500:
                    raise LLMError(last)
            if attempt + 1 < attempts:
                time.sleep(delay)
                delay = min(delay * 2, 8.0)
        raise LLMError(last)

    def chat(self, body: dict[str, Any]) -> dict[str, Any]:
        """A chat completion; `model` defaults to the configured one."""
        return self.post("chat/completions", {"model": self.settings.llm_model, **body})

    def complete_text(self, messages: list[dict[str, Any]], model: str | None = None, **params: Any) -> str:
        """The text of the first choice of a chat completion."""
        answer = self.chat({"messages": messages, **({"model": model} if model else {}), **params})
        try:
            content = answer["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise LLMError("the LLM answer has no choices[0].message") from None
        if not isinstance(content, str):
            raise LLMError("the LLM answer has no text content")
        return content

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Embeddings of `texts` with the configured embedding model, in order."""
        model = self.settings.embeddings_model
        if not model:
            raise LLMError("no embedding model is configured (ASSAY_EMBEDDINGS_MODEL)")
        answer = self.post("embeddings", {"model": model, "input": texts})
        try:
            items = sorted(answer["data"], key=lambda d: d.get("index", 0))
            vectors = [[float(x) for x in item["embedding"]] for item in items]
        except (KeyError, TypeError, ValueError):
            raise LLMError("the embeddings answer is not {data: [{embedding: [...]}, ...]}") from None
        if len(vectors) != len(texts):
            raise LLMError(f"asked for {len(texts)} embeddings, got {len(vectors)}")
        return vectors

    def autoevals_client(self) -> AutoevalsLLMClient:
        """This client in the shape `autoevals` calls (`complete(**request)` → a response dict)."""
        return _AutoevalsAdapter(openai=None, complete=self._autoevals_complete, RateLimitError=_NeverRaised)

    def _autoevals_complete(self, **request: Any) -> dict[str, Any]:
        request.pop("span_info", None)
        request.pop("use_responses_api", None)
        return self.chat(request)


class _NeverRaised(Exception):
    """`autoevals` retries on its client's rate-limit error; Assay retries itself, so none reaches it."""


class _AutoevalsAdapter(AutoevalsLLMClient):
    """An `autoevals` client whose calls go through `LLM` (no OpenAI SDK, no wrapping)."""

    def __post_init__(self) -> None:  # the base class would import and wrap the OpenAI SDK
        self._is_wrapped = False

"""Every response carries the security headers; pages get the strict policy, data never becomes a
page; 405 answers say what is allowed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api

COMMON = {"x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "no-referrer"}


def assert_secured(response: Any, page: bool) -> None:
    for name, value in COMMON.items():
        assert response.headers[name] == value, name
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    if page:
        assert "script-src 'self'" in policy and "unsafe" not in policy
    else:
        assert policy.startswith("default-src 'none'")


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/version", 200),
        ("get", "/v1/project", 200),
        ("get", "/v1/experiment/nope", 404),
        ("get", "/no/such/route", 404),
        ("put", "/v1/project", 405),
        ("post", "/logs3", 400),
        ("get", "/openapi.json", 200),
    ],
)
def test_api_answers_carry_the_headers(api: Api, method: str, url: str, status: int) -> None:
    response = getattr(api, method)(url)
    assert response.status_code == status, response.text
    assert_secured(response, page=False)
    assert "connection" not in response.headers  # a 4xx keeps the connection usable


def test_answers_of_the_body_limits_carry_them_too(api: Api) -> None:
    deep = b'{"rows": ' + b"[" * 200 + b"]" * 200 + b"}"
    response = api.post("/logs3", content=deep)
    assert response.status_code == 400
    assert_secured(response, page=False)
    big = api.post("/logs3", content=b"[" + b"1," * 600_000 + b"1]")
    assert big.status_code == 413
    assert_secured(big, page=False)


@pytest.mark.parametrize("url", ["/app/", "/app/local/p/demo/experiments/x", "/docs"])
def test_pages_get_the_strict_policy(api: Api, url: str) -> None:
    response = api.client.get(url)
    assert response.status_code == 200
    assert_secured(response, page=True)


def test_docs_come_from_packaged_assets(api: Api) -> None:
    page = api.client.get("/docs").text
    assert "cdn" not in page.lower() and "http" not in page
    for asset in (
        "/docs/assets/swagger-ui-bundle.js",
        "/docs/assets/swagger-ui.css",
        "/docs/assets/start.js",
    ):
        assert asset in page
        response = api.client.get(asset)
        assert response.status_code == 200 and len(response.content) > 100
    assert api.client.get("/docs/assets/index.html").status_code == 404
    assert api.client.get("/redoc").status_code == 404  # FastAPI's CDN-loaded ReDoc is gone


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("put", "/v1/project", "GET, POST"),
        ("delete", "/v1/experiment", "GET, POST"),
        ("put", "/v1/experiment/some-id", "DELETE, GET, PATCH"),
        ("get", "/logs3", "POST"),
        ("post", "/v1/experiment/some-id/summarize", "GET"),
        ("delete", "/v1/experiment/some-id/fetch", "GET, POST"),
    ],
)
def test_405_says_which_methods_are_allowed(api: Api, method: str, url: str, allowed: str) -> None:
    response = getattr(api, method)(url)
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == allowed
    assert allowed in response.json()["error"]["message"]

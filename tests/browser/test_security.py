"""The web app works under its strict Content-Security-Policy, `/docs` renders from packaged
assets with no other host reached, and a `?api_key=` link asks before replacing who is signed in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assay.testing import sign_in
from tests.browser.conftest import OWNER_EMAIL, Demo, experiment_url

pytestmark = pytest.mark.browser


def blocked_by_policy(page: Any) -> list[str]:
    found: list[str] = page.evaluate("() => window.__violations || []")
    return found


def watch_violations(context: Any) -> None:
    context.add_init_script(
        """window.__violations = [];
        document.addEventListener('securitypolicyviolation',
          e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"""
    )


def test_the_app_runs_under_a_strict_policy(page: Any, demo: Demo) -> None:
    watch_violations(page.context)
    response = page.goto(experiment_url(demo))
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy and response.headers["x-content-type-options"] == "nosniff"
    page.locator(".datatable [role=row][data-row-id]").first.wait_for()
    page.keyboard.press("Escape")
    page.goto(f"{demo.url}/app/")
    page.get_by_text("demo").first.wait_for()
    assert blocked_by_policy(page) == []  # the page fixture also fails on any reported violation


def test_docs_render_from_packaged_assets_offline(browser: Any, demo: Demo, tmp_path: Path) -> None:
    context = browser.new_context()
    watch_violations(context)
    page = context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    response = page.goto(f"{demo.url}/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".opblock-summary-path", has_text="/logs3").first.wait_for(timeout=30_000)
    assert page.locator(".opblock").count() > 20
    page.screenshot(path=str(tmp_path / "docs.png"))
    assert hosts == {demo.url.split("/")[2]}
    assert blocked_by_policy(page) == [] and errors == []
    context.close()


def signed_in_as(page: Any, demo: Demo) -> str | None:
    """Whom this browser's session cookie signs in (None: nobody)."""
    res = page.context.request.get(f"{demo.url}/api/session")
    return str(res.json()["user"]["email"]) if res.ok else None


@pytest.mark.parametrize("accept", [False, True])
def test_a_key_in_a_link_asks_before_replacing_who_is_signed_in(
    browser: Any, demo: Demo, accept: bool
) -> None:
    # a session of its own: accepting signs it out, which must not end the other tests' session
    context = browser.new_context()
    sign_in(context, demo.url, demo.server.key)
    page = context.new_page()
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.on("dialog", answer)
    page.goto(f"{demo.url}/app/?api_key=sk-assay-someone-else")
    page.wait_for_function("() => !location.search.includes('api_key')")
    if accept:  # the link's key is used: this server refuses it, so the app asks to sign in
        page.wait_for_url("**/app/login")
        assert signed_in_as(page, demo) is None
    else:
        page.get_by_text("demo").first.wait_for()
        assert signed_in_as(page, demo) == OWNER_EMAIL
        page.goto(f"{demo.url}/app/?api_key={demo.server.key}")  # the same account's key: nothing to ask
        page.wait_for_function("() => !location.search.includes('api_key')")
        page.get_by_text("demo").first.wait_for()
    assert len(asked) == 1 and "Replace your current sign-in" in asked[0]
    context.close()


def test_a_key_in_a_link_signs_in_a_browser_without_one(browser: Any, demo: Demo) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.on("dialog", lambda d: pytest.fail(f"unexpected dialog: {d.message}"))
    page.goto(f"{demo.url}/app/?api_key={demo.server.key}")
    page.get_by_text("demo").first.wait_for()
    assert signed_in_as(page, demo) == OWNER_EMAIL  # a session, not a key kept in the page
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.includes('key'))") == []
    context.close()

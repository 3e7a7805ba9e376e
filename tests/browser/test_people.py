"""People, as users meet them: signing in, inviting a member who signs in with the link, API keys,
signing out, and a forged cross-site form that the server refuses."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.browser.conftest import fill_link_form
from tests.conftest import free_port

pytestmark = pytest.mark.browser


def test_an_owner_invites_a_member_who_signs_in_with_the_link(browser, page, demo):
    page.goto(demo.url + "/app/")
    page.get_by_role("button", name="Account: Olive Owner").click()
    page.get_by_role("menuitem", name="Members").click()
    page.get_by_role("heading", name="Members").wait_for()
    page.get_by_role("button", name="Invite member").click()
    page.get_by_label("Email").fill("vera@example.com")
    page.get_by_label("Group").select_option("Viewers")
    page.get_by_role("button", name="Invite", exact=True).click()
    link = page.get_by_label("Invitation link").inner_text()
    assert "/app/accept#token=" in link
    page.get_by_role("button", name="Close").click()
    row = page.locator("tr[data-member='vera@example.com']")
    assert "invited" in row.inner_text() and "Viewers" in row.inner_text()

    other = browser.new_context()
    member = other.new_page()
    fill_link_form(member, link, "vera's password", name="Vera Viewer")
    member.get_by_role("link", name="demo").wait_for()  # viewers see the projects
    member.get_by_role("button", name="Account: Vera Viewer").click()
    member.get_by_role("menuitem", name="Sign out", exact=True).click()
    member.get_by_role("heading", name="Sign in to Assay").wait_for()
    member.goto(link)  # the link worked once
    member.get_by_role("alert").filter(has_text="already used").wait_for()
    other.close()
    page.reload()
    assert "active" in page.locator("tr[data-member='vera@example.com']").inner_text()


def test_api_keys_are_shown_once_and_revoked(page, demo):
    page.goto(demo.url + "/app/settings/keys")
    page.get_by_role("button", name="Create API key").click()
    page.get_by_label("Name").fill("notebook")
    page.get_by_role("button", name="Create", exact=True).click()
    key = page.get_by_label("New API key").inner_text()
    headers = {"Authorization": f"Bearer {key}"}
    assert httpx.get(demo.url + "/v1/project", headers=headers).status_code == 200
    page.get_by_role("button", name="Close").click()
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Revoke notebook").click()
    page.locator("tr[data-key='notebook']").wait_for(state="detached")
    assert httpx.get(demo.url + "/v1/project", headers=headers).status_code == 401


@pytest.fixture
def evil_site(demo) -> Iterator[str]:
    """Another origin's page with a form that posts to Assay, as a cross-site forgery would."""
    form = f"""<!doctype html><form id=f method=post action="{demo.url}/v1/project" enctype="text/plain">
    <input name='{{"name":"forged","x":"' value='"}}'><button>go</button></form>"""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(form.encode())

        def log_message(self, *args: Any) -> None:
            pass

    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}/"
    server.shutdown()


def test_a_cross_site_form_post_without_the_csrf_token_is_refused(page, demo, evil_site):
    page.goto(demo.url + "/app/")
    page.get_by_role("heading", name="Projects").wait_for()  # signed in: the browser holds the cookie
    page.goto(evil_site)
    with page.expect_response(lambda r: r.url.startswith(demo.url + "/v1/project")) as answer:
        page.locator("#f button").click()
    assert answer.value.status in (401, 403)
    names = [p["name"] for p in demo.get("/v1/project")["objects"]]
    assert "forged" not in names

"""Headers every response carries: the security policy of the page it may become, and
`Connection: close` after a server error.

- The web app (`/app/`) runs under a strict Content-Security-Policy: scripts, styles, fonts and
  API calls from this origin only, no inline scripts or styles, no plugins, no framing. A logged
  value that slipped past React's escaping could not run, and no third-party script can read
  the API key the app keeps in local storage.
- `/docs` (Swagger UI, served from a packaged copy, see `docs.py`) gets the same policy, with
  `data:` images for its icons.
- Everything else (JSON, CSV, errors) gets `default-src 'none'`: such a response is never a page.
- Every response: `nosniff` (a JSON body with HTML in it is never rendered as HTML), no framing
  (`X-Frame-Options` for old browsers, `frame-ancestors` for new ones), no `Referer` sent from
  the app's pages (URLs carry object ids and filters).
- A 5xx answer carries `Connection: close`: after an internal failure the server closes the
  connection, and a client told so in advance opens a new one instead of sending its next
  request into a connection that is being reset.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
PAGE_PREFIXES = ("/app", "/docs")

COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]


def policy_for(path: str) -> str:
    is_page = any(path == p or path.startswith(p + "/") for p in PAGE_PREFIXES)
    return PAGE_POLICY if is_page else DATA_POLICY


class SecurityHeaders:
    """The outermost layer, so that even answers of the body limits carry the headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [*COMMON, (b"content-security-policy", policy_for(scope["path"]).encode())]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in extra if k not in present]  # a route's own policy wins
                if message["status"] >= 500 and b"connection" not in present:
                    headers.append((b"connection", b"close"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)

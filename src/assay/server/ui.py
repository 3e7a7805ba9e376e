"""Serving the built web app at `/app/`.

The UI is a single-page app built from `ui/` into `static/` by the install step. Every client route
under `/app/` (an experiment page, a permalink) answers with `index.html` so a reload or a shared link
works; files that exist (hashed assets) are served as they are. Without a build the server says so
plainly instead of answering 404s the user cannot explain.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

STATIC = Path(__file__).with_name("static")

NOT_BUILT = """<!doctype html><html><head><meta charset="utf-8"><title>Assay</title></head>
<body style="font-family:system-ui;max-width:40rem;margin:4rem auto">
<h1>The Assay web app is not built</h1>
<p>The API works, but the browser app was not built into this installation.
Build it with <code>make ui</code> (needs Node.js 20 and npm), then reload this page.</p>
</body></html>"""


def _resolve(path: str) -> Path | None:
    """The file under STATIC for `path`, refusing anything that escapes the folder."""
    if not path:
        return None
    candidate = (STATIC / path).resolve()
    root = STATIC.resolve()
    if root not in candidate.parents or not candidate.is_file():
        return None
    return candidate


def install(app: FastAPI) -> None:
    """Add `/` → `/app/` and the `/app/...` routes (kept out of the OpenAPI schema)."""

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/app/", status_code=307)

    @app.get("/app", include_in_schema=False)
    def app_root() -> RedirectResponse:
        return RedirectResponse("/app/", status_code=307)

    @app.get("/app/{path:path}", include_in_schema=False)
    def spa(path: str) -> Response:
        found = _resolve(path)
        if found is not None:
            cache = "public, max-age=31536000, immutable" if path.startswith("assets/") else "no-cache"
            return FileResponse(found, headers={"Cache-Control": cache})
        index = STATIC / "index.html"
        if not index.is_file():
            return HTMLResponse(NOT_BUILT, status_code=503)
        if path.startswith("assets/"):
            return Response("asset not found", status_code=404, media_type="text/plain")
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

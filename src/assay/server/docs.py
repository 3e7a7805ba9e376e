"""`/docs`: the interactive API reference (Swagger UI) from a packaged copy, never a CDN.

FastAPI's own `/docs` page loads Swagger UI from a CDN without integrity checks, so a third-party
script would run on the origin where the web app keeps its API key, and the page would not work
offline. Here the assets come from the pinned `swagger-ui-bundle-v2` package, and the page has no
inline script, so it runs under the same strict Content-Security-Policy as the web app.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response
from swagger_ui_bundle import swagger_ui_path

ASSETS = {  # name -> media type: the only files served from the package
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "favicon-32x32.png": "image/png",
}
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Assay API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/start.js"></script>
</body>
</html>
"""
START = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
"""


def install(app: FastAPI) -> None:
    """Add `/docs` and its assets (kept out of the OpenAPI schema)."""

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(PAGE, headers={"Cache-Control": "no-cache"})

    @app.get("/docs/assets/start.js", include_in_schema=False)
    def start() -> Response:
        return Response(START, media_type="text/javascript", headers={"Cache-Control": "no-cache"})

    @app.get("/docs/assets/{name}", include_in_schema=False)
    def asset(name: str) -> Response:
        if name not in ASSETS:
            return Response("no such asset", status_code=404, media_type="text/plain")
        return FileResponse(
            swagger_ui_path / name,
            media_type=ASSETS[name],
            headers={"Cache-Control": "public, max-age=86400"},
        )

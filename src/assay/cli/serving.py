"""Running the server: bind the socket first, so the printed URL is the real one (even for port 0)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assay.cli.admin import advertised
from assay.server.app import create_app, wrap
from assay.server.collector import tune_for_serving
from assay.server.settings import Settings
from assay.services.access import AccessPolicy
from assay.store import Store


def bind(settings: Settings) -> socket.socket:
    """The listening socket, bound before the server starts (so the URL is known at once).

    Its protocol is named, IPPROTO_TCP: accepted connections inherit it, and asyncio turns off
    Nagle's algorithm (TCP_NODELAY) only on sockets that say they are TCP. With proto 0 every
    response whose body is written after its headers waited for the client's delayed ACK, about
    40 ms a request."""
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.host, settings.port))
    return sock


def url_of(sock: socket.socket, settings: Settings) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return settings.public_url or f"http://{shown}:{port}"


def closing_on_shutdown(app: ASGIApp, store: Store, *, then: Callable[[], None] = lambda: None) -> ASGIApp:
    """Close `store` (finishing writes and checkpointing the WAL) when the server shuts down,
    inside the ASGI lifespan: uvicorn raises SIGTERM/SIGINT again once it has shut down, so code
    after `server.run()` may never run. `then` runs next (e.g. removing the server file)."""

    async def closing(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return

        async def on_send(message: Message) -> None:
            if message["type"] == "lifespan.shutdown.complete":
                await run_in_threadpool(store.close)
                then()
            await send(message)

        await app(scope, receive, on_send)

    return closing


def run(settings: Settings, store: Store, on_ready: Callable[[str], None]) -> None:
    """Serve until interrupted; call `on_ready(url)` once the server accepts connections.

    While it serves, `assay users` and `assay keys` reach the database through it (the server
    file of `cli.admin`, with an admin token valid for this run only)."""
    sock = bind(settings)
    url = url_of(sock, settings)
    with advertised(settings, url) as (token, withdraw):
        app = create_app(settings, store, AccessPolicy(store, admin=(token, settings.org_name)))
        _serve(app, settings, store, sock, url, on_ready, withdraw)


def _serve(
    app: FastAPI,
    settings: Settings,
    store: Store,
    sock: socket.socket,
    url: str,
    on_ready: Callable[[str], None],
    withdraw: Callable[[], None],
) -> None:
    config = uvicorn.Config(
        closing_on_shutdown(wrap(app, settings), store, then=withdraw),
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)

    def watch() -> None:
        while not server.started and not server.should_exit:
            threading.Event().wait(0.05)
        if server.started:
            on_ready(url)

    threading.Thread(target=watch, daemon=True).start()
    tune_for_serving()
    try:
        server.run(sockets=[sock])
    finally:
        store.close()

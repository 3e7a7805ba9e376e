"""The socket `assay serve` listens on: its connections send small writes at once (TCP_NODELAY).

A response is written as headers then body; with Nagle's algorithm on, the body waits for the
client's delayed ACK (about 40 ms on Linux) on every keep-alive request. asyncio, which uvicorn
serves on, turns Nagle off only for sockets whose protocol says TCP, so the pre-bound listening
socket must say so."""

from __future__ import annotations

import asyncio
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from assay.cli.serving import bind
from assay.server.settings import Settings


def test_connections_accepted_on_the_bound_socket_have_nagle_turned_off(tmp_path: Path) -> None:
    sock = bind(Settings(data_dir=tmp_path, host="127.0.0.1", port=0))
    port = sock.getsockname()[1]

    async def accepted_nodelay() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            conn = writer.get_extra_info("socket")
            seen.set_result(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(on_connection, sock=sock)
        async with server:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            value = await asyncio.wait_for(seen, 10)
            writer.close()
        return value

    # A thread of its own: in the whole suite the session's Playwright (sync API) keeps an event
    # loop running on the main thread, where asyncio.run refuses to start another.
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, accepted_nodelay()).result(timeout=30) != 0

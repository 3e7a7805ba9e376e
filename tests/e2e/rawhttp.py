"""A bare HTTP/1.1 client on one socket, for tests that must see what a client library hides:
whether a keep-alive connection survives a response, and whether a chunked body really ended."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from urllib.parse import urlsplit


class IncompleteBody(Exception):
    """The connection ended before the body did (no final chunk, or fewer bytes than declared)."""

    def __init__(self, received: bytes) -> None:
        super().__init__(f"body ended after {len(received)} bytes")
        self.received = received


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes


class RawConnection:
    def __init__(self, url: str, *, receive_buffer: int | None = None, timeout: float = 60) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer:  # a small window makes the server wait for us (backpressure)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(timeout)
        self.sock.connect((self.host, parts.port or 80))
        self.file = self.sock.makefile("rb")

    def close(self) -> None:
        self.file.close()
        self.sock.close()

    def __enter__(self) -> RawConnection:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def send(self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"") -> None:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}", f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)

    def read_head(self) -> tuple[int, dict[str, str]]:
        status_line = self.file.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection before answering")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while (line := self.file.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        return status, headers

    def read_body(self, headers: dict[str, str], first: int | None = None) -> bytes:
        """The whole body; with `first`, only (about) that many bytes of it."""
        if "content-length" in headers:
            want = int(headers["content-length"])
            data = self.file.read(want if first is None else min(want, first))
            if first is None and len(data) < want:
                raise IncompleteBody(data)
            return data
        out = bytearray()
        while first is None or len(out) < first:
            size_line = self.file.readline()
            if not size_line.strip():
                raise IncompleteBody(bytes(out))
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                self.file.readline()  # the CRLF after the last chunk
                return bytes(out)
            chunk = self.file.read(size + 2)
            if len(chunk) < size + 2:
                raise IncompleteBody(bytes(out) + chunk[:size])
            out += chunk[:size]
        return bytes(out)

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> RawResponse:
        self.send(method, path, headers, body)
        status, head = self.read_head()
        return RawResponse(status, head, self.read_body(head) if method != "HEAD" else b"")

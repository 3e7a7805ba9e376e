"""Short-lived signed URLs: what lets a client without the API key upload or fetch one attachment.

The SDKs `PUT` to the upload URL and `GET` the download URL with no `Authorization` header (they
expect object-store URLs), and a browser `<img>` cannot send one either. So such a URL carries a
token: what it allows (`put` or `get`), on which organization's attachment key, until when,
signed with HMAC-SHA256 under a server secret. The secret is `ASSAY_SIGNING_KEY`, else a random
key kept in the database when servers share one (PostgreSQL), else a random key created once in
the folder beside the database file (servers sharing a bucket but not a database set the same one).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import orjson

from assay.model.errors import Forbidden, InvalidInput

KEY_FILE = "signing.key"


def load_secret(configured: str | None, folder: Path, shared: bytes | None = None) -> bytes:
    """The configured secret, else the one the database keeps for all its servers (`shared`,
    see `Store.shared_secret`), else the one kept in `folder/signing.key` (created on first use)."""
    if configured:
        return configured.encode()
    if shared is not None:
        return shared
    path = folder / KEY_FILE
    folder.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as out:
        out.write(secrets.token_urlsafe(48).encode())
        out.flush()
        os.fsync(out.fileno())
    return path.read_bytes().strip()


@dataclass(frozen=True)
class Grant:
    action: str  # "put" | "get"
    org_id: str
    key: str
    expires: int  # unix seconds


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    def __init__(self, secret: bytes) -> None:
        self.secret = secret

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self.secret, payload, hashlib.sha256).digest()

    def sign(self, action: str, org_id: str, key: str, ttl_s: int) -> str:
        payload = orjson.dumps({"a": action, "o": org_id, "k": key, "x": int(time.time()) + ttl_s})
        return f"{_b64(payload)}.{_b64(self._mac(payload))}"

    def verify(self, token: str, action: str) -> Grant:
        """The grant a token carries; 403 when it is forged, expired or for another action."""
        body, _, mac = token.partition(".")
        try:
            payload, signature = _unb64(body), _unb64(mac)
        except (ValueError, TypeError):
            raise InvalidInput("malformed attachment URL token") from None
        if not hmac.compare_digest(signature, self._mac(payload)):
            raise Forbidden("invalid attachment URL signature")
        claims = orjson.loads(payload)
        grant = Grant(claims["a"], claims["o"], claims["k"], int(claims["x"]))
        if grant.action != action:
            raise Forbidden(f"this attachment URL allows {grant.action}, not {action}")
        if grant.expires < time.time():
            raise Forbidden("this attachment URL has expired; ask GET /attachment for a new one")
        return grant

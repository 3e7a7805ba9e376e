"""The demo's API key, kept in the data directory so that re-running `assay demo` prints the same one.

The database stores only a key's hash, so the clear key the demo prints is also written to
`<data dir>/demo-api-key`, readable by its owner only (as `signing.key` beside it). A saved key is
reused while the database still knows it; otherwise (a new database, `--reset`) a new one is made.
"""

from __future__ import annotations

import os
from pathlib import Path

from assay.demo.account import DEMO_EMAIL
from assay.services.auth import create_api_key, hash_token
from assay.store.base import Store

FILE = "demo-api-key"
NAME = "demo"


def path_in(data_dir: Path) -> Path:
    return data_dir / FILE


def saved(store: Store, data_dir: Path) -> str | None:
    """The saved key, if there is one and the database still accepts it."""
    path = path_in(data_dir)
    if not path.is_file():
        return None
    key = path.read_text().strip()
    return key if key and store.people.find_api_key(hash_token(key)) is not None else None


def demo_key(store: Store, data_dir: Path, org_name: str, *, new: bool = False) -> tuple[str, bool]:
    """The demo user's key and whether it was reused; `new` makes (and saves) a fresh one regardless.
    The demo user must exist (`account.demo_user`)."""
    key = None if new else saved(store, data_dir)
    if key is not None:
        return key, True
    key = create_api_key(store, org_name, NAME, email=DEMO_EMAIL)  # the demo user's (an owner)
    path = path_in(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(key + "\n")
    return key, False

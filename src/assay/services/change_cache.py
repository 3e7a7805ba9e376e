"""Answers read from people, keys, access rules and the catalog, reused until any of them changes.

The SDK's 100-row `/logs3` requests each authenticate their key and resolve the object they
write to; read from the database every time, that is eight statements (~5 ms) per request, a
fifth of what the request costs the server. What they read changes only through writes other
than row data, and the store counts those (`Store.change_count`: it moves after such a write
commits and before its caller gets the answer). So an answer computed under a count is reused
while the count stays put: a revoked key, a removed member, a changed ACL or a deleted
experiment is seen from the moment the change is acknowledged. A store that cannot tell (None:
other processes may write to it) is asked every time. Only answers are kept, never failures.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from assay.store.base import Store

V = TypeVar("V")


class ChangeCache(Generic[V]):
    """At most `limit` answers by key, each with the change count it was computed under."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._items: dict[Hashable, tuple[int, V]] = {}

    def get(self, store: Store, key: Hashable, compute: Callable[[], V]) -> V:
        at = store.change_count()  # read before anything it vouches for
        if at is None:
            return compute()
        hit = self._items.get(key)
        if hit is not None and hit[0] == at:
            return hit[1]
        value = compute()
        items = self._items if len(self._items) < self.limit else {}
        items[key] = (at, value)  # an entry of an older count is simply never hit again
        self._items = items
        return value

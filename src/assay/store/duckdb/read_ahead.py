"""Reading the next fetch page while the client is busy with the last one.

A client reading a whole object (the SDK's `fetch()`, a script paging with the cursor) asks for
page after page, and between two requests it downloads and parses the page it got: on a 2-core
machine that was about as long as the server took to write the page. So when a fetch page has a
cursor, the next page (same object, same limit, that cursor) is written in the background on one
thread, and the request for it takes that page instead of writing it again.

A page read ahead is served only if nothing was committed since before it was read: the stamp
(the writer's commit and change counts, see `WriterThread.commit_count`) is taken before the page's
snapshot and compared when the page is asked for, so a page served from here is the one a read at
that moment would write; otherwise the request reads afresh. One page is held at a time, and at
most one is being written (the store reads none ahead after a page of more than 64 Mi characters:
memory); a failure there only means the request reads the page itself.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor

from assay.store.base import FetchPage

log = logging.getLogger(__name__)

Stamp = tuple[int, int]


class ReadAhead:
    def __init__(self, stamp: Callable[[], Stamp]) -> None:
        self._stamp = stamp
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="assay-read-ahead")
        self._lock = threading.Lock()
        self._held: tuple[Hashable, Stamp, Future[FetchPage]] | None = None
        self._closed = False

    def take(self, key: Hashable) -> FetchPage | None:
        """The page read ahead for `key`, if it is still what a read now would find."""
        with self._lock:
            held = self._held
            if held is None or held[0] != key:
                return None
            self._held = None
        _, stamp, future = held
        try:
            page = future.result()  # still being written: waiting for it is the shorter way
        except Exception:
            log.debug("a page read ahead failed; the request reads it itself", exc_info=True)
            return None
        return page if stamp == self._stamp() else None

    def start(self, key: Hashable, read: Callable[[], FetchPage]) -> None:
        """Read the page `key` in the background with `read`, in place of any page held."""
        stamp = self._stamp()  # before the page's snapshot is taken
        with self._lock:
            if self._closed:
                return
            if self._held is not None:
                self._held[2].cancel()  # if it has not started yet
            self._held = (key, stamp, self._pool.submit(read))

    def close(self) -> None:
        """Drop the page held and wait for one being written (before the database closes)."""
        with self._lock:
            self._closed = True
            self._held = None
        self._pool.shutdown(wait=True, cancel_futures=True)

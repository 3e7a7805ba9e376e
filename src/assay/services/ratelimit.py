"""Failed sign-ins are rate-limited per email and per client address.

A sliding window of recent failures per key, kept in memory (one server process owns a DuckDB
file; with several servers each counts its own). When a key has `limit` failures within `window`
seconds, further attempts are refused with 429 until the oldest failure leaves the window, even
with the right password, so guessing gains nothing by going fast.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from assay.model.errors import AssayError


class TooManyAttempts(AssayError):
    status_code = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class FailureLimiter:
    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        found = self._failures.setdefault(key, deque())
        while found and found[0] <= now - self.window:
            found.popleft()
        return found

    def check(self, *keys: str) -> None:
        """Raise TooManyAttempts when any key is over its limit."""
        now = self.clock()
        with self._lock:
            for key in keys:
                recent = self._recent(key, now)
                if len(recent) >= self.limit:
                    wait = max(1, math.ceil(recent[0] + self.window - now))
                    raise TooManyAttempts(
                        f"too many failed sign-ins; try again in {wait} seconds", retry_after=wait
                    )

    def fail(self, *keys: str) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeed(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


class SignInGuard:
    """Failed sign-ins counted per email and per client address (4x the per-email limit)."""

    def __init__(self, limit: int, window: float) -> None:
        self.by_email = FailureLimiter(limit, window)
        self.by_client = FailureLimiter(4 * limit, window)

    def check(self, email: str, client: str) -> None:
        self.by_email.check(email)
        self.by_client.check(client)

    def fail(self, email: str, client: str) -> None:
        self.by_email.fail(email)
        self.by_client.fail(client)

    def succeed(self, email: str) -> None:
        self.by_email.succeed(email)

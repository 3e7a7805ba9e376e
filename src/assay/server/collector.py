"""Tuning Python's cyclic garbage collector for a long-running server.

An ingest request makes thousands of short-lived dicts and lists (6,500 from parsing a
1,000-span `/logs3` body alone, more for each row's copies while it is validated and encoded),
and reference counting frees nearly all of them. With the default thresholds (a young collection
every 700 net allocations) the collector still ran ~17 young collections per 1,000-span request,
and each full collection walked every object the server made at start-up (the app, its routes
and models, compiled statements), all under the interpreter lock. Measured with
`bench/ingest.py --spans 120000 --sdk-spans 0` (see docs/performance.md): the collector took
2.9-3.1 s of the 23-26 s of server CPU; frozen start-up objects and a 10,000-allocation young
generation cut it to 0.5-0.7 s.

Cyclic garbage still gets collected, a little later; only the objects alive when the server
starts are moved out of the collector's sight, and those live as long as the process.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000  # net allocations between young collections (CPython's default: 700)


def tune_for_serving() -> None:
    """Freeze everything alive now and make young collections rarer; call once, just before
    the server starts taking requests."""
    gc.collect()  # what start-up left as garbage goes now, not into the permanent generation
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)

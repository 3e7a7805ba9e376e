"""The server's garbage-collector tuning (`assay.server.collector`): start-up objects frozen,
young collections rarer, and cyclic garbage made afterwards still collected on its own."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from assay.server.collector import YOUNG_THRESHOLD, tune_for_serving


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture
def tuned() -> Iterator[None]:
    before = gc.get_threshold()
    tune_for_serving()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_start_up_objects_are_frozen_and_young_collections_rarer(tuned: None) -> None:
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD


def test_a_cycle_made_later_is_still_collected_without_an_explicit_collect(tuned: None) -> None:
    a, b = Node(), Node()
    a.other, b.other = b, a
    gone = weakref.ref(a)
    del a, b
    # Allocating more containers than the young threshold triggers a collection by itself.
    kept = [[] for _ in range(YOUNG_THRESHOLD * 3)]
    assert gone() is None
    assert len(kept) == YOUNG_THRESHOLD * 3

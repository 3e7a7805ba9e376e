"""What a user sees in the experiment table, read from the page."""

from __future__ import annotations

from typing import Any


def wait_rows(page: Any, total: int, kind: str = "traces") -> None:
    noun = kind.removesuffix("s") if total == 1 else kind  # the footer says "1 trace", "2 traces"
    page.locator(".table-footer").filter(has_text=f"{total:,} {noun}").first.wait_for()


def row_ids(page: Any) -> list[str]:
    page.wait_for_function("() => !document.querySelector('.datatable .skeleton')")
    ids: list[str] = page.eval_on_selector_all(
        ".datatable [role=row][data-row-id]", "els => els.map(e => e.dataset.rowId).filter(Boolean)"
    )
    return ids


def header_ids(page: Any) -> list[str]:
    ids: list[str] = page.eval_on_selector_all(
        ".datatable [role=columnheader]", "els => els.map(e => e.dataset.column)"
    )
    return ids


def pct(v: float) -> str:
    return f"{v * 100:.2f}%"

"""Whatever users log is shown as text: markup in inputs, outputs, metadata and names never runs."""

from __future__ import annotations

import uuid

import pytest

from tests.browser.conftest import Demo
from tests.browser.helpers import wait_rows

pytestmark = pytest.mark.browser

PAYLOAD = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


def test_logged_markup_is_escaped(page, demo: Demo) -> None:
    project = demo.post("/v1/project", {"name": "hostile <b>project</b>"})
    exp = demo.post("/v1/experiment", {"project_id": project["id"], "name": "exp <i>x</i>"})
    root = uuid.uuid4().hex
    demo.post(
        "/logs3",
        {
            "rows": [
                {
                    "experiment_id": exp["id"],
                    "id": root,
                    "span_id": root,
                    "root_span_id": root,
                    "input": PAYLOAD,
                    "output": {"html": PAYLOAD},
                    "expected": PAYLOAD,
                    "metadata": {"note": PAYLOAD},
                    "scores": {"<b>score</b>": 0.5},
                }
            ]
        },
    )
    page.goto(f"{demo.url}/app/object?object_type=experiment&object_id={exp['id']}")
    wait_rows(page, 1)
    grid = page.locator(".datatable")
    assert PAYLOAD in grid.inner_text()  # the markup is visible as text
    assert grid.locator("img, script, b, i").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert page.get_by_text("exp <i>x</i>").first.is_visible()

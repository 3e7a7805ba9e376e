"""`POST /btql` answers in JSON and JSON lines with rows written by DuckDB from the page's Arrow
columns (`services.query_results.encode`); they must be the answers the Python path gives (each
value decoded, then encoded), on both backends, page by page, and a query whose rows only Python
spells right (span events, intervals) must still take the Python path."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from assay.store.duckdb import arrow_text
from tests.api.test_export_text import awkward_rows
from tests.query.helpers import log, make_experiment, make_project


@pytest.fixture
def experiment(api: Any) -> str:
    eid = make_experiment(api, make_project(api, "btql-text"), "e")
    log(api, awkward_rows(eid))
    return eid


def _btql(api: Any, query: str, fmt: str, monkeypatch: pytest.MonkeyPatch, fast: bool) -> tuple[bytes, bool]:
    """The answer, and whether DuckDB wrote its rows (`fast=False` makes the text path decline)."""
    used: list[bool] = []
    real = arrow_text.json_rows

    def spy(*args: Any) -> bytes | None:
        text = real(*args) if fast else None
        used.append(text is not None)
        return text

    with monkeypatch.context() as m:
        m.setattr(arrow_text, "json_rows", spy)
        res = api.post("/btql", json={"query": query, "fmt": fmt})
    assert res.status_code == 200, res.text
    return res.content, any(used)


QUERIES = {
    "span columns": "SELECT id, input, output, expected, metadata, tags, scores, metrics, created, error, "
    "span_attributes, _xact_id FROM experiment('{eid}') ORDER BY id",
    "trace summaries": "SELECT * FROM experiment('{eid}', shape => 'summary')",
    "expressions": "SELECT id, metadata.big * 2 AS twice, metadata.nested AS nested, metadata.tiny AS tiny, "
    "scores.acc IS NULL AS no_acc FROM experiment('{eid}') ORDER BY id",
    "group-by": "SELECT metadata.category AS category, count(*) AS n, avg(scores.acc) AS acc, "
    "max(created) AS last FROM experiment('{eid}') GROUP BY 1 ORDER BY 1",
    "a page": "SELECT id, input FROM experiment('{eid}') ORDER BY id LIMIT 7",
    "no rows": "SELECT id FROM experiment('{eid}') WHERE id = 'none'",
}


@pytest.mark.parametrize("name", list(QUERIES))
def test_json_written_by_duckdb_equals_the_python_path(api, experiment, monkeypatch, name):
    query = QUERIES[name].format(eid=experiment)
    fast, used_fast = _btql(api, query, "json", monkeypatch, fast=True)
    slow, used_slow = _btql(api, query, "json", monkeypatch, fast=False)
    assert used_fast and not used_slow
    got, want = orjson.loads(fast), orjson.loads(slow)
    assert got == want
    assert list(got) == list(want)  # data, schema, cursor: in the same order
    if name == "a page":
        assert len(got["data"]) == 7 and got["cursor"]


PAGED = {
    "keyed": "select: id | from: experiment('{eid}') spans | limit: 7{cursor}",
    "sorted": "SELECT id FROM experiment('{eid}') ORDER BY id LIMIT 7{cursor}",
}
CURSOR = {"keyed": ' | cursor: "{}"', "sorted": " OFFSET '{}'"}


@pytest.mark.parametrize("order", list(PAGED))
def test_cursors_page_through_every_row_as_the_python_path_does(api, experiment, monkeypatch, order):
    def pages(fast: bool) -> list[dict[str, Any]]:
        out, cursor = [], None
        for _ in range(20):
            after = CURSOR[order].format(cursor) if cursor else ""
            body, used = _btql(
                api, PAGED[order].format(eid=experiment, cursor=after), "json", monkeypatch, fast
            )
            assert used == fast
            out.append(orjson.loads(body))
            cursor = out[-1]["cursor"]
            if not cursor:
                return out
        raise AssertionError("the cursor never ended")

    fast = pages(True)
    assert fast == pages(False)
    ids = [r["id"] for page in fast for r in page["data"]]
    assert len(ids) == len(set(ids)) == 80 and len(fast) == 12


@pytest.mark.parametrize("name", ["span columns", "group-by", "no rows"])
def test_jsonl_written_by_duckdb_equals_the_python_path(api, experiment, monkeypatch, name):
    query = QUERIES[name].format(eid=experiment)
    fast, used = _btql(api, query, "jsonl", monkeypatch, fast=True)
    slow, _ = _btql(api, query, "jsonl", monkeypatch, fast=False)
    assert used
    assert fast.endswith(b"\n") or fast == b""
    assert [orjson.loads(line) for line in fast.splitlines()] == [
        orjson.loads(line) for line in slow.splitlines()
    ]
    assert len(fast.splitlines()) == len(slow.splitlines())


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM experiment('{eid}')",  # span events: built in Python, comments attached
        "SELECT id, created - created AS d FROM experiment('{eid}')",  # an interval
    ],
)
def test_rows_only_python_spells_take_the_python_path(api, experiment, monkeypatch, query):
    body, used = _btql(api, query.format(eid=experiment), "json", monkeypatch, fast=True)
    assert not used
    assert len(orjson.loads(body)["data"]) == 80

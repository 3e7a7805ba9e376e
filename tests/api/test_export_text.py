"""An export of all fields is written by DuckDB from the page's Arrow columns
(`store.duckdb.arrow_text`); it must be the file the row-by-row Python path writes, value for
value, on both backends, for spans and traces. (A CSV cell holding JSON may spell a number
differently, `18014398509481984.0` for `1.8014398509481984e16`: the same number to a reader.)"""

from __future__ import annotations

import csv
import io
from typing import Any

import orjson
import pytest

from assay.store.duckdb import arrow_text
from tests.query.helpers import log, make_experiment, make_project

AWKWARD = [
    'plain, with a comma and "quotes"',
    "two\nlines\r\nand a tab\t",
    "unicode é ✓ 😀 and a slash /",
    '{"looks": "like JSON"}',
    "",
]


def awkward_rows(eid: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for i in range(40):
        root = f"root{i}"
        rows.append(
            {
                "id": f"r{i}",
                "experiment_id": eid,
                "span_id": root,
                "root_span_id": root,
                "created": f"2026-11-0{1 + i % 9}T12:00:0{i % 10}{'.123456' if i % 2 else ''}+00:00",
                "input": AWKWARD[i % len(AWKWARD)] if i % 3 else {"q": AWKWARD[i % len(AWKWARD)], "n": i},
                "output": [i, 0.1 * i, None, True] if i % 4 == 0 else f"answer {i}",
                "expected": None if i % 5 == 0 else i * 1e-7,
                "metadata": {
                    "category": f"c{i % 3}",
                    "big": 2**53 + i,
                    "tiny": 1e-300,
                    "nested": {"x": [1, "2"]},
                },
                "tags": ["t1", "with,comma"] if i % 2 else None,
                "scores": {"acc": (i % 3) / 3, "exact": float(i % 2)},
                "metrics": {"start": 1_700_000_000.5 + i, "end": 1_700_000_001.25 + i, "tokens": 10 + i},
                "error": None if i % 7 else f"boom {i}: {AWKWARD[0]}",
                "span_attributes": {"name": "eval", "type": "eval"},
            }
        )
        rows.append(
            {
                "id": f"s{i}",
                "experiment_id": eid,
                "span_id": f"llm{i}",
                "root_span_id": root,
                "span_parents": [root],
                "input": [{"role": "user", "content": AWKWARD[(i + 1) % len(AWKWARD)]}],
                "output": {"role": "assistant", "content": "ok"},
                "metrics": {"prompt_tokens": 5, "completion_tokens": i},
                "span_attributes": {"name": "chat", "type": "llm"},
            }
        )
    return rows


@pytest.fixture
def experiment(api: Any) -> str:
    eid = make_experiment(api, make_project(api, "text"), "e")
    log(api, awkward_rows(eid))
    return eid


def _export(api: Any, eid: str, body: dict[str, Any], monkeypatch: pytest.MonkeyPatch, fast: bool) -> bytes:
    """The export through DuckDB's text (checking it was used) or through the Python path."""
    used: list[bool] = []
    with monkeypatch.context() as m:
        for name in ("json_rows", "csv_lines"):
            real = getattr(arrow_text, name)

            def spy(*args: Any, real: Any = real) -> bytes | None:
                text = real(*args) if fast else None
                used.append(text is not None)
                return text

            m.setattr(arrow_text, name, spy)
        res = api.post(f"/v1/experiment/{eid}/export", json=body)
    assert res.status_code == 200, res.text
    assert used and all(used) == fast
    return res.content


def _value(cell: str) -> Any:
    """A CSV cell as a reader takes it: the number, list or object it spells in JSON, else the
    text as it is (so a string written in quotes differs from the bare string)."""
    try:
        value = orjson.loads(cell)
    except orjson.JSONDecodeError:
        return cell
    return cell if isinstance(value, str) else value


COLUMN = {"name": "twice, n", "expr": "metadata.big * 2"}


@pytest.mark.parametrize("row_type", ["spans", "traces"])
def test_json_written_by_duckdb_equals_the_python_path(api, experiment, monkeypatch, row_type):
    body = {"format": "json", "row_type": row_type, "custom_columns": [COLUMN]}
    fast = orjson.loads(_export(api, experiment, body, monkeypatch, fast=True))
    slow = orjson.loads(_export(api, experiment, body, monkeypatch, fast=False))
    assert len(fast) == (80 if row_type == "spans" else 40)
    assert fast == slow
    assert {"input", "created", "scores", "twice, n"} <= set(fast[0])


@pytest.mark.parametrize("row_type", ["spans", "traces"])
def test_csv_written_by_duckdb_equals_the_python_path(api, experiment, monkeypatch, row_type):
    body = {"format": "csv", "row_type": row_type, "custom_columns": [COLUMN]}
    fast = _export(api, experiment, body, monkeypatch, fast=True)
    slow = _export(api, experiment, body, monkeypatch, fast=False)
    table = list(csv.reader(io.StringIO(fast.decode(), newline="")))
    expected = list(csv.reader(io.StringIO(slow.decode(), newline="")))
    assert len(table) == len(expected) == (81 if row_type == "spans" else 41)
    for got, want in zip(table, expected, strict=True):
        assert [_value(c) for c in got] == [_value(c) for c in want]
    inputs = {row[table[0].index("input")] for row in table[1:]}
    assert AWKWARD[1] in inputs and AWKWARD[0] in inputs  # line breaks and quotes survive the round trip


def test_a_page_with_a_column_duckdb_cannot_write_takes_the_python_path(api, experiment, monkeypatch):
    """An interval column (a duration) has no DuckDB spelling here: the page is written in Python."""
    body = {
        "format": "json",
        "row_type": "spans",
        "custom_columns": [{"name": "d", "expr": "created - created"}],
    }
    used: list[bool] = []
    real = arrow_text.json_rows

    def spy(*args: Any) -> bytes | None:
        text = real(*args)
        used.append(text is not None)
        return text

    monkeypatch.setattr(arrow_text, "json_rows", spy)
    res = api.post(f"/v1/experiment/{experiment}/export", json=body)
    assert res.status_code == 200, res.text
    assert used == [False]
    assert {r["d"] for r in res.json()} == {0.0}

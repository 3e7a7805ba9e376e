"""Streamed CSV and JSON export of an experiment table, visible columns or all fields."""

from __future__ import annotations

import csv
import io

import pytest

from assay.query import QueryTooLarge
from assay.services import tables
from tests.query.helpers import log, make_experiment, make_project, trace_rows


def _setup(api, n=1203):
    pid = make_project(api, "proj")
    eid = make_experiment(api, pid, "big")
    rows = []
    for i in range(n):
        rows += trace_rows(eid, input=f"q{i}", output=f'a,"{i}"', metadata={"k": i % 3}, scores={"s": i % 2})
    for start in range(0, len(rows), 500):
        log(api, rows[start : start + 500])
    return eid


def test_csv_of_visible_columns_streams_every_row(api):
    eid = _setup(api)
    res = api.post(
        f"/v1/experiment/{eid}/export", json={"format": "csv", "columns": ["input", "output", "scores.s"]}
    )
    assert res.status_code == 200, res.text
    assert res.headers["content-type"].startswith("text/csv")
    assert "big.csv" in res.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(res.text)))
    assert table[0] == ["input", "output", "scores.s"]
    assert len(table) == 1204
    assert {r[0] for r in table[1:]} == {f"q{i}" for i in range(1203)}
    row = next(r for r in table[1:] if r[0] == "q7")
    assert row == ["q7", 'a,"7"', "1.0"]


def test_json_all_fields_with_filter(api):
    eid = _setup(api, n=30)
    res = api.post(f"/v1/experiment/{eid}/export", json={"format": "json", "filters": ["metadata.k = 1"]})
    assert res.status_code == 200, res.text
    rows = res.json()
    assert len(rows) == 10
    assert {"id", "input", "output", "scores", "metrics", "metadata", "tags", "created"} <= set(rows[0])
    assert all(r["metadata"]["k"] == 1 for r in rows)


def test_bad_filter_is_refused_before_streaming(api):
    eid = _setup(api, n=2)
    res = api.post(f"/v1/experiment/{eid}/export", json={"format": "csv", "filters": ["nope ("]})
    assert res.status_code == 400


@pytest.mark.parametrize("sort", [[], [{"column": "input", "desc": True}]], ids=["newest first", "sorted"])
def test_pages_of_any_size_export_each_row_once_in_order(api, monkeypatch, sort):
    """Later pages are sized by bytes per row: 1,000 rows then one page of 1,500, or (a tiny byte
    budget) pages of 1,000, 1,000 and 500: both give every span once, in the same order, whether
    the pages continue after the last key (newest first) or by offset (a sort)."""
    eid = _setup(api, n=2500)
    body = {"format": "json", "row_type": "spans", "columns": ["id", "input"], "sort": sort}
    few = api.post(f"/v1/experiment/{eid}/export", json=body).json()
    monkeypatch.setattr(tables, "_EXPORT_PAGE_BYTES", 1)
    many = api.post(f"/v1/experiment/{eid}/export", json=body).json()
    assert len(few) == 2500 and len({r["id"] for r in few}) == len(few)
    assert [r["id"] for r in many] == [r["id"] for r in few]
    inputs = [f"q{i}" for i in range(2500)]  # logged in this order: newest last
    want = sorted(inputs, reverse=True) if sort else inputs[::-1]
    assert [r["input"] for r in few] == want


def test_filtered_pages_of_spans_export_each_matching_row_once(api, monkeypatch):
    """Each later page of spans first finds its last key among the rows the filter keeps (the
    narrow key column), then reads the wide columns of those rows only: with pages of 1,000
    spans, a filter keeping two thirds of 2,500 still gives each kept span once, newest first."""
    eid = _setup(api, n=2500)
    monkeypatch.setattr(tables, "_EXPORT_PAGE_BYTES", 1)
    body = {"format": "json", "row_type": "spans", "columns": ["id", "input"], "filters": ["metadata.k != 1"]}
    rows = api.post(f"/v1/experiment/{eid}/export", json=body).json()
    want = [f"q{i}" for i in range(2500) if i % 3 != 1][::-1]
    assert [r["input"] for r in rows if r["input"] is not None] == want
    assert len({r["id"] for r in rows}) == len(rows)


def test_a_page_past_the_memory_limit_is_read_again_smaller(api, monkeypatch):
    """Rows can grow wider after the first page: a later page refused as too large is read again
    at half the size, and the download still holds every row once, in order; a page too large
    even at the first page's size fails the download."""
    eid = _setup(api, n=2500)
    body = {"format": "json", "row_type": "spans", "columns": ["id", "input"]}
    want = [r["input"] for r in api.post(f"/v1/experiment/{eid}/export", json=body).json()]
    real = tables.execute_parsed
    calls: list[int] = []

    def second_read_too_large(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise QueryTooLarge("the answer is larger than the query memory limit")
        return real(*args, **kwargs)

    monkeypatch.setattr(tables, "execute_parsed", second_read_too_large)
    got = [r["input"] for r in api.post(f"/v1/experiment/{eid}/export", json=body).json()]
    assert got == want and len(got) == 2500
    assert len(calls) == 3  # the first page, the refused second page, the second page again

    def later_pages_too_large(*args, **kwargs):
        if kwargs.get("cursor"):
            raise QueryTooLarge("the answer is larger than the query memory limit")
        return real(*args, **kwargs)

    monkeypatch.setattr(tables, "execute_parsed", later_pages_too_large)
    # In-process, the failure after the headers went out reaches the client as this error; over a
    # socket the server closes the connection before the chunked body ends.
    with pytest.raises(RuntimeError, match="response already started"):
        api.post(f"/v1/experiment/{eid}/export", json=body)

"""A streamed export is validated before its first byte, and one that fails later is cut off
visibly (the chunked body never ends), never a shorter download that looks whole."""

from __future__ import annotations

import httpx
import orjson
import pytest

from tests.conftest import Server
from tests.e2e.rawhttp import IncompleteBody, RawConnection

pytestmark = pytest.mark.e2e


def client(server: Server) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {server.key}"}, timeout=60)


def experiment(http: httpx.Client, name: str, rows: int, size: int) -> str:
    project = http.post("/v1/project", json={"name": "exports"}).json()
    eid = str(http.post("/v1/experiment", json={"project_id": project["id"], "name": name}).json()["id"])
    for start in range(0, rows, 200):
        batch = [
            {"id": f"r{i}", "experiment_id": eid, "input": f"{i:06d}" + "x" * size, "metadata": {"v": "1"}}
            for i in range(start, min(rows, start + 200))
        ]
        assert http.post("/logs3", json={"rows": batch}).status_code == 200
    return eid


def test_an_invalid_sort_is_a_400_before_any_byte(server: Server) -> None:
    with client(server) as http:
        eid = experiment(http, "sort", 3, 10)
        for fmt in ("json", "csv"):
            res = http.post(f"/v1/experiment/{eid}/export", json={"format": fmt, "sort": [{"column": ""}]})
            assert res.status_code == 400, res.text
            assert res.json()["error"]["message"] == "the expression is empty"


OVERFLOWS = "to_integer(metadata.v) * 4611686018427387904"  # 2^62: fine for v = 1, overflows for 4


def test_an_export_failing_mid_stream_is_cut_off_not_short(server: Server) -> None:
    """The first page (1,000 rows of ~10 KB) fills the socket buffers, so the server is still
    sending it when a row is logged whose custom column overflows: the second page's query then
    fails. (The export is sorted, so its pages go by offset and the late row, sorting last, is on
    the second page; in the default order pages continue after the last key, older rows only.)"""
    with client(server) as http:
        eid = experiment(http, "midstream", 1500, 10_000)
        column = {"name": "n", "expr": OVERFLOWS}
        sort = [{"column": "input"}]
        body = orjson.dumps({"format": "json", "row_type": "spans", "custom_columns": [column], "sort": sort})
        auth = {"Authorization": f"Bearer {server.key}", "Content-Type": "application/json"}
        with RawConnection(server.url, receive_buffer=4096) as raw:
            raw.send("POST", f"/v1/experiment/{eid}/export", auth, body)
            status, headers = raw.read_head()
            assert status == 200 and headers["transfer-encoding"] == "chunked"
            start = raw.read_body(headers, first=50_000)
            assert start.startswith(b"[")
            poison = {"id": "late", "experiment_id": eid, "input": "late", "metadata": {"v": "4"}}
            assert http.post("/logs3", json={"rows": [poison]}).status_code == 200
            with pytest.raises(IncompleteBody) as cut:
                raw.read_body(headers)
        received = start + cut.value.received
        # The first page, but for the rows of its last piece (pieces of ~64 KB wait to be full), then nothing.
        assert 990 <= received.count(b'"input"') <= 1000
        assert not received.rstrip().endswith(b"]")

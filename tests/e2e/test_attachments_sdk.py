"""Attachments round-trip through both official SDKs, on the blob folder and on an S3 server.

Python writes a PNG (from a file) and a PDF (from memory), TypeScript a JPEG (from a file) and an
HTML page (from memory); each SDK then reads back every attachment of both experiments. Bytes and
content types must survive, and the signed download URL must serve them with their content type.
"""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from assay.testing import start_server
from tests.conftest import Server, database_url
from tests.e2e.s3 import S3Server, s3_server
from tests.e2e.sdk import api, experiment, fetch_all, run_script
from tests.e2e.ts_sdk import run_node

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PY = """
import base64, json, os, braintrust
from braintrust import Attachment
from braintrust.logger import ReadonlyAttachment

project = os.environ["ASSAY_PROJECT"]
exp = braintrust.init(project=project, experiment="py-attachments")
exp.log(
    input={"image": Attachment(data=os.environ["ASSAY_IMAGE"], filename="chart.png", content_type="image/png")},
    output={"report": Attachment(data=open(os.environ["ASSAY_PAGE"], "rb").read(), filename="report.pdf",
                                 content_type="application/pdf")},
    scores={"ok": 1},
)
exp.flush()

def walk(value, path, out):
    if isinstance(value, ReadonlyAttachment):
        out.append({"path": path, **value.reference, "bytes": base64.b64encode(value.data).decode()})
    elif isinstance(value, dict):
        for k, v in value.items():
            walk(v, f"{path}.{k}", out)
    return out

read = {}
for name in os.environ["ASSAY_READ"].split(","):
    out = []
    for row in braintrust.init(project=project, experiment=name, open=True).fetch():
        walk({"input": row["input"], "output": row["output"]}, "", out)
    read[name] = out
print("RESULT " + json.dumps(read))
"""


@pytest.fixture(scope="module", params=["folder", "s3"])
def attachment_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, db_backend: str
) -> Iterator[tuple[Server, S3Server | None]]:
    data_dir = tmp_path_factory.mktemp(f"assay-{request.param}")
    db_url = database_url(request, db_backend, "attachments")
    if request.param == "folder":
        srv = start_server(data_dir, db_url=db_url)
        yield srv, None
        srv.stop()
    else:
        with s3_server(data_dir / "moto.log") as s3:
            srv = start_server(data_dir, env=s3.settings(), db_url=db_url)
            yield srv, s3
            srv.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


def files(tmp_path: Path, prefix: str) -> dict[str, bytes]:
    image = (
        b"\x89PNG\r\n\x1a\n" + os.urandom(300_000)
        if prefix == "py"
        else b"\xff\xd8\xff" + os.urandom(200_000)
    )
    page = (
        b"%PDF-1.4 " + os.urandom(50_000) if prefix == "py" else "<h1>héllo</h1><script>x()</script>".encode()
    )
    (tmp_path / f"{prefix}-image").write_bytes(image)
    (tmp_path / f"{prefix}-page").write_bytes(page)
    return {"image": image, "page": page}


def by_name(found: list[dict[str, Any]]) -> dict[str, tuple[str, bytes]]:
    return {a["filename"]: (a["content_type"], base64.b64decode(a["bytes"])) for a in found}


def test_attachments_round_trip_through_both_sdks(
    attachment_server: tuple[Server, S3Server | None], tmp_path: Path
) -> None:
    server, s3 = attachment_server
    project = f"attachments-{'s3' if s3 else 'folder'}"
    ts_files = files(tmp_path, "ts")
    ts_env = {
        "ASSAY_PROJECT": project,
        "ASSAY_IMAGE": str(tmp_path / "ts-image"),
        "ASSAY_PAGE": str(tmp_path / "ts-page"),
    }
    run_node(server, tmp_path, "attachments.mjs", ASSAY_WRITE="ts-attachments", **ts_env)
    py_files = files(tmp_path, "py")
    py_read, _ = run_script(
        server,
        tmp_path,
        PY,
        ASSAY_PROJECT=project,
        ASSAY_IMAGE=str(tmp_path / "py-image"),
        ASSAY_PAGE=str(tmp_path / "py-page"),
        ASSAY_READ="py-attachments,ts-attachments",
    )
    ts_read, _ = run_node(
        server,
        tmp_path,
        "attachments.mjs",
        ASSAY_PROJECT=project,
        ASSAY_READ="py-attachments,ts-attachments,ts-attachments-eval",
    )

    want_py = {
        "chart.png": ("image/png", py_files["image"]),
        "report.pdf": ("application/pdf", py_files["page"]),
    }
    want_ts = {"photo.jpg": ("image/jpeg", ts_files["image"]), "page.html": ("text/html", ts_files["page"])}
    for reader, read in (
        ("python", py_read),
        ("typescript", {k.split(":", 1)[1]: v for k, v in ts_read.items()}),
    ):
        assert by_name(read["py-attachments"]) == want_py, reader
        assert by_name(read["ts-attachments"]) == want_ts, reader
    assert by_name(ts_read["read:ts-attachments-eval"]) == {"case.jpg": ("image/jpeg", ts_files["image"])}

    # The stored rows hold references only; the signed URL serves the bytes with their type.
    for name, want in (("py-attachments", want_py), ("ts-attachments", want_ts)):
        (row,) = fetch_all(server, "experiment", experiment(server, project, name)["id"])
        refs = [v for part in ("input", "output") for v in row[part].values() if isinstance(v, dict)]
        assert {r["filename"] for r in refs} == set(want)
        for ref in refs:
            meta = api(server, "GET", "/attachment", params={"key": ref["key"]})
            assert meta["status"]["upload_status"] == "done"
            got = httpx.get(meta["downloadUrl"], timeout=30)
            assert got.content == want[ref["filename"]][1]
            assert got.headers["content-type"].split(";")[0] == want[ref["filename"]][0]
    stored = s3.keys() if s3 else [str(p) for p in (server.data_dir / "attachments").rglob("data/*")]
    assert sum("/data/" in k for k in stored) == 5
    if s3:
        assert not (server.data_dir / "attachments").exists()  # nothing went to the folder

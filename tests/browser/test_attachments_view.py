"""Attachments in the trace view: an image shows inline, another file offers a download, and the
API key never appears in a URL (the page asks `GET /attachment` for a signed one)."""

from __future__ import annotations

import os
import struct
import zlib
from typing import Any

import httpx
import pytest

from tests.browser.conftest import Demo
from tests.browser.trace_data import log_rows

pytestmark = pytest.mark.browser


def png(width: int, height: int) -> bytes:
    """A valid RGB PNG of one colour, built by hand so the browser really decodes it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xd0\x40\x20" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def upload(demo: Demo, key: str, data: bytes, filename: str, content_type: str) -> dict[str, Any]:
    ref = {"key": key, "filename": filename, "content_type": content_type}
    signed = demo.post("/attachment", ref)
    httpx.put(signed["signedUrl"], content=data, headers=signed["headers"], timeout=30).raise_for_status()
    demo.post("/attachment/status", {"key": key, "status": {"upload_status": "done"}})
    return {"type": "braintrust_attachment", **ref}


@pytest.fixture(scope="module")
def files(demo: Demo) -> dict[str, Any]:
    pid = demo.post("/v1/project", {"name": "files"})["id"]
    eid = demo.post("/v1/experiment", {"project_id": pid, "name": "with-files"})["id"]
    image, report = png(64, 48), b"%PDF-1.4 " + os.urandom(2000)
    row = {
        "id": "with-files",
        "span_id": "with-files",
        "root_span_id": "with-files",
        "experiment_id": eid,
        "input": {
            "photo": upload(demo, "photo-1", image, "photo.png", "image/png"),
            "report": upload(demo, "report-1", report, "report.pdf", "application/pdf"),
        },
        "output": "a photo and a report",
        "span_attributes": {"name": "files", "type": "task"},
    }
    log_rows(demo.url, demo.server.key, [row])
    return {"report": report}


def test_images_show_inline_and_other_files_download(page, demo, files, tmp_path):
    page.goto(f"{demo.url}/app/local/p/files/experiments/with-files?tr=with-files")
    field = page.get_by_role("region", name="Span details").get_by_role("region", name="Input")
    image = field.get_by_role("img", name="photo.png")
    image.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert image.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [64, 48]
    src = str(image.get_attribute("src"))
    assert "/attachment/download?token=" in src and demo.server.key not in src
    assert field.get_by_role("img", name="report.pdf").count() == 0  # not an image: no inline view
    link = field.get_by_role("link", name="Download report.pdf")
    assert demo.server.key not in str(link.get_attribute("href"))
    with page.expect_download() as info:
        link.click()
    saved = tmp_path / "report.pdf"
    info.value.save_as(saved)
    assert saved.read_bytes() == files["report"]
    page.screenshot(path=str(tmp_path / "attachments.png"))

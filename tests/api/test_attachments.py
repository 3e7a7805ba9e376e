"""Attachments through the in-process app: signed upload and download, status, limits, safe serving."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from assay.server.app import create_app, wrap
from assay.server.settings import Settings
from assay.services.auth import create_api_key
from assay.store import open_store
from tests.conftest import Api, database_url

PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(2 * 1024 * 1024)  # larger than the fixture's 1 MiB body limit


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def upload(api: Api, key: str, data: bytes, content_type: str = "image/png", filename: str = "a.png") -> None:
    signed = api.post("/attachment", json={"key": key, "filename": filename, "content_type": content_type})
    assert signed.status_code == 200, signed.text
    body = signed.json()
    assert body["signedUrl"].startswith("http://testserver/attachment/upload?token=")
    assert body["headers"] == {"Content-Type": content_type}
    put = api.client.put(path_of(body["signedUrl"]), content=data, headers=body["headers"])  # no API key
    assert put.status_code == 200, put.text
    assert put.json() == {"size": len(data)}
    status = api.post("/attachment/status", json={"key": key, "status": {"upload_status": "done"}})
    assert status.status_code == 200, status.text


def download(api: Api, key: str):  # type: ignore[no-untyped-def]
    meta = api.get("/attachment", params={"key": key, "filename": "ignored", "content_type": "x/y"})
    assert meta.status_code == 200, meta.text
    assert meta.json()["status"] == {"upload_status": "done"}  # absent, not null: the SDK checks
    return api.client.get(path_of(meta.json()["downloadUrl"]))  # no API key, as the SDKs and <img> do


def test_image_round_trip_is_served_inline(api: Api) -> None:
    upload(api, "img-1", PNG)
    got = download(api, "img-1")
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["content-type"] == "image/png"
    assert got.headers["content-disposition"].startswith("inline;")
    assert got.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "kind", ["text/html", "image/svg+xml", "application/pdf", "text/plain; charset=utf-8"]
)
def test_anything_but_a_raster_image_downloads_sandboxed(api: Api, kind: str) -> None:
    page = b"<html><script>alert(document.cookie)</script></html>"
    upload(api, "doc-1", page, content_type=kind, filename='evil "name".html')
    got = download(api, "doc-1")
    assert got.content == page and got.headers["content-type"].startswith(kind.split(";")[0])
    assert got.headers["content-disposition"].startswith("attachment;")
    assert '"' not in got.headers["content-disposition"].split('filename="')[1].split('";')[0]
    assert "sandbox" in got.headers["content-security-policy"]
    assert got.headers["x-content-type-options"] == "nosniff"


def test_signed_urls_are_bound_to_their_action_and_signature(api: Api) -> None:
    upload(api, "k", b"bytes")
    meta = api.get("/attachment", params={"key": "k"}).json()
    token = urlsplit(meta["downloadUrl"]).query.split("token=")[1]
    assert api.client.put(f"/attachment/upload?token={token}", content=b"overwrite").status_code == 403
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert api.client.get(f"/attachment/download?token={forged}").status_code == 403
    assert api.client.get("/attachment/download?token=garbage").status_code in (400, 403)
    services = api.app.state.services  # type: ignore[union-attr]
    expired = services.attachments.signer.sign("get", "ignored", "k", -1)
    assert api.client.get(f"/attachment/download?token={expired}").status_code == 403
    assert download(api, "k").content == b"bytes"  # nothing was overwritten


def test_bad_requests_are_precise_and_write_nothing(api: Api, tmp_path: Path) -> None:
    for body in (
        {"key": "../etc/passwd", "filename": "f", "content_type": "text/plain"},
        {"key": "ok", "filename": "f", "content_type": "text/html\r\nX-Evil: 1"},
        {"key": "ok", "filename": "", "content_type": "text/plain"},
        {"key": "ok", "filename": "f", "content_type": "text/plain", "org_id": "another-org"},
    ):
        assert api.post("/attachment", json=body).status_code == 400, body
    assert not (tmp_path / "attachments").exists()
    done = api.post("/attachment/status", json={"key": "never", "status": {"upload_status": "done"}})
    assert done.status_code == 400 and "no bytes" in done.json()["error"]["message"]
    bad = api.post("/attachment/status", json={"key": "never", "status": {"upload_status": "finished"}})
    assert bad.status_code == 400
    assert api.get("/attachment", params={"key": "never"}).status_code == 404
    assert api.get("/attachment").status_code == 400
    assert api.client.get("/attachment", params={"key": "never"}).status_code == 401
    assert (
        api.client.post("/attachment", json={"key": "k", "filename": "f", "content_type": "a/b"}).status_code
        == 401
    )


def test_an_error_status_is_kept_for_the_reader(api: Api) -> None:
    status = {"upload_status": "error", "error_message": "disk on fire"}
    assert api.post("/attachment/status", json={"key": "failed", "status": status}).status_code == 200
    meta = api.get("/attachment", params={"key": "failed"}).json()
    assert meta["status"] == status


def test_external_attachment_urls_are_answered_unchanged(api: Api) -> None:
    url = "https://bucket.example/file.pdf"
    assert api.get("/attachment", params={"url": url}).json()["downloadUrl"] == url
    assert api.get("/attachment", params={"url": "file:///etc/passwd"}).status_code == 400


@pytest.fixture
def small(tmp_path: Path, db_backend: str, request: pytest.FixtureRequest) -> Iterator[Api]:
    db_url = database_url(request, db_backend, "attachments")
    settings = Settings(data_dir=tmp_path, db_url=db_url, max_attachment_bytes=1000)
    store = open_store(settings.resolved_db_url())
    key = create_api_key(store, settings.org_name)
    with TestClient(wrap(create_app(settings, store), settings)) as client:
        yield Api(client, key)
    store.close()


def test_uploads_over_the_limit_get_413_and_store_nothing(small: Api, tmp_path: Path) -> None:
    signed = small.post("/attachment", json={"key": "big", "filename": "b", "content_type": "a/b"}).json()
    too_big = small.client.put(path_of(signed["signedUrl"]), content=b"x" * 1001)
    assert too_big.status_code == 413 and "1000 bytes" in too_big.json()["error"]["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while the body streams
        yield from (b"x" * 600, b"x" * 600)

    streamed = small.client.put(path_of(signed["signedUrl"]), content=chunks())
    assert streamed.status_code == 413
    assert not list((tmp_path / "attachments").rglob("data/*"))
    assert small.client.put(path_of(signed["signedUrl"]), content=b"x" * 1000).status_code == 200


def test_attachments_survive_a_restart(
    tmp_path: Path, db_backend: str, request: pytest.FixtureRequest
) -> None:
    """The bytes, the record and the signing key live beside the database (or in it), not in the
    process."""
    settings = Settings(data_dir=tmp_path, db_url=database_url(request, db_backend, "attachments"))
    store = open_store(settings.resolved_db_url())
    key = create_api_key(store, settings.org_name)
    with TestClient(wrap(create_app(settings, store), settings)) as client:
        upload(Api(client, key), "kept", PNG)
        url = Api(client, key).get("/attachment", params={"key": "kept"}).json()["downloadUrl"]
    store.close()
    store = open_store(settings.resolved_db_url())
    with TestClient(wrap(create_app(settings, store), settings)) as client:
        assert download(Api(client, key), "kept").content == PNG
        assert client.get(path_of(url)).content == PNG  # a URL signed before the restart still works
    store.close()
    if db_backend == "duckdb":  # PostgreSQL keeps the key in the database, for all its servers
        assert oct((tmp_path / "signing.key").stat().st_mode & 0o777) == "0o600"
    else:
        assert not (tmp_path / "signing.key").exists()

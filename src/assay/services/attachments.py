"""Attachments: upload and download through signed URLs that point at Assay, bytes in a `BlobStore`.

Both SDKs upload an `Attachment` in three steps: ask `POST /attachment` for a signed URL, `PUT`
the bytes there, and report the outcome to `POST /attachment/status`; the row they log holds
only a reference `{type: "braintrust_attachment", key, filename, content_type}`. Reading asks
`GET /attachment` for a signed download URL. Assay plays the object store itself: the URLs are
its own (`/attachment/upload`, `/attachment/download`), signed by `services/signing.py`.

Each attachment is two blobs of the caller's organization: the bytes (`…/data/<key>`) and a
small JSON record (`…/meta/<key>.json`: file name, content type, upload status), so servers
that share a bucket share everything about an attachment.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import urlencode

import orjson

from assay.model.attachments import (
    AttachmentMetadata,
    AttachmentRecord,
    AttachmentRequest,
    AttachmentStatus,
    SignedUpload,
    StatusUpdate,
)
from assay.model.errors import InvalidInput, NotFound
from assay.model.objects import utcnow
from assay.server.settings import Settings
from assay.services.auth import Principal
from assay.services.signing import KEY_FILE, Signer, load_secret
from assay.store import Store
from assay.store.blobs import BlobStore, FolderBlobStore, read_all

UPLOAD_PATH = "/attachment/upload"
DOWNLOAD_PATH = "/attachment/download"
# Raster images render inline; everything else (SVG included: it can carry script) downloads.
INLINE_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp", "image/x-icon"}
)


@dataclass
class AttachmentStorage:
    blobs: BlobStore
    signer: Signer
    max_bytes: int
    ttl_s: int


def open_attachment_storage(settings: Settings, store: Store) -> AttachmentStorage:
    """The blob store the settings name (an S3 bucket, else a folder beside the database), and
    the URL signer (its key shared by every server of `store` unless ASSAY_SIGNING_KEY sets it)."""
    blobs: BlobStore
    if settings.s3_bucket:
        from assay.store.s3 import S3BlobStore

        blobs = S3BlobStore(
            settings.s3_bucket,
            prefix=settings.s3_prefix,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
        )
    else:
        blobs = FolderBlobStore(settings.resolved_attachments_dir())
    secret = load_secret(settings.signing_key, settings.files_dir(), store.shared_secret(KEY_FILE))
    return AttachmentStorage(
        blobs, Signer(secret), settings.max_attachment_bytes, settings.attachment_url_ttl_s
    )


def _data(org_id: str, key: str) -> str:
    return f"{org_id}/data/{key}"


def _meta(org_id: str, key: str) -> str:
    return f"{org_id}/meta/{key}.json"


def _check_org(who: Principal, org_id: str | None) -> None:
    if org_id and org_id != who.org_id:
        raise InvalidInput(f"unknown organization id {org_id!r} for this API key")


def _load(storage: AttachmentStorage, org_id: str, key: str) -> AttachmentRecord | None:
    raw = read_all(storage.blobs, _meta(org_id, key))
    return None if raw is None else AttachmentRecord.model_validate_json(raw)


def _save(storage: AttachmentStorage, org_id: str, record: AttachmentRecord) -> None:
    storage.blobs.put(_meta(org_id, record.key), io.BytesIO(orjson.dumps(record.model_dump())))


def request_upload(
    storage: AttachmentStorage, who: Principal, body: AttachmentRequest, base_url: str
) -> SignedUpload:
    """Record the attachment as uploading and hand out a URL to `PUT` its bytes to."""
    _check_org(who, body.org_id)
    now = utcnow().isoformat()
    existing = _load(storage, who.org_id, body.key)
    record = AttachmentRecord(
        key=body.key,
        filename=body.filename,
        content_type=body.content_type,
        status=AttachmentStatus(upload_status="uploading"),
        created=existing.created if existing else now,
        updated=now,
    )
    _save(storage, who.org_id, record)
    token = storage.signer.sign("put", who.org_id, body.key, storage.ttl_s)
    url = f"{base_url}{UPLOAD_PATH}?{urlencode({'token': token})}"
    return SignedUpload(signedUrl=url, headers={"Content-Type": body.content_type})


def store_upload(storage: AttachmentStorage, token: str, data: BinaryIO) -> int:
    """Keep the uploaded bytes of the attachment the token names; return their size."""
    grant = storage.signer.verify(token, "put")
    if _load(storage, grant.org_id, grant.key) is None:
        raise NotFound(f"attachment {grant.key!r} was never requested with POST /attachment")
    return storage.blobs.put(_data(grant.org_id, grant.key), data)


def record_status(storage: AttachmentStorage, who: Principal, body: StatusUpdate) -> AttachmentRecord:
    """What the SDK reports after its upload; `done` only counts once the bytes are here."""
    _check_org(who, body.org_id)
    size = storage.blobs.size(_data(who.org_id, body.key))
    if body.status.upload_status == "done" and size is None:
        raise InvalidInput(f"attachment {body.key!r} cannot be done: no bytes were uploaded for it")
    now = utcnow().isoformat()
    existing = _load(storage, who.org_id, body.key)
    record = AttachmentRecord(
        key=body.key,
        filename=existing.filename if existing else None,
        content_type=existing.content_type if existing else None,
        status=body.status,
        size=size,
        created=existing.created if existing else now,
        updated=now,
    )
    _save(storage, who.org_id, record)
    return record


def metadata(storage: AttachmentStorage, who: Principal, key: str, base_url: str) -> AttachmentMetadata:
    """The upload status and a short-lived URL to download the bytes from."""
    record = _load(storage, who.org_id, key)
    if record is None:
        raise NotFound(f"attachment {key!r} not found")
    token = storage.signer.sign("get", who.org_id, key, storage.ttl_s)
    url = f"{base_url}{DOWNLOAD_PATH}?{urlencode({'token': token})}"
    return AttachmentMetadata(downloadUrl=url, status=record.status)


@dataclass
class Download:
    record: AttachmentRecord
    size: int
    chunks: Iterator[bytes]

    @property
    def inline(self) -> bool:
        kind = (self.record.content_type or "").split(";")[0].strip().lower()
        return kind in INLINE_TYPES


def open_download(storage: AttachmentStorage, token: str) -> Download:
    grant = storage.signer.verify(token, "get")
    record = _load(storage, grant.org_id, grant.key)
    size = storage.blobs.size(_data(grant.org_id, grant.key))
    chunks = storage.blobs.read(_data(grant.org_id, grant.key))
    if record is None or size is None or chunks is None:
        raise NotFound(f"attachment {grant.key!r} has no uploaded bytes")
    return Download(record, size, chunks)

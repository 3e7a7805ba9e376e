"""`/attachment` routes: both SDKs' upload and download of `Attachment`s (services/attachments.py).

`POST /attachment`, `POST /attachment/status` and `GET /attachment` need the API key; the
signed `PUT /attachment/upload` and `GET /attachment/download` URLs they hand out do not (the SDKs
send no key to object-store URLs, and an `<img>` cannot). Downloads are served so that they cannot
run script on Assay's origin: the stored content type, `nosniff`, and for anything but a raster
image `Content-Disposition: attachment` with a sandboxing Content-Security-Policy.
"""

from __future__ import annotations

import tempfile
from typing import Any
from urllib.parse import quote

from fastapi import Depends, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from assay.api.deps import base_url, caller, services
from assay.api.models import AUTHENTICATED, errors
from assay.api.routing import api_router
from assay.model.attachments import (
    KEY_PATTERN,
    AttachmentMetadata,
    AttachmentRecord,
    AttachmentRequest,
    AttachmentStatus,
    SignedUpload,
    StatusUpdate,
)
from assay.model.errors import AssayError, InvalidInput, PayloadTooLarge
from assay.services import attachments
from assay.services.attachments import DOWNLOAD_PATH, UPLOAD_PATH, AttachmentStorage
from assay.services.auth import Action, Principal, Resource, require
from assay.services.context import Services

router = api_router(tags=["attachments"], responses={**AUTHENTICATED, **errors(403, 404, 409)})
SPOOL_BYTES = 8 * 1024 * 1024  # uploads past this go to a temporary file while they arrive


class NoStorage(AssayError):
    status_code = 503


def storage(svc: Services = Depends(services)) -> AttachmentStorage:
    if svc.attachments is None:
        raise NoStorage("this server has no attachment storage configured")
    return svc.attachments


def _allow(svc: Services, who: Principal, action: Action) -> None:
    """Attachments belong to the organization (the SDKs name no project when they upload)."""
    require(svc.policy, who, action, Resource("org", who.org_id, who.org_id), "attachments")


@router.post("/attachment", response_model=SignedUpload)
def request_upload(
    body: AttachmentRequest,
    request: Request,
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
    store: AttachmentStorage = Depends(storage),
) -> Any:
    """Register an attachment and answer a signed URL (valid for a few minutes) to PUT its bytes to."""
    _allow(svc, who, "create")
    return attachments.request_upload(store, who, body, base_url(request))


@router.put(UPLOAD_PATH, summary="Upload an attachment's bytes to a signed URL")
async def upload(
    request: Request, token: str = Query(min_length=1), store: AttachmentStorage = Depends(storage)
) -> dict[str, int]:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > store.max_bytes:
        raise PayloadTooLarge(f"attachment larger than the limit of {store.max_bytes} bytes")
    store.signer.verify(token, "put")  # refuse before reading a body that would be thrown away
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        seen = 0
        async for chunk in request.stream():
            seen += len(chunk)
            if seen > store.max_bytes:
                raise PayloadTooLarge(f"attachment larger than the limit of {store.max_bytes} bytes")
            spool.write(chunk)
        spool.seek(0)
        size = await run_in_threadpool(attachments.store_upload, store, token, spool)  # type: ignore[arg-type]
    return {"size": size}


@router.post("/attachment/status", response_model=AttachmentRecord, response_model_exclude_none=True)
def record_status(
    body: StatusUpdate,
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
    store: AttachmentStorage = Depends(storage),
) -> Any:
    """Record the SDK's report of its upload (`done` only once the bytes have arrived)."""
    _allow(svc, who, "create")
    return attachments.record_status(store, who, body)


@router.get(
    "/attachment", response_model=AttachmentMetadata, response_model_exclude_none=True
)  # zod: error_message is a string or absent
def get_attachment(
    request: Request,
    key: str | None = Query(None, pattern=KEY_PATTERN),
    url: str | None = Query(None, description="An external attachment's own URL (answered unchanged)."),
    filename: str | None = None,
    content_type: str | None = None,
    org_id: str | None = None,
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
    store: AttachmentStorage = Depends(storage),
) -> Any:
    """The upload status and a short-lived signed `downloadUrl` serving the bytes with their content
    type. The web app uses it too: fetch this with the key, then put `downloadUrl` in an `<img>`."""
    if org_id and org_id != who.org_id:
        raise InvalidInput(f"unknown organization id {org_id!r} for this API key")
    _allow(svc, who, "read")
    if key:
        return attachments.metadata(store, who, key, base_url(request))
    if url and url.startswith(("http://", "https://")):
        return AttachmentMetadata(downloadUrl=url, status=AttachmentStatus(upload_status="done"))
    raise InvalidInput("pass the attachment's key (or an external attachment's http(s) url)")


def _disposition(kind: str, filename: str | None) -> str:
    name = filename or "attachment"
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "_").replace("\\", "_")
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


BYTES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The bytes, with their stored content type",
        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.get(
    DOWNLOAD_PATH,
    summary="Download an attachment's bytes from a signed URL",
    response_class=StreamingResponse,
    responses=BYTES,
)
async def download(
    token: str = Query(min_length=1), store: AttachmentStorage = Depends(storage)
) -> StreamingResponse:
    got = await run_in_threadpool(attachments.open_download, store, token)
    headers = {
        "Content-Length": str(got.size),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=300",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if got.inline:
        headers["Content-Disposition"] = _disposition("inline", got.record.filename)
    else:
        headers["Content-Disposition"] = _disposition("attachment", got.record.filename)
        headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    media = got.record.content_type or "application/octet-stream"
    return StreamingResponse(iterate_in_threadpool(got.chunks), media_type=media, headers=headers)

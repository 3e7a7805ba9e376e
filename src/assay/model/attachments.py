"""Attachment request and response shapes, as both SDKs send and read them.

Upload: `POST /attachment {key, filename, content_type, org_id}` answers `{signedUrl, headers}`;
the SDK `PUT`s the bytes there without its API key, then reports `POST /attachment/status
{key, org_id, status: {upload_status, error_message?}}`. Download: `GET /attachment?key&filename
&content_type&org_id` answers `{downloadUrl, status}` and the SDK `GET`s `downloadUrl`, again
without its key. Both URLs point at Assay itself and carry a short-lived signature.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$"
# type/subtype made of RFC 6838 token characters, optionally with parameters (`; charset=utf-8`).
CONTENT_TYPE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=[A-Za-z0-9!#$&^_.+-]+)*$"

UploadStatusName = Literal["uploading", "done", "error"]


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class AttachmentRequest(_Lenient):
    key: str = Field(pattern=KEY_PATTERN, description="Client-chosen id of the attachment (a UUID).")
    filename: str = Field(min_length=1, max_length=1024)
    content_type: str = Field(pattern=CONTENT_TYPE_PATTERN, max_length=256)
    org_id: str | None = None


class SignedUpload(BaseModel):
    signedUrl: str
    headers: dict[str, str]


class AttachmentStatus(_Lenient):
    upload_status: UploadStatusName
    error_message: str | None = Field(None, max_length=10_000)


class StatusUpdate(_Lenient):
    key: str = Field(pattern=KEY_PATTERN)
    org_id: str | None = None
    status: AttachmentStatus


class AttachmentRecord(BaseModel):
    """What Assay keeps beside the bytes of one attachment."""

    key: str
    filename: str | None = None
    content_type: str | None = None
    status: AttachmentStatus
    size: int | None = None
    created: str
    updated: str


class AttachmentMetadata(BaseModel):
    downloadUrl: str
    status: AttachmentStatus

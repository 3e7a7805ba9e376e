"""Domain errors. Services raise these; the API maps each to one HTTP status code."""

from __future__ import annotations


class AssayError(Exception):
    """Base class: `message` is shown to the client as is, so it must say what is wrong."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(AssayError):
    status_code = 400


class Unauthorized(AssayError):
    status_code = 401


class Forbidden(AssayError):
    status_code = 403


class NotFound(AssayError):
    status_code = 404


class Conflict(AssayError):
    status_code = 409


class PayloadTooLarge(AssayError):
    status_code = 413


class UnsupportedMediaType(AssayError):
    status_code = 415


class StoreFailed(AssayError):
    """The database failed under this request (and is being reopened); retrying may succeed."""

    status_code = 503


class StorageFull(AssayError):
    """The disk holding the database has no room for this write; nothing of it was written."""

    status_code = 507


class UpstreamFailed(AssayError):
    """A service Assay calls on the request's behalf (the configured LLM endpoint) failed."""

    status_code = 502

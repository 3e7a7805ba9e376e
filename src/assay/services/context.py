"""What every service call needs: the store, the settings and the access policy."""

from __future__ import annotations

from dataclasses import dataclass

from assay.server.settings import Settings
from assay.services.attachments import AttachmentStorage
from assay.services.auth import Policy
from assay.store.base import Store


@dataclass
class Services:
    store: Store
    settings: Settings
    policy: Policy
    attachments: AttachmentStorage | None = None  # the server opens it; scripts and benches need none

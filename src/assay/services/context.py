"""What every service call needs: the store, the settings, the access policy and sign-in limits."""

from __future__ import annotations

from dataclasses import dataclass, field

from assay.server.settings import Settings
from assay.services.attachments import AttachmentStorage
from assay.services.auth import Policy
from assay.services.change_cache import ChangeCache
from assay.services.llm import LLM
from assay.services.ratelimit import SignInGuard
from assay.store.base import Store

ROW_OWNERS = 10_000  # decisions kept by `row_owners`


@dataclass
class Services:
    store: Store
    settings: Settings
    policy: Policy
    attachments: AttachmentStorage | None = None  # the server opens it; scripts and benches need none
    llm: LLM = field(init=False)  # the settings' LLM endpoint: one client (and one rate limit) per server
    guard: SignInGuard = field(init=False)  # failed sign-ins, counted while the server runs
    # The project of each object rows were written to, by (user, org, object type, object id):
    # who may write there, decided once until the catalog or access rules change.
    row_owners: ChangeCache[str] = field(init=False)

    def __post_init__(self) -> None:
        self.llm = LLM(self.settings)
        self.guard = SignInGuard(self.settings.signin_failures, self.settings.signin_window_s)
        self.row_owners = ChangeCache(ROW_OWNERS)

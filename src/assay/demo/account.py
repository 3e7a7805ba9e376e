"""The demo's account: one owner, `demo@assay.local`, whose key the demo's evaluations use, and a
second reviewer, `reviewer@assay.local`, whose key is made for the demo's human review.

Re-running the demo finds the same user; `demo_user` is the one place that knows who it is.
"""

from __future__ import annotations

from assay.model.objects import Organization
from assay.model.people import User
from assay.store.base import Store

DEMO_EMAIL = "demo@assay.local"
DEMO_NAME = "Demo User"
REVIEWER_EMAIL = "reviewer@assay.local"  # the demo's second reviewer (an Engineer)
REVIEWER_NAME = "Rita Reviewer"


def demo_user(store: Store, org_name: str) -> tuple[Organization, User]:
    """The demo organization and its owner, created on first use."""
    org = store.ensure_org(org_name)
    user = store.people.find_user(DEMO_EMAIL) or store.people.create_user(DEMO_EMAIL, DEMO_NAME)
    owners = [g["id"] for g in store.records.list_of("group", org.id) if g["name"] == "Owners"]
    store.people.add_member(org.id, user.id, owners)
    return org, user


def reviewer_user(store: Store, org_name: str) -> User:
    """The demo's second reviewer, an Engineer of the demo organization, created on first use."""
    org = store.ensure_org(org_name)
    user = store.people.find_user(REVIEWER_EMAIL) or store.people.create_user(REVIEWER_EMAIL, REVIEWER_NAME)
    engineers = [g["id"] for g in store.records.list_of("group", org.id) if g["name"] == "Engineers"]
    store.people.add_member(org.id, user.id, engineers)
    return user

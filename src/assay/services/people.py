"""Members, invitations, one-time links and API keys, as the caller may see and change them.

No mail server is needed: an invitation is a one-time link shown to the inviter (and mailed only
when SMTP is configured). Links carry a random token in the URL fragment (`/app/accept#token=…`),
so it never reaches a server log or a Referer header; the server stores its hash.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from assay.model.errors import Conflict, InvalidInput, NotFound
from assay.model.objects import utcnow
from assay.model.people import PLACEHOLDER_OWNER_EMAIL, ApiKey, LinkPurpose, SignInLink, User
from assay.services import mail, passwords
from assay.services.auth import Principal, Resource, hash_token, issue_api_key, owner_of, require
from assay.services.context import Services
from assay.store.base import Store

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def member_resource(who: Principal, user_id: str | None = None) -> Resource:
    return Resource("member", user_id or who.org_id, who.org_id)


def check_email(email: str) -> str:
    email = email.strip()
    if not EMAIL.match(email) or len(email) > 320:
        raise InvalidInput(f"{email!r} is not an email address")
    return email


# -- links ------------------------------------------------------------------------------------
def issue_link(store: Store, hours: float, user_id: str, org_id: str, purpose: LinkPurpose) -> str:
    """A new one-time link token for the user (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    store.people.create_link(
        SignInLink(
            hash_token(token),
            user_id,
            org_id,
            purpose,
            now.isoformat(),
            (now + timedelta(hours=hours)).isoformat(),
        )
    )
    return token


def link_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/app/accept#token={token}"


def setup_link(store: Store, hours: float, org_name: str) -> str | None:
    """A first-owner setup link while no owner of the organization can sign in; else None."""
    org = store.ensure_org(org_name)
    owner = owner_of(store, org.id)
    if owner.password_hash is not None:
        return None
    return issue_link(store, hours, owner.id, org.id, "setup")


@dataclass(frozen=True)
class LinkInfo:
    purpose: LinkPurpose
    email: str
    name: str
    org_name: str
    email_editable: bool
    needs_password: bool


def _live_link(svc: Services, token: str) -> tuple[SignInLink, User]:
    link = svc.store.people.get_link(hash_token(token)) if token else None
    if link is None:
        raise NotFound("this link is not valid; ask for a new one")
    if link.used is not None or datetime.fromisoformat(link.expires) <= utcnow():
        raise NotFound("this link was already used or has expired; ask for a new one")
    user = svc.store.people.get_user(link.user_id)
    if user is None:
        raise NotFound("this link's user no longer exists")
    return link, user


def inspect_link(svc: Services, token: str) -> LinkInfo:
    link, user = _live_link(svc, token)
    org = svc.store.get_org(link.org_id)
    setup = link.purpose == "setup"
    return LinkInfo(
        link.purpose,
        "" if setup and user.email == PLACEHOLDER_OWNER_EMAIL else user.email,
        user.name,
        org.name if org else "",
        setup,
        link.purpose != "signin",
    )


def accept_link(
    svc: Services, token: str, *, email: str | None, name: str | None, password: str | None
) -> User:
    """Use a link: a setup link sets the owner's email, name and password; an invitation the
    member's name and password; a sign-in link just signs in. The link works once."""
    link, user = _live_link(svc, token)
    changes: dict[str, Any] = {}
    if link.purpose != "signin":
        if not password:
            raise InvalidInput("choose a password")
        changes["password_hash"] = passwords.hash_password(password)
        if name is not None and name.strip():
            changes["name"] = name.strip()[:200]
    if link.purpose == "setup":
        if not email:
            raise InvalidInput("enter your email address")
        changes["email"] = check_email(email)
        other = svc.store.people.find_user(changes["email"])
        if other is not None and other.id != user.id:
            raise Conflict(f"a user with the email {email!r} already exists")
    if not svc.store.people.use_link(link.token_hash, utcnow().isoformat()):
        raise NotFound("this link was already used or has expired; ask for a new one")
    return svc.store.people.update_user(user.id, **changes) if changes else user


# -- members ----------------------------------------------------------------------------------
def groups_of(svc: Services, org_id: str) -> list[dict[str, Any]]:
    return svc.store.records.list_of("group", org_id)


def list_members(svc: Services, who: Principal) -> list[dict[str, Any]]:
    """Members with the names of their groups."""
    require(svc.policy, who, "read", member_resource(who), "organization members")
    groups = groups_of(svc, who.org_id)
    out = []
    for m in svc.store.people.list_members(who.org_id):
        names = sorted(g["name"] for g in groups if m.user.id in (g.get("member_users") or []))
        out.append(
            {
                **user_object(m.user),
                "joined": m.joined,
                "groups": names,
                "pending": m.user.password_hash is None,
            }
        )
    return out


def user_object(user: User) -> dict[str, Any]:
    """The reference's `User` shape (`given_name` holds the display name), plus `name`."""
    return {
        "id": user.id,
        "email": user.email,
        "given_name": user.name,
        "family_name": None,
        "avatar_url": None,
        "created": user.created,
        "name": user.name,
    }


def resolve_groups(svc: Services, who: Principal, ids: list[str], names: list[str]) -> list[str]:
    groups = groups_of(svc, who.org_id)
    by_name = {g["name"]: g["id"] for g in groups}
    known = {g["id"] for g in groups}
    out = []
    for gid in ids:
        if gid not in known:
            raise NotFound(f"group {gid!r} not found")
        out.append(gid)
    for name in names:
        if name not in by_name:
            raise NotFound(f"group {name!r} not found (groups: {', '.join(sorted(by_name))})")
        out.append(by_name[name])
    return out


@dataclass(frozen=True)
class Invitation:
    email: str
    user_id: str
    link: str | None  # None when the person already has an account (they can sign in now)


def invite(
    svc: Services,
    who: Principal,
    emails: list[str],
    group_ids: list[str],
    base_url: str,
    send_mail: bool = True,
) -> tuple[list[Invitation], str | None]:
    """Invite people by email into the organization (and groups). Returns the invitations and a
    mail error, if mailing was asked for and failed (the invitations stand)."""
    require(svc.policy, who, "create", member_resource(who), "organization members")
    checked = [check_email(e) for e in emails]
    out: list[Invitation] = []
    for email in checked:
        user = svc.store.people.find_user(email)
        if user is None:
            user = svc.store.people.create_user(email, email.split("@")[0])
        svc.store.people.add_member(who.org_id, user.id, group_ids)
        link = None
        if user.password_hash is None:
            link = link_url(
                base_url, issue_link(svc.store, svc.settings.link_hours, user.id, who.org_id, "invite")
            )
        out.append(Invitation(email, user.id, link))
    error = mail.send_invitations(svc.settings, who, out) if send_mail else None
    return out, error


def remove(svc: Services, who: Principal, user_ids: list[str], emails: list[str]) -> int:
    """Remove members (their group memberships, grants and API keys in this organization)."""
    require(svc.policy, who, "delete", member_resource(who), "organization members")
    members = {m.user.id: m.user for m in svc.store.people.list_members(who.org_id)}
    by_email = {u.email.lower(): u.id for u in members.values()}
    targets = list(user_ids)
    for email in emails:
        if email.lower() not in by_email:
            raise NotFound(f"no member with the email {email!r}")
        targets.append(by_email[email.lower()])
    owners = next((g for g in groups_of(svc, who.org_id) if g["name"] == "Owners"), {})
    remaining = set(owners.get("member_users") or []) & set(members) - set(targets)
    if owners and not remaining:
        raise InvalidInput("the organization must keep at least one owner")
    return sum(svc.store.people.remove_member(who.org_id, uid) for uid in targets if uid in members)


# -- API keys ---------------------------------------------------------------------------------
def key_object(key: ApiKey, users: dict[str, User]) -> dict[str, Any]:
    user = users.get(key.user_id)
    return {
        "id": key.id,
        "name": key.name,
        "preview_name": key.preview,
        "user_id": key.user_id,
        "user_email": user.email if user else None,
        "org_id": key.org_id,
        "created": key.created,
    }


def _all_keys(svc: Services, who: Principal) -> bool:
    """Owners (who manage access) see and revoke every key of the organization."""
    return svc.policy.can(who, "manage", Resource("org", who.org_id, who.org_id))


def list_keys(svc: Services, who: Principal) -> list[dict[str, Any]]:
    keys = svc.store.people.list_api_keys(who.org_id, None if _all_keys(svc, who) else who.user_id)
    users = {m.user.id: m.user for m in svc.store.people.list_members(who.org_id)}
    return [key_object(k, users) for k in keys]


def create_key(svc: Services, who: Principal, name: str, user_id: str | None = None) -> dict[str, Any]:
    """A new key with the permissions of its user: the caller, or (for an owner, e.g. a service
    account's key) another member. The clear key is in `key`, this one time only."""
    owner_id = user_id or who.user_id
    if owner_id != who.user_id:
        require(
            svc.policy, who, "manage", Resource("org", who.org_id, who.org_id), "the keys of other members"
        )
        if owner_id not in {m.user.id for m in svc.store.people.list_members(who.org_id)}:
            raise NotFound(f"no member {owner_id!r} in this organization")
    stored, clear = issue_api_key(svc.store, who.org_id, owner_id, name)
    user = svc.store.people.get_user(owner_id)
    return {**key_object(stored, {user.id: user} if user else {}), "key": clear}


def get_key(svc: Services, who: Principal, key_id: str) -> dict[str, Any]:
    key = svc.store.people.get_api_key(key_id)
    if key is None or key.org_id != who.org_id or (key.user_id != who.user_id and not _all_keys(svc, who)):
        raise NotFound(f"API key {key_id!r} not found")
    user = svc.store.people.get_user(key.user_id)
    return key_object(key, {user.id: user} if user else {})


def revoke_key(svc: Services, who: Principal, key_id: str) -> dict[str, Any]:
    found = get_key(svc, who, key_id)
    svc.store.people.delete_api_key(key_id)
    return found

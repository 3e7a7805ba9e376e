"""Browser sign-in: passwords, server-side sessions, CSRF tokens and rate-limited failures.

A session is a random token in an HttpOnly, SameSite=Strict cookie (Secure over HTTPS or when
configured); the server keeps only its hash, with the user, an expiry pushed back on use, and a
CSRF token. Every write a session cookie authenticates must carry that CSRF token in the
`X-CSRF-Token` header (the web app gets it from `GET /api/session`), and must not come from
another origin: a cross-site form can neither read the token nor set the header. API keys in an
`Authorization` header need neither, since browsers never attach them on their own.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from assay.model.errors import Forbidden, InvalidInput, Unauthorized
from assay.model.objects import utcnow
from assay.model.people import Session, User
from assay.services import passwords
from assay.services.auth import Principal, hash_token, unauthorized
from assay.services.context import Services

SESSION_COOKIE = "assay_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOUCH_EVERY = timedelta(minutes=10)  # a session's expiry is pushed back at most this often


@dataclass(frozen=True)
class Started:
    """A new session: the cookie's token (given to the browser once) and the stored session."""

    token: str
    session: Session


def start(svc: Services, user: User) -> Started:
    now = utcnow()
    token = secrets.token_urlsafe(32)
    session = Session(
        id=hash_token(token),
        user_id=user.id,
        csrf=secrets.token_urlsafe(32),
        created=now.isoformat(),
        expires=(now + timedelta(days=svc.settings.session_days)).isoformat(),
        last_seen=now.isoformat(),
    )
    svc.store.people.create_session(session)
    return Started(token, session)


def sign_in(svc: Services, email: str, password: str, client: str) -> tuple[User, Started]:
    """Check the password (rate-limited) and start a session."""
    key = email.strip().lower()
    if not key or not password:
        raise InvalidInput("enter your email and password")
    guard = svc.guard
    guard.check(key, client)
    user = svc.store.people.find_user(key)
    if not passwords.verify(user.password_hash if user else None, password) or user is None:
        guard.fail(key, client)
        raise Unauthorized("wrong email or password")
    guard.succeed(key)
    if user.password_hash and passwords.needs_rehash(user.password_hash):
        user = svc.store.people.update_user(user.id, password_hash=passwords.hash_password(password))
    return user, start(svc, user)


def current(svc: Services, token: str) -> Session:
    """The live session behind a cookie's token, its expiry pushed back; else Unauthorized."""
    session = svc.store.people.get_session(hash_token(token))
    now = utcnow()
    if session is None or datetime.fromisoformat(session.expires) <= now:
        raise unauthorized("your session has ended")
    if now - datetime.fromisoformat(session.last_seen) > TOUCH_EVERY:
        expires = (now + timedelta(days=svc.settings.session_days)).isoformat()
        svc.store.people.touch_session(session.id, now.isoformat(), expires)
    return session


def authenticate(
    svc: Services, token: str, *, method: str, csrf: str | None, org_name: str | None
) -> Principal:
    """The caller behind a session cookie. Writes must carry the session's CSRF token."""
    session = current(svc, token)
    if method.upper() not in SAFE_METHODS and not (csrf and secrets.compare_digest(csrf, session.csrf)):
        raise Forbidden(
            "missing or wrong CSRF token: writes signed in by cookie must send the X-CSRF-Token header "
            "that GET /api/session returns"
        )
    return svc.policy.for_user(session.user_id, org_name, session_id=session.id)


def same_origin(origin: str | None, fetch_site: str | None, own: set[str]) -> bool:
    """Whether a browser request comes from this site's own pages: no `Origin` (not a browser, or
    a same-origin navigation) or one of ours, and not marked cross-site by `Sec-Fetch-Site`."""
    if fetch_site == "cross-site":
        return False
    return origin is None or origin.rstrip("/") in own


def end(svc: Services, who: Principal, everywhere: bool) -> int:
    """Sign out this session, or every session of the user; how many ended."""
    return svc.store.people.delete_sessions(who.user_id, None if everywhere else who.session_id)

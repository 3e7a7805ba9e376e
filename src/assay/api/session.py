"""Browser sign-in: `/api/session` (sign in, who am I, sign out) and one-time links `/api/link/…`.

The session token travels only in an HttpOnly, SameSite=Strict cookie; the CSRF token the web app
must send back on writes is in the JSON answer.
"""

from __future__ import annotations

from fastapi import Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from assay.api.deps import caller, check_origin, services
from assay.api.models import errors
from assay.api.routing import api_router
from assay.model.accounts import (
    AcceptLink,
    LinkInfo,
    LinkToken,
    OrgPermissions,
    OrgRef,
    SessionInfo,
    SignedOut,
    SignIn,
    UserRef,
)
from assay.model.errors import InvalidInput
from assay.services import people, sessions
from assay.services.auth import Principal, Resource
from assay.services.context import Services

router = api_router(tags=["sign-in"], responses=errors(400, 413))


def _secure(request: Request, svc: Services) -> bool:
    if svc.settings.secure_cookies is not None:
        return svc.settings.secure_cookies
    return request.url.scheme == "https" or (svc.settings.public_url or "").startswith("https://")


def _set_cookie(response: Response, request: Request, svc: Services, started: sessions.Started) -> None:
    response.set_cookie(
        sessions.SESSION_COOKIE,
        started.token,
        max_age=int(svc.settings.session_days * 86400),
        path="/",
        httponly=True,
        secure=_secure(request, svc),
        samesite="strict",
    )


def org_permissions(svc: Services, who: Principal) -> OrgPermissions:
    org = Resource("org", who.org_id, who.org_id)
    member = people.member_resource(who)
    can = svc.policy.can
    return OrgPermissions(
        manage_settings=can(who, "update", org),
        invite_members=can(who, "create", member),
        remove_members=can(who, "delete", member),
        manage_access=can(who, "manage", org),
        create_projects=can(who, "create", org),
    )


def session_info(svc: Services, who: Principal, csrf: str | None) -> SessionInfo:
    orgs = svc.store.people.memberships(who.user_id)
    return SessionInfo(
        user=UserRef(id=who.user_id, email=who.email, name=who.name),
        org=OrgRef(id=who.org_id, name=who.org_name),
        orgs=[OrgRef(id=o.id, name=o.name) for o in orgs],
        csrf_token=csrf,
        permissions=org_permissions(svc, who),
    )


def _started(
    request: Request, response: Response, svc: Services, user_id: str, started: sessions.Started
) -> SessionInfo:
    _set_cookie(response, request, svc, started)
    who = svc.policy.for_user(user_id, session_id=started.session.id)
    return session_info(svc, who, started.session.csrf)


@router.post("/api/session", response_model=SessionInfo, responses=errors(401, 403, 429))
async def sign_in(
    body: SignIn, request: Request, response: Response, svc: Services = Depends(services)
) -> SessionInfo:
    """Sign in with an email and password (or exchange an API key for a session): sets the
    session cookie. Failed attempts are rate-limited per email and per client (429)."""
    check_origin(request)
    client = request.client.host if request.client else "unknown"
    if body.api_key:
        who = svc.policy.authenticate(body.api_key)
        found = svc.store.people.get_user(who.user_id)
        if found is None:
            raise InvalidInput("the user of this API key no longer exists")
        started = await run_in_threadpool(sessions.start, svc, found)
        return _started(request, response, svc, found.id, started)
    if body.email is None or body.password is None:
        raise InvalidInput("send your email and password (or an api_key)")
    user, started = await run_in_threadpool(sessions.sign_in, svc, body.email, body.password, client)
    return _started(request, response, svc, user.id, started)


@router.get("/api/session", response_model=SessionInfo, responses=errors(401))
def whoami(
    request: Request, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> SessionInfo:
    """Who is signed in, where, what they may do there, and the CSRF token for writes."""
    csrf = None
    if who.session_id:
        session = svc.store.people.get_session(who.session_id)
        csrf = session.csrf if session else None
    return session_info(svc, who, csrf)


@router.delete("/api/session", response_model=SignedOut, responses=errors(401, 403))
def sign_out(
    response: Response,
    everywhere: bool = False,
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> SignedOut:
    """Sign out this browser, or (`?everywhere=true`) every session of the user at once."""
    if not who.session_id and not everywhere:
        raise InvalidInput("not signed in with a session; pass everywhere=true to end all your sessions")
    ended = sessions.end(svc, who, everywhere)
    response.delete_cookie(sessions.SESSION_COOKIE, path="/")
    return SignedOut(sessions_ended=ended)


@router.post("/api/link/inspect", response_model=LinkInfo, responses=errors(404))
def inspect_link(body: LinkToken, svc: Services = Depends(services)) -> LinkInfo:
    """What a one-time link is for (without using it): whose it is and what it asks for."""
    info = people.inspect_link(svc, body.token)
    return LinkInfo(**info.__dict__)


@router.post("/api/link/accept", response_model=SessionInfo, responses=errors(403, 404, 409))
async def accept_link(
    body: AcceptLink, request: Request, response: Response, svc: Services = Depends(services)
) -> SessionInfo:
    """Use a one-time link (choosing a password where it asks for one) and sign in."""
    check_origin(request)
    user = await run_in_threadpool(
        people.accept_link, svc, body.token, email=body.email, name=body.name, password=body.password
    )
    started = await run_in_threadpool(sessions.start, svc, user)
    return _started(request, response, svc, user.id, started)

"""Users and members: the reference's `/v1/user` and `PATCH /v1/organization/members`, and the
members list with groups the web app's Members page shows."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import StringConstraints

from assay.api.deps import base_url, caller, paging, services
from assay.api.models import AUTHENTICATED, ObjectId, errors
from assay.api.routing import api_router
from assay.model.accounts import Invitation, Members, PatchMembers, PatchMembersResult, User, Users
from assay.model.errors import InvalidInput, NotFound
from assay.services import people
from assay.services.auth import Principal
from assay.services.catalog import Page
from assay.services.context import Services

# an email address has an @ (a filter naming anything else could match nobody: a 400)
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+$")]

router = api_router(tags=["users"], responses={**AUTHENTICATED, **errors(403)})


@router.get("/v1/user", response_model=Users)
def list_users(
    email: list[Email] | None = Query(None, description="Only the members with these emails"),
    ids: list[ObjectId] | None = Query(None, description="Only these users (their UUIDs)"),
    org_name: str | None = None,
    page: Page = Depends(paging),
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> Users:
    """The organization's members, newest first (filter by `email` or `ids`)."""
    if org_name and org_name != who.org_name:
        raise InvalidInput(f"unknown organization {org_name!r} for this caller")
    found = list(reversed(people.list_members(svc, who)))
    if email:
        wanted = {e.lower() for e in email}
        found = [m for m in found if m["email"].lower() in wanted]
    if ids:
        found = [m for m in found if m["id"] in ids]
    return Users(objects=[User(**m) for m in page.of(found)])


@router.get("/v1/user/{user_id}", response_model=User, responses=errors(404))
def get_user(user_id: str, who: Principal = Depends(caller), svc: Services = Depends(services)) -> User:
    for m in people.list_members(svc, who):
        if m["id"] == user_id:
            return User(**m)
    raise NotFound(f"user {user_id!r} not found")


@router.get("/v1/organization/members", response_model=Members)
def list_members(who: Principal = Depends(caller), svc: Services = Depends(services)) -> Members:
    """Members in the order they joined, with their groups and whether they are still invited."""
    return Members(objects=people.list_members(svc, who))


@router.patch("/v1/organization/members", response_model=PatchMembersResult, responses=errors(404, 409))
def patch_members(
    body: PatchMembers, request: Request, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> PatchMembersResult:
    """Invite people (each gets a one-time link, shown here; mailed only if SMTP is configured)
    and remove members."""
    if (body.org_name and body.org_name != who.org_name) or (body.org_id and body.org_id != who.org_id):
        raise InvalidInput("this caller acts in another organization")
    result = PatchMembersResult()
    if body.invite_users is not None:
        inv = body.invite_users
        if inv.ids:
            raise InvalidInput("invite people by email (invite_users.emails)")
        ids = [*inv.group_ids, *([inv.group_id] if inv.group_id else [])]
        names = [*inv.group_names, *([inv.group_name] if inv.group_name else [])]
        groups = people.resolve_groups(svc, who, ids, names)
        invitations, error = people.invite(
            svc, who, inv.emails, groups, base_url(request), send_mail=inv.send_invite_emails
        )
        result.invitations = [Invitation(**i.__dict__) for i in invitations]
        result.send_email_error = error
    if body.remove_users is not None:
        result.removed = people.remove(svc, who, body.remove_users.ids, body.remove_users.emails)
    return result

"""Request and response shapes of sign-in, users, members and API keys.

`User`, `ApiKey`, `CreateApiKeyOutput` and the members patch follow the reference API
(braintrust-features.md §7); the sign-in routes under `/api/` are Assay's own.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictBool


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class SignIn(_Lenient):
    """Either an email and password, or an API key to exchange for a browser session."""

    email: str | None = Field(None, max_length=320)
    password: str | None = Field(None, max_length=4096)
    api_key: str | None = Field(None, max_length=512)


class LinkToken(_Lenient):
    token: str = Field(min_length=1, max_length=512)


class AcceptLink(LinkToken):
    email: str | None = Field(None, max_length=320)
    name: str | None = Field(None, max_length=200)
    password: str | None = Field(None, max_length=4096)


class LinkInfo(BaseModel):
    purpose: str = Field(description="setup (the first owner), invite, or signin")
    email: str
    name: str
    org_name: str
    email_editable: bool
    needs_password: bool


class OrgRef(BaseModel):
    id: str
    name: str


class UserRef(BaseModel):
    id: str
    email: str
    name: str


class OrgPermissions(BaseModel):
    """What the caller may do in the organization, in the words of the settings page."""

    manage_settings: bool
    invite_members: bool
    remove_members: bool
    manage_access: bool
    create_projects: bool


class SessionInfo(BaseModel):
    user: UserRef
    org: OrgRef
    orgs: list[OrgRef]
    csrf_token: str | None = Field(description="Send as X-CSRF-Token on writes (null for an API key)")
    permissions: OrgPermissions


class SignedOut(BaseModel):
    sessions_ended: int


class User(BaseModel):
    """The reference's `User`; `given_name` and Assay's `name` hold the display name."""

    id: str
    email: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    avatar_url: str | None = None
    created: str | None = None
    name: str


class Member(User):
    joined: str
    groups: list[str] = Field(description="Names of the groups the member is in")
    pending: bool = Field(description="Invited, has not chosen a password yet")


class Users(BaseModel):
    objects: list[User]


class Members(BaseModel):
    objects: list[Member]


class InviteUsers(_Lenient):
    emails: list[str] = Field(default_factory=list, max_length=100)
    ids: list[str] = Field(default_factory=list, max_length=100)
    group_id: str | None = None
    group_name: str | None = None
    group_ids: list[str] = Field(default_factory=list)
    group_names: list[str] = Field(default_factory=list)
    send_invite_emails: StrictBool = True


class RemoveUsers(_Lenient):
    emails: list[str] = Field(default_factory=list, max_length=100)
    ids: list[str] = Field(default_factory=list, max_length=100)


class PatchMembers(_Lenient):
    invite_users: InviteUsers | None = None
    remove_users: RemoveUsers | None = None
    org_name: str | None = None
    org_id: str | None = None


class Invitation(BaseModel):
    email: str
    user_id: str
    link: str | None = Field(description="The one-time sign-in link; null if they already have an account")


class PatchMembersResult(BaseModel):
    status: str = "success"
    send_email_error: str | None = None
    invitations: list[Invitation] = Field(default_factory=list)
    removed: int = 0


class ApiKey(BaseModel):
    id: str
    name: str
    preview_name: str
    user_id: str | None = None
    user_email: str | None = None
    org_id: str | None = None
    created: str | None = None


class CreatedApiKey(ApiKey):
    key: str = Field(description="The key in clear: shown this one time only")


class ApiKeys(BaseModel):
    objects: list[ApiKey]


class CreateApiKey(_Lenient):
    name: str = Field(min_length=1, max_length=200)
    org_name: str | None = None
    user_id: str | None = Field(None, description="Assay: an owner may create a key for another member")

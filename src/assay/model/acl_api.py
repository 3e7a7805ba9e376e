"""Request and response shapes of the reference's `/v1/acl`, `/v1/role` and `/v1/group` routes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from assay.model.access import AclObjectType, Permission


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class AclItem(_Lenient):
    """One grant: exactly one of `user_id` / `group_id`, and of `permission` / `role_id`."""

    object_type: AclObjectType
    object_id: str = Field(min_length=1)
    user_id: str | None = None
    group_id: str | None = None
    permission: Permission | None = None
    restrict_object_type: AclObjectType | None = None
    role_id: str | None = None


class Acl(AclItem):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    id: str
    object_org_id: str = Field(alias="_object_org_id", description="The organization of the object")
    created: str | None = None


class Acls(BaseModel):
    objects: list[Acl]


class AclBatch(_Lenient):
    add_acls: list[AclItem] = Field(default_factory=list, max_length=1000)
    remove_acls: list[AclItem] = Field(default_factory=list, max_length=1000)


class AclBatchResult(BaseModel):
    added_acls: list[Acl]
    removed_acls: list[Acl]


class MemberPermission(BaseModel):
    permission: Permission
    restrict_object_type: AclObjectType | None = None


class Role(BaseModel):
    id: str
    org_id: str | None = Field(description="null for the built-in system roles")
    name: str
    description: str | None = None
    member_permissions: list[MemberPermission] = Field(default_factory=list)
    member_roles: list[str] = Field(default_factory=list)
    user_id: str | None = None
    created: str | None = None
    deleted_at: str | None = None


class Roles(BaseModel):
    objects: list[Role]


class CreateRole(_Lenient):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    member_permissions: list[MemberPermission] = Field(default_factory=list, max_length=100)
    member_roles: list[str] = Field(default_factory=list, max_length=100)
    org_name: str | None = None


class PatchRole(_Lenient):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    add_member_permissions: list[MemberPermission] = Field(default_factory=list)
    remove_member_permissions: list[MemberPermission] = Field(default_factory=list)
    add_member_roles: list[str] = Field(default_factory=list)
    remove_member_roles: list[str] = Field(default_factory=list)


class Group(BaseModel):
    id: str
    org_id: str
    name: str
    description: str | None = None
    member_users: list[str] = Field(default_factory=list)
    member_groups: list[str] = Field(default_factory=list)
    user_id: str | None = None
    created: str | None = None
    deleted_at: str | None = None


class Groups(BaseModel):
    objects: list[Group]


class CreateGroup(_Lenient):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    member_users: list[str] = Field(default_factory=list, max_length=10_000)
    member_groups: list[str] = Field(default_factory=list, max_length=1000)
    org_name: str | None = None


class PatchGroup(_Lenient):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    add_member_users: list[str] = Field(default_factory=list)
    remove_member_users: list[str] = Field(default_factory=list)
    add_member_groups: list[str] = Field(default_factory=list)
    remove_member_groups: list[str] = Field(default_factory=list)

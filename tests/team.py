"""A team to test access with: an owner, an engineer, a viewer, a member without project access,
and (for a cross-organization check) the owner of another organization. Every one has an API key
and a password; `ROLES` lists who a permission matrix asks about (plus the anonymous caller)."""

from __future__ import annotations

from dataclasses import dataclass

from assay.services.auth import issue_api_key, owner_of
from assay.services.passwords import hash_password
from assay.store.base import Store

PASSWORD = "correct horse battery staple"
ROLES = ("owner", "engineer", "viewer", "outsider", "anonymous")
GROUP = {"owner": "Owners", "engineer": "Engineers", "viewer": "Viewers", "outsider": None}


@dataclass
class Person:
    role: str
    user_id: str
    email: str
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}


_HASH: list[str] = []


def password_hash() -> str:
    """One Argon2 hash of PASSWORD for every test user (hashing is slow on purpose)."""
    if not _HASH:
        _HASH.append(hash_password(PASSWORD))
    return _HASH[0]


def make_team(store: Store, org_name: str = "local") -> dict[str, Person]:
    """Members of `org_name` in each role (the owner is the organization's first owner)."""
    org = store.ensure_org(org_name)
    groups = {g["name"]: g["id"] for g in store.records.list_of("group", org.id)}
    team: dict[str, Person] = {}
    for role, group in GROUP.items():
        email = f"{role}@{org_name}.test"
        if role == "owner":
            user = owner_of(store, org.id)
            user = store.people.update_user(
                user.id, email=email, name="Olive Owner", password_hash=password_hash()
            )
        else:
            user = store.people.create_user(email, role.capitalize(), password_hash=password_hash())
            store.people.add_member(org.id, user.id, [groups[group]] if group else [])
        team[role] = Person(role, user.id, email, issue_api_key(store, org.id, user.id, f"{role} key")[1])
    team["anonymous"] = Person("anonymous", "", "", "")
    return team

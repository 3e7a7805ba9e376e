"""`PeopleStore` written once for every SQL backend: users, memberships, API keys, sessions and
one-time links.

Every change is one transaction, and the checks that guard a write hold in the database whichever
server makes them: a free email is the `users.email_key` unique index (a concurrent twin is a
Conflict), a user or group is changed under a row lock where the backend takes locks (on DuckDB
the single writer serialises changes), a one-time link is used by one conditional UPDATE.
Statements are written once and compiled per backend (`assay.store.sql_backend`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import cache
from typing import Any

import orjson

from assay.model.errors import Conflict, NotFound
from assay.model.objects import Organization, utcnow
from assay.model.people import (
    PLACEHOLDER_OWNER_EMAIL,
    PLACEHOLDER_OWNER_NAME,
    ApiKey,
    Member,
    Session,
    SignInLink,
    User,
    UserKind,
)
from assay.store.sql_backend import SqlBackend, StatementSet, Tx

_USER = "id, email, name, created, kind, password_hash"
_KEY = "id, org_id, user_id, name, key_hash, preview, created"
_SESSION = "id, user_id, csrf, created, expires, last_seen"
_LINK = "token_hash, user_id, org_id, purpose, created, expires, used"


def _values(columns: str) -> str:
    return ", ".join(f":{c.strip()}" for c in columns.split(","))


_TEXTS: dict[str, str] = {
    "insert_user": f"""INSERT INTO users ({_USER}, email_key) VALUES ({_values(_USER)}, :email_key)
        ON CONFLICT (email_key) DO NOTHING RETURNING id""",
    "user": f"SELECT {_USER} FROM users WHERE id = :id",
    "user_by_email": f"SELECT {_USER} FROM users WHERE email_key = :email_key",
    "email_taken": "SELECT 1 FROM users WHERE email_key = :email_key AND id <> :id",
    "update_user": """UPDATE users SET email = :email, email_key = :email_key, name = :name,
        password_hash = :password_hash WHERE id = :id""",
    "group_of_org": "SELECT 1 FROM records WHERE kind = 'group' AND id = :id AND org_id = :org_id",
    "groups_of_org": "SELECT id FROM records WHERE kind = 'group' AND org_id = :org_id",
    "update_group": "UPDATE records SET doc = :doc WHERE kind = 'group' AND id = :id",
    "add_member": "INSERT INTO members VALUES (:org_id, :user_id, :joined) ON CONFLICT DO NOTHING",
    "remove_member": "DELETE FROM members WHERE org_id = :org_id AND user_id = :user_id RETURNING user_id",
    "drop_grants": """DELETE FROM records WHERE kind = 'acl' AND org_id = :org_id
        AND doc ->> '$.user_id' = :user_id""",
    "drop_member_keys": "DELETE FROM api_keys WHERE org_id = :org_id AND user_id = :user_id",
    "members": f"""SELECT m.joined, {", ".join("u." + c for c in _USER.split(", "))}
        FROM members m JOIN users u ON u.id = m.user_id WHERE m.org_id = :org_id ORDER BY m.joined, u.id""",
    "memberships": """SELECT o.id, o.name, o.created FROM members m JOIN orgs o ON o.id = m.org_id
        WHERE m.user_id = :user_id ORDER BY m.joined, o.id""",
    "insert_key": f"INSERT INTO api_keys ({_KEY}) VALUES ({_values(_KEY)})",
    "key_by_hash": f"SELECT {_KEY} FROM api_keys WHERE key_hash = :key_hash",
    "key": f"SELECT {_KEY} FROM api_keys WHERE id = :id",
    "keys": f"SELECT {_KEY} FROM api_keys WHERE org_id = :org_id ORDER BY created DESC, id DESC",
    "delete_key": "DELETE FROM api_keys WHERE id = :id RETURNING id",
    "insert_session": f"INSERT INTO sessions ({_SESSION}) VALUES ({_values(_SESSION)})",
    "session": f"SELECT {_SESSION} FROM sessions WHERE id = :id",
    "touch_session": "UPDATE sessions SET last_seen = :last_seen, expires = :expires WHERE id = :id",
    "delete_sessions": "DELETE FROM sessions WHERE user_id = :user_id RETURNING id",
    "insert_link": f"INSERT INTO signin_links ({_LINK}) VALUES ({_values(_LINK)})",
    "link": f"SELECT {_LINK} FROM signin_links WHERE token_hash = :token_hash",
    "use_link": """UPDATE signin_links SET used = :used_at
        WHERE token_hash = :token_hash AND used IS NULL AND expires > :used_at RETURNING token_hash""",
}
_LOCKED = {  # reads that guard a write: under a row lock where the backend takes locks
    "user_locked": f"SELECT {_USER} FROM users WHERE id = :id",
    "group_locked": "SELECT CAST(doc AS TEXT) FROM records WHERE kind = 'group' AND id = :id",
}
# Narrowed variants: the statement, the column and the parameter that narrows it.
_NARROWED = {"keys_of_user": ("keys", "user_id"), "one_session": ("delete_sessions", "id")}


@cache
def statements(dialect: str, locks: bool) -> StatementSet:
    """Compiled once per process for each backend."""
    return StatementSet(dialect, locks, _TEXTS, _LOCKED, _NARROWED)


def _user(row: Any) -> User:
    return User(*row)


def create_user(
    tx: Tx, sql: StatementSet, email: str, name: str, kind: str, password_hash: str | None
) -> User:
    """Inside the caller's transaction; Conflict if the email is taken."""
    user = User(str(uuid.uuid4()), email, name, utcnow().isoformat(), kind, password_hash)  # type: ignore[arg-type]
    fields = {c.strip(): getattr(user, c.strip()) for c in _USER.split(",")}
    if not sql["insert_user"].run(tx, **fields, email_key=email.lower()):
        raise Conflict(f"a user with the email {email!r} already exists")
    return user


def placeholder_owner(tx: Tx, sql: StatementSet) -> User:
    """The owner a database has before anyone chose an account (see PLACEHOLDER_OWNER_EMAIL)."""
    found = sql["user_by_email"].run(tx, email_key=PLACEHOLDER_OWNER_EMAIL)
    if found:
        return _user(found[0])
    return create_user(tx, sql, PLACEHOLDER_OWNER_EMAIL, PLACEHOLDER_OWNER_NAME, "user", None)


def _group_members(
    tx: Tx, sql: StatementSet, group_id: str, change: Callable[[list[str]], list[str]]
) -> None:
    found = sql["group_locked"].run(tx, id=group_id)
    if not found:
        raise NotFound(f"group {group_id!r} not found")
    doc = orjson.loads(found[0][0])
    doc["member_users"] = change(list(doc.get("member_users") or []))
    sql["update_group"].run(tx, id=group_id, doc=orjson.dumps(doc).decode())


def add_member(tx: Tx, sql: StatementSet, org_id: str, user_id: str, group_ids: list[str]) -> None:
    """Membership plus group memberships (group documents list their `member_users`)."""
    for group_id in group_ids:
        if not sql["group_of_org"].run(tx, id=group_id, org_id=org_id):
            raise NotFound(f"group {group_id!r} not found")
    sql["add_member"].run(tx, org_id=org_id, user_id=user_id, joined=utcnow().isoformat())
    for group_id in group_ids:
        _group_members(tx, sql, group_id, lambda users: users if user_id in users else [*users, user_id])


def remove_member(tx: Tx, sql: StatementSet, org_id: str, user_id: str) -> bool:
    """The membership, the user's place in the organization's groups, grants and API keys."""
    if not sql["remove_member"].run(tx, org_id=org_id, user_id=user_id):
        return False
    for (group_id,) in sql["groups_of_org"].run(tx, org_id=org_id):
        _group_members(tx, sql, group_id, lambda users: [u for u in users if u != user_id])
    sql["drop_grants"].run(tx, org_id=org_id, user_id=user_id)
    sql["drop_member_keys"].run(tx, org_id=org_id, user_id=user_id)
    return True


class SqlPeople:
    """`store.people` of a SQL store."""

    def __init__(self, backend: SqlBackend) -> None:
        self._backend = backend
        self._sql = statements(backend.dialect, backend.locks)

    def _read(self, statement: str, /, **params: Any) -> list[tuple[Any, ...]]:
        return self._backend.read(lambda tx: self._sql[statement].run(tx, **params))

    def _change(self, statement: str, /, **params: Any) -> list[tuple[Any, ...]]:
        """One statement in its own transaction; the rows it RETURNs, if any."""
        return self._backend.write(lambda tx: self._sql[statement].run(tx, **params))

    # -- users ----------------------------------------------------------------------------
    def create_user(
        self, email: str, name: str, *, kind: UserKind = "user", password_hash: str | None = None
    ) -> User:
        return self._backend.write(lambda tx: create_user(tx, self._sql, email, name, kind, password_hash))

    def get_user(self, user_id: str) -> User | None:
        found = self._read("user", id=user_id)
        return _user(found[0]) if found else None

    def find_user(self, email: str) -> User | None:
        found = self._read("user_by_email", email_key=email.strip().lower())
        return _user(found[0]) if found else None

    def update_user(
        self,
        user_id: str,
        *,
        email: str | None = None,
        name: str | None = None,
        password_hash: str | None = None,
    ) -> User:
        def run(tx: Tx) -> User:
            found = self._sql["user_locked"].run(tx, id=user_id)
            if not found:
                raise NotFound(f"user {user_id!r} not found")
            user = _user(found[0])
            new = User(
                user.id,
                email if email is not None else user.email,
                name if name is not None else user.name,
                user.created,
                user.kind,
                password_hash if password_hash is not None else user.password_hash,
            )
            if self._sql["email_taken"].run(tx, email_key=new.email.lower(), id=user_id):
                raise Conflict(f"a user with the email {email!r} already exists")
            self._sql["update_user"].run(
                tx,
                id=user_id,
                email=new.email,
                email_key=new.email.lower(),
                name=new.name,
                password_hash=new.password_hash,
            )
            return new

        return self._backend.write(run)

    # -- memberships ----------------------------------------------------------------------
    def add_member(self, org_id: str, user_id: str, group_ids: list[str]) -> None:
        self._backend.write(lambda tx: add_member(tx, self._sql, org_id, user_id, group_ids))

    def remove_member(self, org_id: str, user_id: str) -> bool:
        return self._backend.write(lambda tx: remove_member(tx, self._sql, org_id, user_id))

    def list_members(self, org_id: str) -> list[Member]:
        return [Member(org_id, _user(r[1:]), r[0]) for r in self._read("members", org_id=org_id)]

    def memberships(self, user_id: str) -> list[Organization]:
        rows = self._read("memberships", user_id=user_id)
        return [Organization(id=r[0], name=r[1], created=r[2]) for r in rows]

    # -- API keys -------------------------------------------------------------------------
    def add_api_key(self, org_id: str, user_id: str, name: str, key_hash: str, preview: str) -> ApiKey:
        key = ApiKey(str(uuid.uuid4()), org_id, user_id, name, key_hash, preview, utcnow().isoformat())
        self._change("insert_key", **{c.strip(): getattr(key, c.strip()) for c in _KEY.split(",")})
        return key

    def find_api_key(self, key_hash: str) -> ApiKey | None:
        found = self._read("key_by_hash", key_hash=key_hash)
        return ApiKey(*found[0]) if found else None

    def get_api_key(self, key_id: str) -> ApiKey | None:
        found = self._read("key", id=key_id)
        return ApiKey(*found[0]) if found else None

    def list_api_keys(self, org_id: str, user_id: str | None = None) -> list[ApiKey]:
        rows = self._read("keys" if user_id is None else "keys_of_user", org_id=org_id, user_id=user_id)
        return [ApiKey(*r) for r in rows]

    def delete_api_key(self, key_id: str) -> bool:
        return bool(self._change("delete_key", id=key_id))

    # -- sessions -------------------------------------------------------------------------
    def create_session(self, session: Session) -> None:
        self._change(
            "insert_session", **{c.strip(): getattr(session, c.strip()) for c in _SESSION.split(",")}
        )

    def get_session(self, session_id: str) -> Session | None:
        found = self._read("session", id=session_id)
        return Session(*found[0]) if found else None

    def touch_session(self, session_id: str, last_seen: str, expires: str) -> None:
        self._change("touch_session", id=session_id, last_seen=last_seen, expires=expires)

    def delete_sessions(self, user_id: str, session_id: str | None = None) -> int:
        name = "delete_sessions" if session_id is None else "one_session"
        return len(self._change(name, user_id=user_id, id=session_id))

    # -- one-time links -------------------------------------------------------------------
    def create_link(self, link: SignInLink) -> None:
        self._change("insert_link", **{c.strip(): getattr(link, c.strip()) for c in _LINK.split(",")})

    def get_link(self, token_hash: str) -> SignInLink | None:
        found = self._read("link", token_hash=token_hash)
        return SignInLink(*found[0]) if found else None

    def use_link(self, token_hash: str, when: str) -> bool:
        return bool(self._change("use_link", token_hash=token_hash, used_at=when))

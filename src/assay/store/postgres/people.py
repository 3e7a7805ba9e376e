"""`PeopleStore` on PostgreSQL: users, memberships, API keys, sessions and one-time links.

Every change is one transaction. Checks that guard a write hold in the database, whichever server
makes them: a free email is the `users.email_key` unique index (a concurrent twin is a Conflict),
a group's member list is changed under a row lock on the group, a one-time link is used by one
conditional UPDATE.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import orjson
import psycopg
from psycopg_pool import ConnectionPool

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
from assay.store.postgres.connections import connection

USER_COLUMNS = "id, email, name, created, kind, password_hash"
KEY_COLUMNS = "id, org_id, user_id, name, key_hash, preview, created"
SESSION_COLUMNS = "id, user_id, csrf, created, expires, last_seen"
LINK_COLUMNS = "token_hash, user_id, org_id, purpose, created, expires, used"


def _user(row: Any) -> User:
    return User(*row)


def create_user(con: psycopg.Connection, email: str, name: str, kind: str, password_hash: str | None) -> User:
    """Inside the caller's transaction."""
    user = User(str(uuid.uuid4()), email, name, utcnow().isoformat(), kind, password_hash)  # type: ignore[arg-type]
    made = con.execute(
        f"""INSERT INTO users ({USER_COLUMNS}, email_key) VALUES (%s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (email_key) DO NOTHING RETURNING id""",
        [user.id, user.email, user.name, user.created, user.kind, user.password_hash, email.lower()],
    ).fetchone()
    if made is None:
        raise Conflict(f"a user with the email {email!r} already exists")
    return user


def placeholder_owner(con: psycopg.Connection) -> User:
    """The owner a database has before anyone chose an account (see PLACEHOLDER_OWNER_EMAIL)."""
    row = con.execute(
        f"SELECT {USER_COLUMNS} FROM users WHERE email_key = %s", [PLACEHOLDER_OWNER_EMAIL]
    ).fetchone()
    if row:
        return _user(row)
    return create_user(con, PLACEHOLDER_OWNER_EMAIL, PLACEHOLDER_OWNER_NAME, "user", None)


def _group_members(con: psycopg.Connection, group_id: str, change: Callable[[list[str]], list[str]]) -> None:
    found = con.execute(
        "SELECT doc::text FROM records WHERE kind = 'group' AND id = %s FOR UPDATE", [group_id]
    ).fetchone()
    if found is None:
        raise NotFound(f"group {group_id!r} not found")
    doc = orjson.loads(found[0])
    doc["member_users"] = change(list(doc.get("member_users") or []))
    con.execute(
        "UPDATE records SET doc = %s WHERE kind = 'group' AND id = %s", [orjson.dumps(doc).decode(), group_id]
    )


def add_member(con: psycopg.Connection, org_id: str, user_id: str, group_ids: list[str]) -> None:
    """Membership plus group memberships (group documents list their `member_users`)."""
    for group_id in group_ids:
        if not con.execute(
            "SELECT 1 FROM records WHERE kind = 'group' AND id = %s AND org_id = %s", [group_id, org_id]
        ).fetchone():
            raise NotFound(f"group {group_id!r} not found")
    con.execute(
        "INSERT INTO members VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
        [org_id, user_id, utcnow().isoformat()],
    )
    for group_id in group_ids:
        _group_members(con, group_id, lambda users: users if user_id in users else [*users, user_id])


def remove_member(con: psycopg.Connection, org_id: str, user_id: str) -> bool:
    gone = con.execute(
        "DELETE FROM members WHERE org_id = %s AND user_id = %s RETURNING user_id", [org_id, user_id]
    ).fetchall()
    if not gone:
        return False
    groups = con.execute("SELECT id FROM records WHERE kind = 'group' AND org_id = %s", [org_id]).fetchall()
    for (group_id,) in groups:
        _group_members(con, group_id, lambda users: [u for u in users if u != user_id])
    con.execute(
        "DELETE FROM records WHERE kind = 'acl' AND org_id = %s AND doc->>'user_id' = %s", [org_id, user_id]
    )
    con.execute("DELETE FROM api_keys WHERE org_id = %s AND user_id = %s", [org_id, user_id])
    return True


class PostgresPeople:
    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool

    def _one(self, sql: str, params: list[Any]) -> Any:
        with connection(self._pool) as con:
            return con.execute(sql, params).fetchone()

    def _all(self, sql: str, params: list[Any]) -> list[Any]:
        with connection(self._pool) as con:
            return con.execute(sql, params).fetchall()

    def _change(self, sql: str, params: list[Any]) -> list[Any]:
        """One statement in its own transaction; the rows it RETURNs, if any."""
        with connection(self._pool) as con, con.transaction():
            cur = con.execute(sql, params)
            return cur.fetchall() if cur.description else []

    # -- users ----------------------------------------------------------------------------
    def create_user(
        self, email: str, name: str, *, kind: UserKind = "user", password_hash: str | None = None
    ) -> User:
        with connection(self._pool) as con, con.transaction():
            return create_user(con, email, name, kind, password_hash)

    def get_user(self, user_id: str) -> User | None:
        row = self._one(f"SELECT {USER_COLUMNS} FROM users WHERE id = %s", [user_id])
        return _user(row) if row else None

    def find_user(self, email: str) -> User | None:
        row = self._one(f"SELECT {USER_COLUMNS} FROM users WHERE email_key = %s", [email.strip().lower()])
        return _user(row) if row else None

    def update_user(
        self,
        user_id: str,
        *,
        email: str | None = None,
        name: str | None = None,
        password_hash: str | None = None,
    ) -> User:
        with connection(self._pool) as con, con.transaction():
            row = con.execute(
                f"SELECT {USER_COLUMNS} FROM users WHERE id = %s FOR UPDATE", [user_id]
            ).fetchone()
            if row is None:
                raise NotFound(f"user {user_id!r} not found")
            user = _user(row)
            new = User(
                user.id,
                email if email is not None else user.email,
                name if name is not None else user.name,
                user.created,
                user.kind,
                password_hash if password_hash is not None else user.password_hash,
            )
            taken = con.execute(
                "SELECT 1 FROM users WHERE email_key = %s AND id != %s", [new.email.lower(), user_id]
            ).fetchone()
            if taken:
                raise Conflict(f"a user with the email {email!r} already exists")
            con.execute(
                "UPDATE users SET email = %s, email_key = %s, name = %s, password_hash = %s WHERE id = %s",
                [new.email, new.email.lower(), new.name, new.password_hash, user_id],
            )
            return new

    # -- memberships ----------------------------------------------------------------------
    def add_member(self, org_id: str, user_id: str, group_ids: list[str]) -> None:
        with connection(self._pool) as con, con.transaction():
            add_member(con, org_id, user_id, group_ids)

    def remove_member(self, org_id: str, user_id: str) -> bool:
        with connection(self._pool) as con, con.transaction():
            return remove_member(con, org_id, user_id)

    def list_members(self, org_id: str) -> list[Member]:
        rows = self._all(
            f"""SELECT m.joined, {", ".join("u." + c for c in USER_COLUMNS.split(", "))}
                FROM members m JOIN users u ON u.id = m.user_id
                WHERE m.org_id = %s ORDER BY m.joined, u.id""",
            [org_id],
        )
        return [Member(org_id, _user(r[1:]), r[0]) for r in rows]

    def memberships(self, user_id: str) -> list[Organization]:
        rows = self._all(
            """SELECT o.id, o.name, o.created FROM members m JOIN orgs o ON o.id = m.org_id
               WHERE m.user_id = %s ORDER BY m.joined, o.id""",
            [user_id],
        )
        return [Organization(id=r[0], name=r[1], created=r[2]) for r in rows]

    # -- API keys -------------------------------------------------------------------------
    def add_api_key(self, org_id: str, user_id: str, name: str, key_hash: str, preview: str) -> ApiKey:
        key = ApiKey(str(uuid.uuid4()), org_id, user_id, name, key_hash, preview, utcnow().isoformat())
        self._change(
            f"INSERT INTO api_keys ({KEY_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [key.id, key.org_id, key.user_id, key.name, key.key_hash, key.preview, key.created],
        )
        return key

    def _keys(self, where: str, params: list[Any]) -> list[ApiKey]:
        return [ApiKey(*r) for r in self._all(f"SELECT {KEY_COLUMNS} FROM api_keys WHERE {where}", params)]

    def find_api_key(self, key_hash: str) -> ApiKey | None:
        found = self._keys("key_hash = %s", [key_hash])
        return found[0] if found else None

    def get_api_key(self, key_id: str) -> ApiKey | None:
        found = self._keys("id = %s", [key_id])
        return found[0] if found else None

    def list_api_keys(self, org_id: str, user_id: str | None = None) -> list[ApiKey]:
        return self._keys(
            "org_id = %s AND (%s::text IS NULL OR user_id = %s::text) ORDER BY created DESC, id DESC",
            [org_id, user_id, user_id],
        )

    def delete_api_key(self, key_id: str) -> bool:
        return bool(self._change("DELETE FROM api_keys WHERE id = %s RETURNING id", [key_id]))

    # -- sessions -------------------------------------------------------------------------
    def create_session(self, session: Session) -> None:
        s = session
        self._change(
            f"INSERT INTO sessions ({SESSION_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s)",
            [s.id, s.user_id, s.csrf, s.created, s.expires, s.last_seen],
        )

    def get_session(self, session_id: str) -> Session | None:
        row = self._one(f"SELECT {SESSION_COLUMNS} FROM sessions WHERE id = %s", [session_id])
        return Session(*row) if row else None

    def touch_session(self, session_id: str, last_seen: str, expires: str) -> None:
        self._change(
            "UPDATE sessions SET last_seen = %s, expires = %s WHERE id = %s", [last_seen, expires, session_id]
        )

    def delete_sessions(self, user_id: str, session_id: str | None = None) -> int:
        gone = self._change(
            "DELETE FROM sessions WHERE user_id = %s AND (%s::text IS NULL OR id = %s::text) RETURNING id",
            [user_id, session_id, session_id],
        )
        return len(gone)

    # -- one-time links -------------------------------------------------------------------
    def create_link(self, link: SignInLink) -> None:
        k = link
        self._change(
            f"INSERT INTO signin_links ({LINK_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [k.token_hash, k.user_id, k.org_id, k.purpose, k.created, k.expires, k.used],
        )

    def get_link(self, token_hash: str) -> SignInLink | None:
        row = self._one(f"SELECT {LINK_COLUMNS} FROM signin_links WHERE token_hash = %s", [token_hash])
        return SignInLink(*row) if row else None

    def use_link(self, token_hash: str, when: str) -> bool:
        used = self._change(
            """UPDATE signin_links SET used = %s WHERE token_hash = %s AND used IS NULL AND expires > %s
               RETURNING token_hash""",
            [when, token_hash, when],
        )
        return bool(used)

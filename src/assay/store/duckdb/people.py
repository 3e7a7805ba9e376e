"""`PeopleStore` on DuckDB: users, memberships, API keys, sessions and one-time links.

Reads use the calling thread's cursor; writes run on the writer thread, so a check and the write
it guards (a free email, an unused link) happen in one transaction with no other writer between.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import duckdb
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

if TYPE_CHECKING:
    from assay.store.duckdb.writer import WriterThread

Reader = Callable[[], duckdb.DuckDBPyConnection]
USER_COLUMNS = "id, email, name, created, kind, password_hash"
KEY_COLUMNS = "id, org_id, user_id, name, key_hash, preview, created"
SESSION_COLUMNS = "id, user_id, csrf, created, expires, last_seen"
LINK_COLUMNS = "token_hash, user_id, org_id, purpose, created, expires, used"


def _user(row: Any) -> User:
    return User(*row)


def create_user(
    con: duckdb.DuckDBPyConnection, email: str, name: str, kind: str, password_hash: str | None
) -> User:
    if con.execute("SELECT 1 FROM users WHERE email_key = ?", [email.lower()]).fetchone():
        raise Conflict(f"a user with the email {email!r} already exists")
    user = User(str(uuid.uuid4()), email, name, utcnow().isoformat(), kind, password_hash)  # type: ignore[arg-type]
    con.execute(
        f"INSERT INTO users ({USER_COLUMNS}, email_key) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [user.id, user.email, user.name, user.created, user.kind, user.password_hash, email.lower()],
    )
    return user


def placeholder_owner(con: duckdb.DuckDBPyConnection) -> User:
    """The owner a database has before anyone chose an account (see PLACEHOLDER_OWNER_EMAIL)."""
    row = con.execute(
        f"SELECT {USER_COLUMNS} FROM users WHERE email_key = ?", [PLACEHOLDER_OWNER_EMAIL]
    ).fetchone()
    if row:
        return _user(row)
    return create_user(con, PLACEHOLDER_OWNER_EMAIL, PLACEHOLDER_OWNER_NAME, "user", None)


def _group_members(
    con: duckdb.DuckDBPyConnection, group_id: str, change: Callable[[list[str]], list[str]]
) -> None:
    found = con.execute("SELECT doc FROM records WHERE kind = 'group' AND id = ?", [group_id]).fetchone()
    if found is None:
        raise NotFound(f"group {group_id!r} not found")
    doc = orjson.loads(found[0])
    doc["member_users"] = change(list(doc.get("member_users") or []))
    con.execute(
        "UPDATE records SET doc = ? WHERE kind = 'group' AND id = ?", [orjson.dumps(doc).decode(), group_id]
    )


def add_member(con: duckdb.DuckDBPyConnection, org_id: str, user_id: str, group_ids: list[str]) -> None:
    """Membership plus group memberships (group documents list their `member_users`)."""
    for group_id in group_ids:
        if not con.execute(
            "SELECT 1 FROM records WHERE kind = 'group' AND id = ? AND org_id = ?", [group_id, org_id]
        ).fetchone():
            raise NotFound(f"group {group_id!r} not found")
    con.execute(
        "INSERT INTO members VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [org_id, user_id, utcnow().isoformat()]
    )
    for group_id in group_ids:
        _group_members(con, group_id, lambda users: users if user_id in users else [*users, user_id])


def remove_member(con: duckdb.DuckDBPyConnection, org_id: str, user_id: str) -> bool:
    gone = con.execute(
        "DELETE FROM members WHERE org_id = ? AND user_id = ? RETURNING user_id", [org_id, user_id]
    ).fetchall()
    if not gone:
        return False
    for (group_id,) in con.execute(
        "SELECT id FROM records WHERE kind = 'group' AND org_id = ?", [org_id]
    ).fetchall():
        _group_members(con, group_id, lambda users: [u for u in users if u != user_id])
    con.execute(
        "DELETE FROM records WHERE kind = 'acl' AND org_id = ? AND doc->>'$.user_id' = ?", [org_id, user_id]
    )
    con.execute("DELETE FROM api_keys WHERE org_id = ? AND user_id = ?", [org_id, user_id])
    return True


class DuckDBPeople:
    def __init__(self, reader: Reader, writer: WriterThread) -> None:
        self._read, self._writer = reader, writer

    # -- users ----------------------------------------------------------------------------
    def create_user(
        self, email: str, name: str, *, kind: UserKind = "user", password_hash: str | None = None
    ) -> User:
        user: User = self._writer.submit(lambda con: create_user(con, email, name, kind, password_hash))
        return user

    def get_user(self, user_id: str) -> User | None:
        row = self._read().execute(f"SELECT {USER_COLUMNS} FROM users WHERE id = ?", [user_id]).fetchone()
        return _user(row) if row else None

    def find_user(self, email: str) -> User | None:
        row = (
            self._read()
            .execute(f"SELECT {USER_COLUMNS} FROM users WHERE email_key = ?", [email.strip().lower()])
            .fetchone()
        )
        return _user(row) if row else None

    def update_user(
        self,
        user_id: str,
        *,
        email: str | None = None,
        name: str | None = None,
        password_hash: str | None = None,
    ) -> User:
        def job(con: duckdb.DuckDBPyConnection) -> User:
            row = con.execute(f"SELECT {USER_COLUMNS} FROM users WHERE id = ?", [user_id]).fetchone()
            if row is None:
                raise NotFound(f"user {user_id!r} not found")
            user = _user(row)
            wanted = (email or user.email).lower()
            if (
                wanted != user.email.lower()
                and con.execute("SELECT 1 FROM users WHERE email_key = ?", [wanted]).fetchone()
            ):
                raise Conflict(f"a user with the email {email!r} already exists")
            new = User(
                user.id,
                email if email is not None else user.email,
                name if name is not None else user.name,
                user.created,
                user.kind,
                password_hash if password_hash is not None else user.password_hash,
            )
            con.execute(
                "UPDATE users SET email = ?, email_key = ?, name = ?, password_hash = ? WHERE id = ?",
                [new.email, new.email.lower(), new.name, new.password_hash, user_id],
            )
            return new

        result: User = self._writer.submit(job)
        return result

    # -- memberships ----------------------------------------------------------------------
    def add_member(self, org_id: str, user_id: str, group_ids: list[str]) -> None:
        self._writer.submit(lambda con: add_member(con, org_id, user_id, group_ids))

    def remove_member(self, org_id: str, user_id: str) -> bool:
        removed: bool = self._writer.submit(lambda con: remove_member(con, org_id, user_id))
        return removed

    def list_members(self, org_id: str) -> list[Member]:
        rows = (
            self._read()
            .execute(
                f"""SELECT m.joined, {", ".join("u." + c for c in USER_COLUMNS.split(", "))}
                    FROM members m JOIN users u ON u.id = m.user_id
                    WHERE m.org_id = ? ORDER BY m.joined, u.id""",
                [org_id],
            )
            .fetchall()
        )
        return [Member(org_id, _user(r[1:]), r[0]) for r in rows]

    def memberships(self, user_id: str) -> list[Organization]:
        rows = (
            self._read()
            .execute(
                """SELECT o.id, o.name, o.created FROM members m JOIN orgs o ON o.id = m.org_id
                   WHERE m.user_id = ? ORDER BY m.joined, o.id""",
                [user_id],
            )
            .fetchall()
        )
        return [Organization(id=r[0], name=r[1], created=r[2]) for r in rows]

    # -- API keys -------------------------------------------------------------------------
    def add_api_key(self, org_id: str, user_id: str, name: str, key_hash: str, preview: str) -> ApiKey:
        key = ApiKey(str(uuid.uuid4()), org_id, user_id, name, key_hash, preview, utcnow().isoformat())

        def job(con: duckdb.DuckDBPyConnection) -> ApiKey:
            con.execute(
                f"INSERT INTO api_keys ({KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [key.id, key.org_id, key.user_id, key.name, key.key_hash, key.preview, key.created],
            )
            return key

        result: ApiKey = self._writer.submit(job)
        return result

    def _key_where(self, where: str, params: list[Any]) -> list[ApiKey]:
        rows = self._read().execute(f"SELECT {KEY_COLUMNS} FROM api_keys WHERE {where}", params).fetchall()
        return [ApiKey(*r) for r in rows]

    def find_api_key(self, key_hash: str) -> ApiKey | None:
        found = self._key_where("key_hash = ?", [key_hash])
        return found[0] if found else None

    def get_api_key(self, key_id: str) -> ApiKey | None:
        found = self._key_where("id = ?", [key_id])
        return found[0] if found else None

    def list_api_keys(self, org_id: str, user_id: str | None = None) -> list[ApiKey]:
        where, params = "org_id = ?", [org_id]
        if user_id is not None:
            where, params = where + " AND user_id = ?", [*params, user_id]
        return self._key_where(where + " ORDER BY created DESC, id DESC", params)

    def delete_api_key(self, key_id: str) -> bool:
        def job(con: duckdb.DuckDBPyConnection) -> bool:
            return bool(con.execute("DELETE FROM api_keys WHERE id = ? RETURNING id", [key_id]).fetchall())

        deleted: bool = self._writer.submit(job)
        return deleted

    # -- sessions -------------------------------------------------------------------------
    def create_session(self, session: Session) -> None:
        s = session
        self._writer.submit(
            lambda con: con.execute(
                f"INSERT INTO sessions ({SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                [s.id, s.user_id, s.csrf, s.created, s.expires, s.last_seen],
            )
        )

    def get_session(self, session_id: str) -> Session | None:
        row = (
            self._read()
            .execute(f"SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?", [session_id])
            .fetchone()
        )
        return Session(*row) if row else None

    def touch_session(self, session_id: str, last_seen: str, expires: str) -> None:
        self._writer.submit(
            lambda con: con.execute(
                "UPDATE sessions SET last_seen = ?, expires = ? WHERE id = ?",
                [last_seen, expires, session_id],
            )
        )

    def delete_sessions(self, user_id: str, session_id: str | None = None) -> int:
        def job(con: duckdb.DuckDBPyConnection) -> int:
            sql, params = "DELETE FROM sessions WHERE user_id = ?", [user_id]
            if session_id is not None:
                sql, params = sql + " AND id = ?", [*params, session_id]
            return len(con.execute(sql + " RETURNING id", params).fetchall())

        count: int = self._writer.submit(job)
        return count

    # -- one-time links -------------------------------------------------------------------
    def create_link(self, link: SignInLink) -> None:
        k = link
        self._writer.submit(
            lambda con: con.execute(
                f"INSERT INTO signin_links ({LINK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [k.token_hash, k.user_id, k.org_id, k.purpose, k.created, k.expires, k.used],
            )
        )

    def get_link(self, token_hash: str) -> SignInLink | None:
        row = (
            self._read()
            .execute(f"SELECT {LINK_COLUMNS} FROM signin_links WHERE token_hash = ?", [token_hash])
            .fetchone()
        )
        return SignInLink(*row) if row else None

    def use_link(self, token_hash: str, when: str) -> bool:
        def job(con: duckdb.DuckDBPyConnection) -> bool:
            rows = con.execute(
                """UPDATE signin_links SET used = ? WHERE token_hash = ? AND used IS NULL AND expires > ?
                   RETURNING token_hash""",
                [when, token_hash, when],
            ).fetchall()
            return bool(rows)

        used: bool = self._writer.submit(job)
        return used

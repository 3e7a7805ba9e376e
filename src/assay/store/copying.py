"""What `assay migrate` copies from one database to another, the same for every backend.

The copied tables are the ones that hold what users wrote: the catalog, the event log, the
merged rows, comments, background jobs, and people and access (users, members, sessions,
one-time links, groups, roles, ACLs, views). Everything else is derived and rebuilt by the target
(`Store.copy_done`): the `_xact_id` clock, trace summaries, DuckDB's row-key hashes. Secrets
kept by a shared database (the URL-signing key) are not copied: the target makes its own, so
signed URLs handed out before the move stop working (they live minutes).

Rows travel as tuples of plain Python values, in the column order declared here: text as str,
integers as int, numbers as float, booleans, timestamps as timezone-aware datetimes, lists of
text as lists, maps of numbers as dicts of floats, JSON as its text (exactly as stored). Each
table is read in its key order (byte order of the key text on both backends), so a source and
its copy can be compared row for row.
"""

from __future__ import annotations

from dataclasses import dataclass

from assay.store.columns import ROW_COLUMNS


@dataclass(frozen=True)
class Copied:
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]  # unique; the order rows are read in


TABLES: tuple[Copied, ...] = (
    Copied("orgs", ("id", "name", "created"), ("id",)),
    Copied("api_keys", ("id", "org_id", "name", "key_hash", "created", "user_id", "preview"), ("id",)),
    # people and access (issue 10): users, memberships, sessions, one-time links, groups, roles,
    # ACLs, saved views and their defaults
    Copied("users", ("id", "email", "email_key", "name", "created", "kind", "password_hash"), ("id",)),
    Copied("members", ("org_id", "user_id", "joined"), ("org_id", "user_id")),
    Copied("sessions", ("id", "user_id", "csrf", "created", "expires", "last_seen"), ("id",)),
    Copied(
        "signin_links",
        ("token_hash", "user_id", "org_id", "purpose", "created", "expires", "used"),
        ("token_hash",),
    ),
    Copied("records", ("kind", "id", "org_id", "scope", "key", "created", "doc"), ("kind", "id")),
    Copied(
        "view_defaults",
        ("scope", "scope_id", "view_type", "view_id", "org_id"),
        ("scope", "scope_id", "view_type"),
    ),
    Copied("objects", ("kind", "id", "org_id", "project_id", "name", "created", "deleted", "doc"), ("id",)),
    Copied(
        "events",
        ("xact_id", "seq", "object_type", "object_id", "row_id", "pagination_key", "body"),
        ("xact_id", "seq", "object_id", "row_id"),
    ),
    Copied(
        "comments",
        ("object_type", "object_id", "id", "target_id", "_xact_id", "created", "body"),
        ("object_id", "id"),
    ),
    Copied("rows", tuple(c.name for c in ROW_COLUMNS), ("_key",)),
    Copied(
        "jobs",
        (
            "id",
            "org_id",
            "project_id",
            "object_id",
            "kind",
            "state",
            "created",
            "updated",
            "total",
            "done",
            "failed",
            "chunks",
            "chunks_done",
            "doc",
        ),
        ("id",),
    ),
    Copied(
        "job_chunks",
        ("job_id", "chunk", "items", "state", "token", "lease_until", "attempts"),
        ("job_id", "chunk"),
    ),
)
BY_NAME = {t.name: t for t in TABLES}


def table(name: str) -> Copied:
    """The copied table called `name` (ValueError for any other)."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"{name!r} is not a copied table ({', '.join(BY_NAME)})") from None


def select_sql(t: Copied) -> str:
    """The statement reading `t` in key order (fixed names of this module, quoted)."""
    cols = ", ".join(f'"{c}"' for c in t.columns)
    order = ", ".join(f'"{c}"' for c in t.key)
    return f'SELECT {cols} FROM "{t.name}" ORDER BY {order}'

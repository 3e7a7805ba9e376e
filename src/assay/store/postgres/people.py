"""`PeopleStore` on PostgreSQL: `SqlPeople` (the logic and statements, shared with DuckDB), each
call one transaction on a pooled connection; a user or group is changed under its row lock, so
the checks that guard a write hold whichever server makes them."""

from __future__ import annotations

import psycopg
from psycopg_pool import ConnectionPool

from assay.model.people import User
from assay.store import sql_people
from assay.store.postgres.sql_backend import PostgresSql, PostgresTx
from assay.store.sql_people import SqlPeople

_SQL = (PostgresSql.dialect, PostgresSql.locks)


def postgres_people(pool: ConnectionPool) -> SqlPeople:
    """`store.people` of a `PostgresStore`."""
    return SqlPeople(PostgresSql(pool))


# For the migration that introduced people, which holds a bare connection in its transaction.
def placeholder_owner(con: psycopg.Connection) -> User:
    return sql_people.placeholder_owner(PostgresTx(con), sql_people.statements(*_SQL))


def add_member(con: psycopg.Connection, org_id: str, user_id: str, group_ids: list[str]) -> None:
    sql_people.add_member(PostgresTx(con), sql_people.statements(*_SQL), org_id, user_id, group_ids)

"""`PeopleStore` on DuckDB: `SqlPeople` (the logic and statements, shared with PostgreSQL) on a
reader cursor for reads and in the single writer's transaction for changes, so a check and the
write it guards (a free email, an unused link) happen with no other writer between."""

from __future__ import annotations

import duckdb

from assay.model.people import User
from assay.store import sql_people
from assay.store.duckdb.sql_backend import DuckDBSql, DuckDBTx, Runs
from assay.store.sql_people import SqlPeople

_SQL = (DuckDBSql.dialect, DuckDBSql.locks)


def duckdb_people(read: Runs, write: Runs) -> SqlPeople:
    """`store.people` of a `DuckDBStore`."""
    return SqlPeople(DuckDBSql(read, write))


# For the migration that introduced people, which holds a bare connection in its transaction.
def placeholder_owner(con: duckdb.DuckDBPyConnection) -> User:
    return sql_people.placeholder_owner(DuckDBTx(con), sql_people.statements(*_SQL))


def add_member(con: duckdb.DuckDBPyConnection, org_id: str, user_id: str, group_ids: list[str]) -> None:
    sql_people.add_member(DuckDBTx(con), sql_people.statements(*_SQL), org_id, user_id, group_ids)

"""Hostile queries get a clear 4xx and change nothing. Each case names what it tries."""

from __future__ import annotations

import pytest

from assay.services.auth import create_api_key
from tests.query.helpers import btql, log, make_experiment, make_project, trace_rows

HOSTILE = {
    "second statement": "SELECT id FROM experiment('{id}'); DROP TABLE rows",
    "second statement after comment": "SELECT id FROM experiment('{id}') -- x\n; DELETE FROM rows",
    "comment hides nothing": "SELECT id FROM experiment('{id}') /* */ UNION SELECT key_hash FROM api_keys",
    "read_csv in select": "SELECT read_csv('/etc/passwd') FROM experiment('{id}')",
    "read_csv as source": "SELECT * FROM read_csv('/etc/passwd')",
    "read_parquet as source": "SELECT * FROM read_parquet('/tmp/x.parquet')",
    "read_json in where": "SELECT id FROM experiment('{id}') WHERE read_json('/etc/hosts') IS NULL",
    "read_text": "SELECT id FROM experiment('{id}') WHERE read_text('/etc/passwd') IS NULL",
    "glob": "SELECT id FROM experiment('{id}') WHERE glob('/*') IS NULL",
    "getenv": "SELECT getenv('HOME') FROM experiment('{id}')",
    "copy": "COPY rows TO '/tmp/assay-hostile.csv'",
    "copy select": "COPY (SELECT * FROM rows) TO '/tmp/assay-hostile.csv'",
    "attach": "ATTACH '/tmp/assay-hostile.duckdb' AS other",
    "detach": "DETACH other",
    "pragma": "PRAGMA database_list",
    "set": "SET enable_external_access = true",
    "reset": "RESET threads",
    "install": "INSTALL httpfs",
    "load": "LOAD httpfs",
    "insert": "INSERT INTO rows (id) VALUES ('x')",
    "update": "UPDATE rows SET id = 'x'",
    "delete": "DELETE FROM rows",
    "drop": "DROP TABLE rows",
    "create": "CREATE TABLE t AS SELECT * FROM rows",
    "call": "CALL pragma_version()",
    "plain table": "SELECT * FROM rows",
    "api keys table": "SELECT * FROM api_keys",
    "information_schema": "SELECT * FROM information_schema.tables",
    "duckdb catalog function": "SELECT * FROM duckdb_tables()",
    "sqlite_master": "SELECT * FROM sqlite_master",
    "subquery in select": "SELECT (SELECT count(*) FROM api_keys) AS n FROM experiment('{id}')",
    "subquery in where": "SELECT id FROM experiment('{id}') WHERE id IN (SELECT id FROM rows)",
    "exists": "SELECT id FROM experiment('{id}') WHERE EXISTS (SELECT 1 FROM api_keys)",
    "join": "SELECT id FROM experiment('{id}') JOIN api_keys ON true",
    "union": "SELECT id FROM experiment('{id}') UNION ALL SELECT key_hash FROM api_keys",
    "cte": "WITH k AS (SELECT * FROM api_keys) SELECT * FROM experiment('{id}')",
    "window": "SELECT row_number() OVER () FROM experiment('{id}')",
    "current_setting": "SELECT current_setting('threads') FROM experiment('{id}')",
    "unknown function": "SELECT system('ls') FROM experiment('{id}')",
    "table alias trick": "SELECT id FROM experiment('{id}') AS rows",
    "source of another org": "SELECT id FROM experiment('{other}')",
    "other org by name": "SELECT id FROM experiment('theirs')",
    "absurd nesting": "SELECT id FROM experiment('{id}') WHERE " + "(" * 3000 + "is_root" + ")" * 3000,
    "pipe from table": "select: * | from: rows",
    "pipe filter subquery": "select: id | from: experiment('{id}') | filter: id IN (SELECT id FROM rows)",
    "json tree table source": {"select": [{"op": "star"}], "from": {"op": "ident", "name": ["rows"]}},
    "json tree bad function": {
        "select": [{"op": "function", "name": {"op": "ident", "name": ["read_csv"]}, "args": []}],
        "from": {
            "op": "function",
            "name": {"op": "ident", "name": ["experiment"]},
            "args": [{"op": "literal", "value": "{id}"}],
        },
    },
}


@pytest.fixture
def target(api):
    pid = make_project(api, "mine")
    eid = make_experiment(api, pid, "mine")
    log(api, trace_rows(eid, input="x", scores={"a": 1.0}))
    store = api.app.state.services.store
    other_key = create_api_key(store, "other-org")
    other = api.client.post(
        "/v1/project", json={"name": "theirs"}, headers={"Authorization": f"Bearer {other_key}"}
    ).json()["id"]
    exp = api.client.post(
        "/v1/experiment",
        json={"project_id": other, "name": "theirs"},
        headers={"Authorization": f"Bearer {other_key}"},
    ).json()["id"]
    return {"id": eid, "other": exp, "store": store}


def _fill(query, ids):
    if isinstance(query, str):
        return query.format(**ids)
    import json

    return json.loads(json.dumps(query).replace("{id}", ids["id"]))


def _state(store):
    from assay.store.postgres.store import PostgresStore

    if isinstance(store, PostgresStore):  # the store's own pool: what the database holds
        with store._pool.connection() as con:
            return (
                con.execute("SELECT count(*), max(_xact_id) FROM rows").fetchone(),
                con.execute("SELECT count(*) FROM events").fetchone(),
                con.execute("SELECT count(*) FROM pg_class").fetchone(),
                con.execute("SELECT count(*) FROM pg_database").fetchone(),
            )
    con = store._reader()  # the DuckDB store's own connection: what the database holds
    return (
        con.execute("SELECT count(*), max(_xact_id) FROM rows").fetchone(),
        con.execute("SELECT count(*) FROM events").fetchone(),
        con.execute("SELECT count(*) FROM duckdb_tables()").fetchone(),
        con.execute("SELECT count(*) FROM duckdb_databases()").fetchone(),
    )


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_query_is_refused_and_changes_nothing(api, target, name, tmp_path):
    before = _state(target["store"])
    res = btql(api, _fill(HOSTILE[name], {"id": target["id"], "other": target["other"]}))
    # Another organization's objects are not found, exactly as unknown ones are.
    expected = 404 if name in ("source of another org", "other org by name") else 400
    assert res.status_code == expected, (name, res.status_code, res.text)
    message = res.json()["error"]["message"]
    assert message and "internal" not in message
    assert _state(target["store"]) == before
    assert not __import__("os").path.exists("/tmp/assay-hostile.csv")


def test_quoted_names_cannot_break_out(api, target):
    eid = target["id"]
    res = btql(api, f"SELECT scores.\"x'] FROM api_keys --\" AS s FROM experiment('{eid}')")
    assert res.status_code == 200, res.text
    assert res.json()["data"] == [{"s": None}]
    res = btql(api, f"SELECT id FROM experiment('{eid}') WHERE input = 'x'' OR 1=1 --'")
    assert res.status_code == 200 and res.json()["data"] == []


def test_time_limit(api, target):
    from dataclasses import replace

    from assay.query import QueryTimeout
    from assay.services.auth import Principal
    from assay.services.queries import run_query

    svc = api.app.state.services
    who = svc.policy.authenticate(api.key)
    assert isinstance(who, Principal)
    slow = (
        "SELECT count(*) AS n FROM experiment('{id}') WHERE "
        "input MATCH 'x' AND length(concat(id, id, id)) > 0"
    ).format(id=target["id"])
    assert run_query(svc, who, slow).rows == [{"n": 1}]
    hurried = replace(svc, settings=svc.settings.model_copy(update={"query_timeout_s": 1e-9}))
    with pytest.raises(QueryTimeout):
        run_query(hurried, who, slow)

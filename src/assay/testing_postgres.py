"""A throwaway PostgreSQL cluster for tests and benchmarks: Debian's PostgreSQL 15, started here.

The binaries live under `/usr/lib/postgresql/15/bin` (not on PATH; `ASSAY_PG_BIN` overrides).
`initdb` and `postgres` refuse to run as root, so when the caller is root (as in CI) they run as
the `postgres` system user, on a folder of their own under the system temp directory (the test
run's own temp folders are private to root). The cluster listens on 127.0.0.1 only, on a free
port, with `trust` authentication: it holds test data and lives as long as the process using it.

`durable=False` (tests) turns off fsync: a test database that a power cut could lose costs
nothing, and it makes `CREATE DATABASE … TEMPLATE` and commits several times cheaper. The
benchmarks keep it on, as a real deployment does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from assay.testing import free_port

PG_BIN = Path(os.environ.get("ASSAY_PG_BIN", "/usr/lib/postgresql/15/bin"))
SYSTEM_USER = "postgres"


def available() -> bool:
    """Whether the PostgreSQL server binaries are installed (scripts/install-test-deps.sh)."""
    return (PG_BIN / "initdb").exists() and (PG_BIN / "pg_ctl").exists()


def _as_server_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", SYSTEM_USER, "--", *cmd] if os.geteuid() == 0 else cmd


@dataclass
class Cluster:
    """A running cluster; `url(name)` names one of its databases."""

    directory: Path
    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> None:
        """Run one administrative statement (CREATE/DROP DATABASE…) outside a transaction."""
        with psycopg.connect(self.url(database), autocommit=True) as con:
            con.execute(sql.SQL(statement))  # administrative, the caller's own text

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create database `name` (a copy of `template` when given) and return its URL."""
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            # FILE_COPY copies the template's files; the default (WAL_LOG) logs every page.
            statement = sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(statement)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def log(self) -> str:
        path = self.directory / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        subprocess.run(
            _as_server_user(
                [str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "fast", "stop"]
            ),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.directory, ignore_errors=True)


def start_cluster(*, durable: bool = False, settings: dict[str, str] | None = None) -> Cluster:
    """initdb and start a new cluster on a free port; `settings` adds `postgres -c` options."""
    if not available():
        raise RuntimeError(
            f"PostgreSQL server binaries not found in {PG_BIN}: run scripts/install-test-deps.sh "
            "(apt-get install postgresql) or set ASSAY_PG_BIN"
        )
    directory = Path(tempfile.mkdtemp(prefix="assay-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, SYSTEM_USER, SYSTEM_USER)
    data = directory / "data"
    initdb = [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
    done = subprocess.run(
        _as_server_user([*initdb, "--locale=C.UTF-8", "--no-sync"]), capture_output=True, text=True
    )
    if done.returncode != 0:
        shutil.rmtree(directory, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {done.stderr or done.stdout}")
    port = free_port()
    options = {
        "listen_addresses": "127.0.0.1",
        "port": str(port),
        "unix_socket_directories": str(directory),
        "max_connections": "300",
        **({} if durable else {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}),
        **(settings or {}),
    }
    opts = " ".join(f"-c {k}={v}" for k, v in options.items())
    log = directory / "server.log"
    started = subprocess.run(
        _as_server_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", opts, "-w", "start"]),
        capture_output=True,
        text=True,
    )
    cluster = Cluster(directory, port)
    if started.returncode != 0:
        text = cluster.log()
        cluster.stop()
        raise RuntimeError(f"PostgreSQL did not start: {started.stderr}\n{text}")
    return cluster

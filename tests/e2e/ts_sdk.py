"""Running the official TypeScript SDK (npm `braintrust`, pinned in tests/e2e/ts/package.json).

Each scenario is a Node script under tests/e2e/ts/scenarios/, run in its own process from a
temporary folder outside any git repository (the SDK runs `git` to find ancestor commits, and in
a repository with a remote that may reach the network), with `BRAINTRUST_DEBUG_LOG_LEVEL=warn`
so that a failed write prints a warning, which fails the test: by default the SDK is silent.
Scripts hand values back as `RESULT <name> <json>` lines.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import Server

TS_DIR = Path(__file__).parent / "ts"
NODE_MODULES = TS_DIR / "node_modules"
BIN = NODE_MODULES / ".bin"


def _installed() -> Path:
    if not (NODE_MODULES / "braintrust" / "package.json").exists():
        raise AssertionError("the TypeScript SDK is not installed: run `make install-test`")
    return NODE_MODULES


def workdir(tmp_path: Path) -> Path:
    """A folder outside any git repository with the pinned packages and the scenario scripts."""
    work = tmp_path / "ts-client"
    work.mkdir(exist_ok=True)
    link = work / "node_modules"
    if not link.exists():
        link.symlink_to(_installed(), target_is_directory=True)
    for script in (TS_DIR / "scenarios").iterdir():
        shutil.copy(script, work / script.name)
    inside = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=work, capture_output=True)
    assert inside.returncode != 0, f"{work} is inside a git repository: the SDK would run git there"
    return work


def node_env(server: Server, **extra: str) -> dict[str, str]:
    env = server.env(BRAINTRUST_DEBUG_LOG_LEVEL="warn", **extra)
    env.pop("BRAINTRUST_SYNC_FLUSH", None)  # Python's switch; in Node it only delays flushing
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def check_quiet(output: str) -> None:
    """At warn level the SDK reports every failed or dropped write with a `[braintrust]` line."""
    warnings = [line for line in output.splitlines() if "[braintrust]" in line]
    assert not warnings, output


def run_node(server: Server, tmp_path: Path, *command: str, **env: str) -> tuple[dict[str, Any], str]:
    """Run `node <script>` (or another command) in the work folder; return (results, output)."""
    work = workdir(tmp_path)
    argv = ["node", *command] if command[0].endswith((".mjs", ".js")) else list(command)
    proc = subprocess.run(
        argv, cwd=work, env=node_env(server, **env), capture_output=True, text=True, timeout=600
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    check_quiet(output)
    results: dict[str, Any] = {}
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            _, name, value = line.split(" ", 2)
            results[name] = json.loads(value)
    return results, output

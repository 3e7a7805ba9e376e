"""The UI's TypeScript types are generated from the committed OpenAPI schema; fail when it drifts.

Regenerate both with:  .venv/bin/python -m tests.api.test_openapi && (cd ui && npm run gen:types)
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from assay.server.app import create_app
from assay.server.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "ui" / "openapi.json"
TYPES = ROOT / "ui" / "src" / "api" / "schema.d.ts"
HINT = "regenerate: .venv/bin/python -m tests.api.test_openapi && (cd ui && npm run gen:types)"


def current_schema(tmp: Path) -> str:
    schema = create_app(Settings(data_dir=tmp)).openapi()
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def test_committed_openapi_matches_the_server(tmp_path):
    assert COMMITTED.read_text() == current_schema(tmp_path), f"ui/openapi.json is stale; {HINT}"


def test_generated_types_match_the_committed_schema(tmp_path):
    tool = ROOT / "ui" / "node_modules" / ".bin" / "openapi-typescript"
    if not tool.exists() or shutil.which("node") is None:
        pytest.skip("ui/node_modules not installed (run make ui)")
    out = tmp_path / "schema.d.ts"
    subprocess.run(
        [str(tool), str(COMMITTED), "-o", str(out)], check=True, capture_output=True, cwd=ROOT / "ui"
    )
    assert out.read_text() == TYPES.read_text(), f"ui/src/api/schema.d.ts is stale; {HINT}"


# Routes anyone may call (no API key, so no 401; a one-time link's token is its own credential),
# and routes whose errors follow another specification's body (OTLP's Status message).
PUBLIC = {"/version", "/api/link/inspect", "/api/link/accept"}
OWN_ERROR_BODY = {"/otel/v1/traces"}


def test_every_operation_declares_its_answer_and_its_errors() -> None:
    """The schema is what clients (and the web app's generated types) rely on: every operation
    names the body of its success and of each error status it declares, 400 and 401 included,
    and none declares FastAPI's 422 (Assay answers invalid requests with 400)."""
    missing = []
    for path, operations in json.loads(COMMITTED.read_text())["paths"].items():
        for method, op in operations.items():
            answers = op["responses"]
            where = f"{method.upper()} {path}"
            if "422" in answers:
                missing.append(f"{where}: declares 422")
            if path not in PUBLIC and not {"400", "401"} <= answers.keys():
                missing.append(f"{where}: 400 and 401 not both declared")
            for status, answer in answers.items():
                content = answer.get("content") or {}
                if not content or any("schema" not in c for c in content.values()):
                    missing.append(f"{where}: {status} has no body schema")
                elif status[0] in "45" and path not in OWN_ERROR_BODY:
                    ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
                    if not ref.endswith("/ErrorBody"):
                        missing.append(f"{where}: {status} is not an ErrorBody")
    assert not missing, "\n".join(missing)


if __name__ == "__main__":
    import tempfile

    COMMITTED.write_text(current_schema(Path(tempfile.mkdtemp())))
    print(f"wrote {COMMITTED}")

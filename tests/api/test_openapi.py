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


if __name__ == "__main__":
    import tempfile

    COMMITTED.write_text(current_schema(Path(tempfile.mkdtemp())))
    print(f"wrote {COMMITTED}")

"""The served OpenAPI schema is the truth about the server: schemathesis calls every operation with
generated requests (an API key, real object ids for some path parameters) and checks each answer.

0 answers with a 5xx, each status declared for its operation, every body and content type as
declared. Examples per operation are bounded so the suite stays fast."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from starlette.testclient import TestClient

from assay.server.app import create_app, wrap
from assay.server.settings import Settings
from assay.services.auth import create_api_key
from assay.store import open_store
from tests.query.helpers import trace_rows

EXAMPLES = 25
STATUSES: Counter[tuple[str, int]] = Counter()  # (operation, status), printed at the end (-s shows it)


class Served:
    """One app on a temporary database, seeded with a project, an experiment and a dataset."""

    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="assay-schemathesis-")
        config = Settings(data_dir=Path(self.dir), max_body_bytes=1024 * 1024)
        self.store = open_store(config.resolved_db_url())
        self.key = create_api_key(self.store, config.org_name)
        self.app = wrap(create_app(config, self.store), config)
        with TestClient(self.app) as http:
            auth = {"Authorization": f"Bearer {self.key}"}
            project = http.post("/v1/project", json={"name": "p"}, headers=auth).json()["id"]
            exp = http.post("/v1/experiment", json={"project_id": project, "name": "e"}, headers=auth).json()
            ds = http.post("/v1/dataset", json={"project_id": project, "name": "d"}, headers=auth).json()
            rows = trace_rows(
                exp["id"], input="q", output="a", metadata={"k": "v"}, child_scores=[{"acc": 0.5}]
            )
            assert http.post("/logs3", json={"rows": rows}, headers=auth).status_code == 200
        self.ids = {"project": project, "experiment": exp["id"], "dataset": ds["id"]}


SERVED = Served()
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            # A schema-valid request may still be refused with a 4xx that names a semantic
            # problem the schema cannot express (SQL that does not parse, an unknown cursor id).
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "408", "409"]
            },
        }
    }
)
# Every operation, /otel/v1/traces included (its errors are OTLP's Status, declared as such);
# its protobuf bodies are the schema's binary strings, sent as the bytes generated.
schemathesis.serializer.alias("application/x-protobuf", "application/octet-stream")
schema = schemathesis.openapi.from_asgi("/openapi.json", SERVED.app, config=CONFIG)


@pytest.fixture(scope="module", autouse=True)
def _close_store() -> Any:
    yield
    by_status = Counter(status for (_, status) in STATUSES.elements())
    operations = len({label for (label, _) in STATUSES})
    print(
        f"\nschemathesis: {operations} operations, {sum(by_status.values())} requests, {dict(sorted(by_status.items()))}"
    )
    SERVED.store.close()
    shutil.rmtree(SERVED.dir, ignore_errors=True)


def _real_id(name: str, path: str, ids: dict[str, str]) -> str | None:
    """The seeded object a path parameter can name, if any."""
    if name in ("experiment_id", "dataset_id", "project_id"):
        return ids[name.removesuffix("_id")]
    if name == "object_id":
        kind = path.split("/")[2]
        return ids.get("project" if kind == "project_logs" else kind)
    return None


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_declared(case: Any) -> None:
    served = SERVED
    # Half of the cases name objects that exist, so the routes' success paths are checked too.
    for name in list(case.path_parameters or {}):
        real = _real_id(name, case.path, served.ids)
        seed = hashlib.sha256(repr(case.path_parameters).encode()).digest()[0]
        if real is not None and seed % 2:
            case.path_parameters[name] = real
    if case.path == "/otel/v1/traces" and hashlib.sha256(repr(case.body).encode()).digest()[0] % 2:
        case.headers = {**(case.headers or {}), "x-bt-parent": f"project_id:{served.ids['project']}"}
    response = case.call_and_validate(headers={"Authorization": f"Bearer {served.key}"})
    # The operation, not the case's method: the coverage phase also sends undeclared methods (405).
    STATUSES[(case.operation.label, response.status_code)] += 1

"""Writing test data through the public API: projects, experiments and traces via /logs3."""

from __future__ import annotations

import uuid
from typing import Any


def make_project(api: Any, name: str = "p") -> str:
    res = api.post("/v1/project", json={"name": name})
    assert res.status_code == 200, res.text
    return str(res.json()["id"])


def make_experiment(api: Any, project_id: str, name: str) -> str:
    res = api.post("/v1/experiment", json={"project_id": project_id, "name": name, "ensure_new": False})
    assert res.status_code == 200, res.text
    return str(res.json()["id"])


def trace_rows(
    experiment_id: str,
    *,
    input: Any,
    output: Any = None,
    metadata: dict[str, Any] | None = None,
    scores: dict[str, float | None] | None = None,
    child_scores: list[dict[str, float | None]] | None = None,
    metrics: dict[str, float] | None = None,
    tags: list[str] | None = None,
    created: str | None = None,
) -> list[dict[str, Any]]:
    """One trace: a root span (type `eval`) and one `score` child span per entry of `child_scores`."""
    root = str(uuid.uuid4())
    rows = [
        {
            "id": root,
            "span_id": root,
            "root_span_id": root,
            "experiment_id": experiment_id,
            "input": input,
            "output": output,
            "metadata": metadata,
            "scores": scores,
            "metrics": metrics,
            "tags": tags,
            "span_attributes": {"type": "eval", "name": "eval"},
            **({"created": created} if created else {}),
        }
    ]
    for i, child in enumerate(child_scores or []):
        sid = str(uuid.uuid4())
        rows.append(
            {
                "id": sid,
                "span_id": sid,
                "root_span_id": root,
                "span_parents": [root],
                "experiment_id": experiment_id,
                "scores": child,
                "span_attributes": {"type": "score", "name": f"scorer{i}"},
                **({"created": created} if created else {}),
            }
        )
    return rows


def log(api: Any, rows: list[dict[str, Any]]) -> None:
    res = api.post("/logs3", json={"rows": rows, "api_version": 2})
    assert res.status_code == 200, res.text


def btql(api: Any, query: Any, **extra: Any) -> Any:
    return api.post("/btql", json={"query": query, **extra})

"""A project of three experiments over the demo's test cases, for three-way comparisons.

`three-way` holds copies of the demo's `model-v1` and `model-v2` (each trace's input, output,
expected, metadata and trace scores) and `model-v3`: `model-v2`'s answers, except that every fourth
answer gains a hedge ("… I think"), every fourth (shifted by one) is corrected to the expected
answer, and the first three test cases (by input) are missing, so they show as unmatched. Its scores
are recomputed as the demo's scorers would: ExactMatch and a Levenshtein-like similarity. The demo
project itself stays as it is (other tests count its experiments).
"""

from __future__ import annotations

import difflib
from typing import Any

import httpx

from tests.query.helpers import trace_rows

PROJECT = "three-way"  # not containing "demo": other tests click the "demo" link by name
MISSING = (7, 27, 47)  # positions, by input, of the test cases model-v3 lacks


def _similarity(a: str, b: str) -> float:
    return round(difflib.SequenceMatcher(None, a, b).ratio(), 4)


def _text(v: Any) -> str:
    return "" if v is None else str(v)


def _variant(i: int, r: dict[str, Any]) -> tuple[str, dict[str, float]] | None:
    if i in MISSING:
        return None
    output, expected = _text(r.get("output")), _text(r.get("expected"))
    if i % 4 == 0:
        output = f"{output} I think"
    elif i % 4 == 1:
        output = expected
    return output, {"ExactMatch": float(output == expected), "Levenshtein": _similarity(output, expected)}


def make_project(url: str, key: str, demo_experiments: dict[str, str]) -> dict[str, str]:
    """Create (once) the project and its three experiments; return experiment name -> id."""
    h = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=url, headers=h, timeout=60) as c:
        pid = c.post("/v1/project", json={"name": PROJECT}).json()["id"]
        have = {
            e["name"]: e["id"] for e in c.get("/v1/experiment", params={"project_id": pid}).json()["objects"]
        }
        if len(have) == 3:
            return have
        source = {}
        for name in ("model-v1", "model-v2"):
            page = c.post(
                f"/v1/experiment/{demo_experiments[name]}/table", json={"limit": 1000, "with_total": False}
            )
            source[name] = sorted(page.json()["rows"], key=lambda r: _text(r["input"]))
        ids = {}
        for name in ("model-v1", "model-v2", "model-v3"):
            eid = str(c.post("/v1/experiment", json={"project_id": pid, "name": name}).json()["id"])
            ids[name] = eid
            rows: list[dict[str, Any]] = []
            for i, r in enumerate(source["model-v1" if name == "model-v1" else "model-v2"]):
                output, scores = _text(r.get("output")), r.get("scores") or {}
                if name == "model-v3":
                    found = _variant(i, r)
                    if found is None:
                        continue
                    output, scores = found
                rows += trace_rows(
                    eid,
                    input=r["input"],
                    output=output,
                    metadata=r.get("metadata"),
                    scores=scores,
                    metrics={"start": 1.0, "end": 1.5 + (i % 3) * 0.1},
                )
                rows[-1]["expected"] = r.get("expected")
            c.post("/logs3", json={"rows": rows, "api_version": 2}).raise_for_status()
        return ids

"""What the demo adds through Assay's own API once the SDK's evaluations are in.

- An aggregate score, `overall` (weighted: Correctness weighted 2, ExactMatch, Levenshtein), which every
  summary, comparison and table shows like a logged score.
- A classifier defined by rules, `answer style` (does the answer come wrapped in prose? is it
  JSON? a number?), run after the fact by a scoring job on every experiment: each trace gets a
  classifier span with its label, written by the server like any scorer result.
- A topics run over the baseline: its traces' inputs clustered into named topics, each trace
  labelled with its topic.
- Human review (`demo.review`): review scores, two reviewers' values on gpt-4o's traces, rows
  marked complete and rows assigned to the demo user.
- A saved table view, `Four-way comparison` (the three variants against the baseline, grouped by
  category), in the project's views menu for every member.

Both are offline (no LLM): rules and arithmetic over the logged rows.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from assay.demo import review

OVERALL = {
    "name": "overall",
    "score_type": "weighted",
    "categories": {"Correctness": 2, "ExactMatch": 1, "Levenshtein": 1},
}
CLASSIFIER = {
    "name": "answer style",
    "slug": "answer-style",
    "function_type": "classifier",
    "description": "How the final answer is written",
    "function_data": {
        "type": "rules",
        "rules": [
            {"label": "Prose around the answer", "regex": "(?i)^(the answer is|sure!|here is)"},
            {"label": "JSON", "regex": "^\\{"},
            {"label": "Number", "regex": "^-?[0-9][0-9.]*( [a-z]+)?$"},
            {"label": "Short answer", "when": "output IS NOT NULL"},
        ],
    },
}
VIEW_NAME = "Four-way comparison"
VARIANTS = ("gpt-4o", "claude-sonnet", "prompt-v2")  # compared against the baseline
TOPICS = 6  # the baseline's inputs clustered into this many named topics (TF-IDF and k-means)
JOB_TIMEOUT_S = 300


class Api:
    """Assay's REST API with the demo's key."""

    def __init__(self, url: str, key: str) -> None:
        self.client = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60)

    def call(self, method: str, path: str, **kw: Any) -> Any:
        res = self.client.request(method, path, **kw)
        res.raise_for_status()
        return res.json()


def add(url: str, key: str, project: str, reviewer_key: str | None = None) -> list[str]:
    """Add the aggregate score, label every experiment's traces and review some (`demo.review`,
    the second reviewer with `reviewer_key`); one line per thing done."""
    api = Api(url, key)
    pid = api.call("GET", "/v1/project", params={"project_name": project})["objects"][0]["id"]
    api.call("POST", "/v1/project_score", json={"project_id": pid, **OVERALL})
    function = api.call("POST", "/v1/function", json={"project_id": pid, **CLASSIFIER})
    experiments = api.call("GET", "/v1/experiment", params={"project_id": pid})["objects"]
    jobs = [
        api.call(
            "POST",
            "/v1/job",
            json={
                "kind": "score",
                "object_id": e["id"],
                "scorers": [{"type": "function", "id": function["id"]}],
            },
        )["id"]
        for e in experiments
    ]
    baseline = next(e["id"] for e in experiments if e["name"] == "baseline")
    topics = api.call("POST", "/v1/job", json={"kind": "topics", "object_id": baseline, "n_topics": TOPICS})
    finished = [_wait(api, job) for job in jobs]
    labelled = sum(j["done"] for j in finished)
    found = (_wait(api, topics["id"]).get("result") or {}).get("topics") or []
    by_name = {e["name"]: e["id"] for e in experiments}
    view = _save_view(api, pid, by_name)
    reviewed = review.add(
        api, Api(url, reviewer_key) if reviewer_key else None, pid, by_name[review.EXPERIMENT]
    )
    return [
        "aggregate score overall = (2 Correctness + ExactMatch + Levenshtein) / 4",
        f"classifier {CLASSIFIER['name']!r}: {labelled} traces labelled by {len(jobs)} scoring jobs",
        f"topics of the baseline's inputs: {'; '.join(str(t.get('label')) for t in found)}",
        f"saved view {view['name']!r}: {', '.join(VARIANTS)} against the baseline, by category",
        *reviewed,
    ]


def _save_view(api: Api, pid: str, by_name: dict[str, str]) -> dict[str, Any]:
    """The saved view, in the reference's shape (`docs/views.md`); POST keeps an existing one."""
    options = {
        "comparisonExperimentIds": [by_name[name] for name in VARIANTS],
        "baseExperimentId": by_name["baseline"],
        "grouping": "metadata.category",
        "layout": "list",
        "queryShape": "traces",
    }
    body = {"object_type": "project", "object_id": pid, "view_type": "experiment", "name": VIEW_NAME}
    saved: dict[str, Any] = api.call(
        "POST", "/v1/view", json={**body, "view_data": {"search": {}}, "options": options}
    )
    return saved


def _wait(api: Api, job: str) -> dict[str, Any]:
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while True:
        found: dict[str, Any] = api.call("GET", f"/v1/job/{job}")
        if found["state"] in ("done", "cancelled", "failed"):
            if found["state"] != "done":
                raise RuntimeError(f"scoring job {job} ended {found['state']}: {found.get('error')}")
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"scoring job {job} is still {found['state']} after {JOB_TIMEOUT_S} s")
        time.sleep(0.5)

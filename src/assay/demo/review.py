"""The demo's human review, through the same routes the web app uses (docs/review.md).

Three review scores on the project, and two reviewers (the demo user and "Rita Reviewer", each
with their own key) who review some of gpt-4o's traces: on the rows they both scored the table
shows the average, and each reviewer's values stay apart in the trace's review spans. Some rows
are marked complete; others are assigned to the demo user (their "Assigned to me") and to Rita,
so "Unreviewed", "Assigned to me" and the review progress in the header all have something to
show.
"""

from __future__ import annotations

from typing import Any, Protocol

SCORES: list[dict[str, Any]] = [
    {
        "name": "helpfulness",
        "score_type": "slider",
        "description": "Would this answer **help the user**? 100% = complete and correct, 0% = useless.",
    },
    {
        "name": "verdict",
        "score_type": "categorical",
        "description": "The reviewer's overall call on the answer.",
        "categories": [
            {"name": "good", "value": 1},
            {"name": "partly", "value": 0.5},
            {"name": "bad", "value": 0},
        ],
    },
    {
        "name": "reviewer note",
        "score_type": "free-form",
        "description": "What is wrong, or the correct answer.",
        "config": {"destination": "review.note"},
    },
]
EXPERIMENT = "gpt-4o"
REVIEWED = 8  # traces the demo user reviews; Rita reviews the first half of them too
COMPLETE = 2  # of those, marked complete
ASSIGNED = 6  # the next traces, assigned to the demo user (and every other one to Rita too)
VERDICTS = ("good", "partly", "bad")


class Caller(Protocol):
    def call(self, method: str, path: str, **kw: Any) -> Any: ...


def add(owner: Caller, reviewer: Caller | None, pid: str, experiment_id: str) -> list[str]:
    """Define the review scores, review and assign rows; one line saying what was done."""
    for score in SCORES:
        owner.call("POST", "/v1/project_score", json={"project_id": pid, **score})
    query = (
        f"SELECT id FROM experiment('{experiment_id}') WHERE is_root ORDER BY id LIMIT {REVIEWED + ASSIGNED}"
    )
    rows = [r["id"] for r in owner.call("POST", "/btql", json={"query": query, "fmt": "json"})["data"]]
    review = f"/v1/experiment/{experiment_id}/review"
    for i, row in enumerate(rows[:REVIEWED]):
        scores = {"helpfulness": round(0.4 + 0.075 * i, 3), "verdict": VERDICTS[i % 3]}
        owner.call("POST", review, json={"id": row, "scores": scores, "complete": i < COMPLETE or None})
        if reviewer is not None and i < REVIEWED // 2:
            theirs: dict[str, Any] = {"helpfulness": round(1 - 0.1 * i, 3), "verdict": VERDICTS[(i + 1) % 3]}
            if i == 0:
                theirs["reviewer note"] = "Right figure, but the unit is missing."
            reviewer.call(
                "POST", review, json={"id": row, "scores": theirs, "comment": "Checked against the dataset."}
            )
    users = {u["email"]: u["id"] for u in owner.call("GET", "/v1/user")["objects"]}
    demo = next(iter(u for e, u in users.items() if e.startswith("demo@")), None)
    rita = next(iter(u for e, u in users.items() if e.startswith("reviewer@")), None)
    events = []
    for i, row in enumerate(rows[REVIEWED:]):
        assignees = [a for a in (demo, rita if i % 2 else None) if a]
        events.append(
            {
                "id": row,
                "_is_merge": True,
                "_merge_paths": [["metadata", "~__bt_review_lists"], ["metadata", "~__bt_assignments"]],
                "metadata": {
                    "~__bt_review_lists": {"__bt_default_review_list": {"status": "PENDING"}},
                    "~__bt_assignments": assignees,
                },
            }
        )
    owner.call("POST", f"/v1/experiment/{experiment_id}/insert", json={"events": events})
    who = "the demo user and Rita Reviewer" if reviewer is not None else "the demo user"
    return [
        f"human review of {EXPERIMENT}: {len(rows[:REVIEWED])} traces reviewed by {who}, "
        f"{COMPLETE} marked complete, {len(events)} assigned to the demo user"
    ]

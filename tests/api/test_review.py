"""Human review through the API, on both backends: review scores defined per project, each
reviewer's values kept apart and averaged onto the row, assignment by the reference's merge
insert, and the "Assigned to me" and "Unreviewed" views with the review progress they imply
(and the SQL docs/review.md and the reference page show)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assay.server.app import create_app, wrap
from assay.server.settings import Settings
from assay.store import open_store
from tests.conftest import database_url
from tests.query.helpers import trace_rows
from tests.team import Person, make_team


class Env:
    def __init__(self, client: TestClient, team: dict[str, Person]) -> None:
        self.client, self.team = client, team
        owner = team["owner"].headers
        self.project = self.ok(client.post("/v1/project", json={"name": "review"}, headers=owner))["id"]
        exp = client.post("/v1/experiment", json={"project_id": self.project, "name": "e"}, headers=owner)
        self.exp = self.ok(exp)["id"]
        rows: list[dict[str, Any]] = []
        for i in range(3):
            rows += trace_rows(
                self.exp, input=f"q{i}", output=f"a{i}", metadata={"i": i}, child_scores=[{"auto": 0.5}]
            )
        self.ok(client.post("/logs3", json={"rows": rows}, headers=owner))
        self.roots = [r["id"] for r in rows if not r.get("span_parents")]

    @staticmethod
    def ok(res: Any) -> Any:
        assert res.status_code == 200, res.text
        return res.json()

    def define(self, name: str, score_type: str, **extra: Any) -> dict[str, Any]:
        body = {"project_id": self.project, "name": name, "score_type": score_type, **extra}
        return self.ok(self.client.post("/v1/project_score", json=body, headers=self.team["owner"].headers))

    def review(self, who: str, row: str, **body: Any) -> Any:
        return self.client.post(
            f"/v1/experiment/{self.exp}/review", json={"id": row, **body}, headers=self.team[who].headers
        )

    def state(self, who: str, row: str) -> dict[str, Any]:
        res = self.client.get(
            f"/v1/experiment/{self.exp}/review", params={"id": row}, headers=self.team[who].headers
        )
        return dict(self.ok(res))

    def table(self, who: str, *filters: str, row_type: str = "traces") -> list[dict[str, Any]]:
        res = self.client.post(
            f"/v1/experiment/{self.exp}/table",
            json={"filters": list(filters), "row_type": row_type},
            headers=self.team[who].headers,
        )
        return list(self.ok(res)["rows"])

    def view(self, who: str, view_id: str, row_type: str = "traces") -> str:
        res = self.client.get(
            f"/v1/experiment/{self.exp}/table/views",
            params={"row_type": row_type},
            headers=self.team[who].headers,
        )
        return str(next(v for v in self.ok(res)["objects"] if v["id"] == view_id)["filter"])

    def unreviewed(self, row_type: str = "traces") -> set[str]:
        rows = self.table("viewer", self.view("viewer", "unreviewed", row_type), row_type=row_type)
        return {r["id"] for r in rows}

    def sql(self, query: str) -> dict[str, Any]:
        body = {"query": query.format(exp=self.exp), "fmt": "json"}
        res = self.client.post("/btql", json=body, headers=self.team["owner"].headers)
        return dict(self.ok(res)["data"][0])

    def progress(self, who: str = "owner") -> dict[str, int]:
        res = self.client.get(f"/v1/experiment/{self.exp}/summarize", headers=self.team[who].headers)
        return dict(self.ok(res)["review_progress"])

    def assign(self, row: str, *users: Person) -> None:
        merge = {
            "id": row,
            "_is_merge": True,
            "_merge_paths": [["metadata", "~__bt_review_lists"], ["metadata", "~__bt_assignments"]],
            "metadata": {
                "~__bt_review_lists": {"__bt_default_review_list": {"status": "PENDING"}},
                "~__bt_assignments": [u.user_id for u in users],
            },
        }
        res = self.client.post(
            f"/v1/experiment/{self.exp}/insert", json={"events": [merge]}, headers=self.team["owner"].headers
        )
        self.ok(res)


@pytest.fixture
def env(tmp_path: Path, db_backend: str, request: pytest.FixtureRequest) -> Iterator[Env]:
    settings = Settings(data_dir=tmp_path, db_url=database_url(request, db_backend, "review"))
    store = open_store(settings.resolved_db_url())
    team = make_team(store)
    with TestClient(wrap(create_app(settings, store), settings)) as client:
        yield Env(client, team)
    store.close()


def by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in rows}


def test_review_score_definitions_are_project_scores_beside_the_aggregates(env: Env) -> None:
    slider = env.define("quality", "slider", description="Is the answer **correct**?")
    assert slider["score_type"] == "slider" and slider["categories"] is None
    verdict = env.define(
        "verdict",
        "categorical",
        categories=[{"name": "good", "value": 1}, {"name": "bad", "value": 0}],
        config={"multi_select": False},
    )
    assert verdict["categories"] == [{"name": "good", "value": 1.0}, {"name": "bad", "value": 0.0}]
    note = env.define("note", "free-form", config={"destination": "metadata.review.note"})
    assert note["config"] == {"destination": "review.note"}
    env.define("overall", "weighted", categories={"quality": 1, "auto": 1})
    owner = env.team["owner"].headers
    listed = env.ok(env.client.get("/v1/project_score", params={"project_id": env.project}, headers=owner))
    assert {o["name"]: o["score_type"] for o in listed["objects"]} == {
        "quality": "slider",
        "verdict": "categorical",
        "note": "free-form",
        "overall": "weighted",
    }
    only = env.client.get(
        "/v1/project_score", params={"project_id": env.project, "score_type": "slider"}, headers=owner
    )
    assert [o["name"] for o in env.ok(only)["objects"]] == ["quality"]
    patched = env.client.patch(
        f"/v1/project_score/{verdict['id']}", json={"description": "*new*"}, headers=owner
    )
    assert env.ok(patched)["description"] == "*new*"
    # The review score is not an aggregate: the table lists it as a score only once it has values.
    env.ok(env.review("owner", env.roots[0], scores={"quality": 0.5}))
    overall = by_id(env.table("viewer"))[env.roots[0]]["scores"]["overall"]
    assert overall == pytest.approx(0.5)  # mean of quality 0.5 and auto 0.5


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"score_type": "slider", "categories": [{"name": "a", "value": 1}]}, "has no categories"),
        ({"score_type": "categorical"}, "needs categories"),
        ({"score_type": "categorical", "categories": [{"name": "a", "value": 2}]}, "from 0 to 1"),
        ({"score_type": "categorical", "categories": [{"name": "a", "value": 1}] * 2}, "two options"),
        (
            {
                "score_type": "categorical",
                "categories": [{"name": "a", "value": 1}],
                "config": {"destination": "x"},
            },
            '"expected" or absent',
        ),
        ({"score_type": "free-form", "config": {"destination": "a..b"}}, "dotted path"),
        ({"score_type": "free-form", "config": {"multi_select": True}}, "categorical scores only"),
        ({"score_type": "online"}, "not kept"),
        ({"score_type": "nope"}, "score_type must be one of"),
    ],
)
def test_bad_review_score_definitions_are_precise_400s(env: Env, body: dict[str, Any], message: str) -> None:
    res = env.client.post(
        "/v1/project_score",
        json={"project_id": env.project, "name": "x", **body},
        headers=env.team["owner"].headers,
    )
    assert res.status_code == 400 and message in res.json()["error"]["message"], res.text
    listed = env.client.get(
        "/v1/project_score", params={"project_id": env.project}, headers=env.team["owner"].headers
    )
    assert env.ok(listed)["objects"] == []


def test_two_reviewers_are_kept_apart_and_averaged_onto_the_row(env: Env) -> None:
    env.define("quality", "slider", description="How good is the **answer**?")
    row = env.roots[0]
    env.ok(env.review("owner", row, scores={"quality": 1.0}))
    after = env.ok(env.review("engineer", row, scores={"quality": 0.5}))
    assert after["values"] == {"quality": 0.75}
    assert by_id(env.table("viewer"))[row]["scores"]["quality"] == pytest.approx(0.75)
    spans = by_id(env.table("viewer", row_type="spans"))
    assert spans[row]["scores"]["quality"] == pytest.approx(0.75)  # on the reviewed span itself
    env.ok(env.review("engineer", row, scores={"quality": 0.0}))  # changes only the engineer's value
    state = env.state("viewer", row)
    assert state["values"] == {"quality": 0.5}
    reviewers = {r["reviewer"]["id"]: r["values"] for r in state["reviews"]}
    assert reviewers == {
        env.team["owner"].user_id: {"quality": 1.0},
        env.team["engineer"].user_id: {"quality": 0.0},
    }
    assert all(r["reviewed_at"] for r in state["reviews"])
    # Review spans are in the trace, one per reviewer, children of the reviewed span.
    res = env.client.get(f"/v1/experiment/{env.exp}/trace/{row}/spans", headers=env.team["owner"].headers)
    kinds = [s for s in env.ok(res)["spans"] if (s.get("span_attributes") or {}).get("type") == "review"]
    assert sorted(s["span_attributes"]["name"] for s in kinds) == [
        "Review by Engineer",
        "Review by Olive Owner",
    ]
    assert all(s["span_parents"] == [row] for s in kinds)
    # Clearing your value leaves the other reviewer's.
    env.ok(env.review("owner", row, scores={"quality": None}))
    state = env.state("viewer", row)
    assert state["values"] == {"quality": 0.0} and len(state["reviews"]) == 1


def test_review_values_are_checked_against_the_definitions(env: Env) -> None:
    env.define("quality", "slider")
    env.define(
        "verdict", "categorical", categories=[{"name": "good", "value": 1}, {"name": "bad", "value": 0}]
    )
    row = env.roots[0]
    for body, message in (
        ({"scores": {"nope": 1}}, "no review score named 'nope'"),
        ({"scores": {"quality": 1.5}}, "a number from 0 to 1"),
        ({"scores": {"quality": True}}, "a number from 0 to 1"),
        ({"scores": {"verdict": "meh"}}, "has no option 'meh'"),
        ({"scores": {"verdict": ["good", "bad"]}}, "takes one option"),
        ({"scores": {"verdict": 1}}, "an option's name"),
        ({}, "a review sets a score"),
        ({"scores": {"quality": 1}, "unknown": 1}, "unknown"),
    ):
        res = env.review("owner", row, **body)
        assert res.status_code == 400 and message in res.text, res.text
    assert env.review("viewer", row, scores={"quality": 1}).status_code == 403
    assert env.review("outsider", row, scores={"quality": 1}).status_code == 404
    assert env.review("anonymous", row, scores={"quality": 1}).status_code == 401
    assert env.review("owner", "no-such-row", scores={"quality": 1}).status_code == 404
    assert env.state("owner", row)["reviews"] == []  # nothing of the refused reviews was written
    env.ok(env.review("owner", row, scores={"verdict": "bad"}))
    assert by_id(env.table("owner"))[row]["scores"]["verdict"] == 0.0
    review_span = env.state("owner", row)["reviews"][0]["review_span_id"]
    res = env.review("owner", review_span, scores={"quality": 1})
    assert res.status_code == 400 and "is a review span" in res.text


def test_expected_free_form_and_multiple_choice(env: Env) -> None:
    env.define(
        "label",
        "categorical",
        categories=[{"name": "cat", "value": 1}, {"name": "dog", "value": 0}],
        config={"destination": "expected"},
    )
    env.define("note", "free-form", config={"destination": "review.note"})
    env.define(
        "topics",
        "categorical",
        categories=[
            {"name": "math", "value": 1},
            {"name": "art", "value": 0.5},
            {"name": "none", "value": 0},
        ],
        config={"multi_select": True},
    )
    row = env.roots[1]
    env.ok(
        env.review(
            "engineer", row, scores={"label": "dog", "note": "looks like a dog", "topics": ["math", "art"]}
        )
    )
    found = by_id(env.table("owner"))[row]
    assert found["expected"] == {"label": "dog"}
    assert found["metadata"]["review"] == {"note": "looks like a dog"}
    assert found["metadata"]["i"] == 1  # the row's own metadata stays
    assert found["scores"]["topics"] == pytest.approx(0.75)  # the mean of the chosen options
    assert "label" not in found["scores"] and "note" not in found["scores"]
    env.ok(env.review("owner", row, scores={"note": "a wolf, in fact"}))  # the latest reviewer's text
    assert by_id(env.table("owner"))[row]["metadata"]["review"] == {"note": "a wolf, in fact"}
    # A row whose expected is not an object cannot take a choice beside it.
    rows = trace_rows(env.exp, input="q", output="a")
    rows[0]["expected"] = "a plain answer"
    env.ok(env.client.post("/logs3", json={"rows": rows}, headers=env.team["owner"].headers))
    res = env.review("owner", rows[0]["id"], scores={"label": "cat"})
    assert res.status_code == 400 and "expected is not an object" in res.text


def test_comments_tags_and_complete_beside_the_scores(env: Env) -> None:
    row = env.roots[2]
    state = env.ok(
        env.review("engineer", row, comment="Wrong unit in the answer", tags=["unit"], complete=True)
    )
    assert state["status"] == "COMPLETE"
    res = env.client.get(
        f"/v1/experiment/{env.exp}/trace/{row}/span/{row}", headers=env.team["owner"].headers
    )
    span = env.ok(res)["span"]
    assert span["tags"] == ["unit"]
    assert [c["comment"]["text"] for c in span["comments"]] == ["Wrong unit in the answer"]
    assert env.ok(env.review("engineer", row, complete=False))["status"] == "PENDING"


def test_assigned_to_me_shows_exactly_the_callers_rows(env: Env) -> None:
    owner, engineer = env.team["owner"], env.team["engineer"]
    env.assign(env.roots[0], engineer)
    env.assign(env.roots[1], owner)
    env.assign(env.roots[2], engineer, owner)
    mine = {r["id"] for r in env.table("engineer", env.view("engineer", "assigned_to_me"))}
    assert mine == {env.roots[0], env.roots[2]}
    assert {r["id"] for r in env.table("owner", env.view("owner", "assigned_to_me"))} == {
        env.roots[1],
        env.roots[2],
    }
    assert env.table("viewer", env.view("viewer", "assigned_to_me")) == []
    spans_view = env.view("engineer", "assigned_to_me", "spans")
    assert {r["id"] for r in env.table("engineer", spans_view, row_type="spans")} == {
        env.roots[0],
        env.roots[2],
    }
    assert env.state("viewer", env.roots[2])["assignments"] == [engineer.user_id, owner.user_id]
    assert env.unreviewed() == set(env.roots)  # assigned and PENDING is not reviewed


def test_unreviewed_hides_a_row_as_soon_as_it_is_reviewed_or_complete(env: Env) -> None:
    env.define("quality", "slider")
    env.define("note", "free-form")
    assert env.unreviewed() == set(env.roots)
    assert env.progress() == {"reviewed": 0, "total": 3}
    env.ok(env.review("engineer", env.roots[0], scores={"quality": 0.25}))
    assert env.unreviewed() == set(env.roots[1:])
    assert env.roots[0] not in env.unreviewed("spans")
    assert all(
        (r.get("span_attributes") or {}).get("type") != "review"
        for r in env.table("owner", env.view("owner", "unreviewed", "spans"), row_type="spans")
    )
    # The reference page's SQL agrees while each reviewed row has that score.
    assert env.sql(SEED_SQL) == {"reviewed": 1, "total": 3} == env.progress()
    env.ok(env.review("engineer", env.roots[1], complete=True))
    assert env.unreviewed() == {env.roots[2]}
    assert env.progress("viewer") == {"reviewed": 2, "total": 3}
    # docs/review.md's SQL counts exactly what the view and the progress count.
    assert env.sql(REVIEWED_SQL) == {"reviewed": 2, "total": 3}
    env.ok(env.review("owner", env.roots[0], scores={"quality": 1}))  # a second reviewer: still one row
    assert env.sql(REVIEWED_SQL) == {"reviewed": 2, "total": 3} == env.progress()
    assert env.sql(SEED_SQL)["reviewed"] == 1  # marked complete without a score: the seed SQL misses it
    env.ok(env.review("owner", env.roots[2], scores={"note": "fine"}))  # a free-form score counts too
    assert env.unreviewed() == set() and env.progress() == {"reviewed": 3, "total": 3}
    env.ok(env.review("owner", env.roots[2], scores={"note": None}))  # cleared: unreviewed again
    assert env.unreviewed() == {env.roots[2]}


SEED_SQL = (
    'SELECT sum(CASE WHEN scores."quality" IS NOT NULL THEN 1 ELSE 0 END) AS reviewed, '
    "sum(CASE WHEN is_root THEN 1 ELSE 0 END) AS total FROM experiment('{exp}')"
)
REVIEWED_SQL = (
    'SELECT count(DISTINCT CASE WHEN scores."quality" IS NOT NULL OR metadata."note" IS NOT NULL '
    'OR metadata."~__bt_review_lists"."__bt_default_review_list".status != \'PENDING\' '
    "THEN root_span_id END) AS reviewed, count(DISTINCT root_span_id) AS total FROM experiment('{exp}')"
)


def test_project_logs_rows_are_reviewed_the_same_way(env: Env) -> None:
    env.define("quality", "slider")
    owner = env.team["owner"].headers
    logged = env.ok(
        env.client.post(
            f"/v1/project_logs/{env.project}/insert",
            json={"events": [{"id": "log-1", "input": "q", "output": "a"}]},
            headers=owner,
        )
    )
    assert logged["row_ids"] == ["log-1"]
    base = f"/v1/project_logs/{env.project}/review"
    for who, value in (("owner", 1.0), ("engineer", 0.0)):
        res = env.client.post(
            base, json={"id": "log-1", "scores": {"quality": value}}, headers=env.team[who].headers
        )
        env.ok(res)
    state = env.ok(env.client.get(base, params={"id": "log-1"}, headers=env.team["viewer"].headers))
    assert state["values"] == {"quality": 0.5} and len(state["reviews"]) == 2
    res = env.client.post(
        base, json={"id": "log-1", "scores": {"quality": 1}}, headers=env.team["viewer"].headers
    )
    assert res.status_code == 403
    refused = env.client.get("/v1/dataset/x/review", params={"id": "r"}, headers=owner)
    assert refused.status_code == 400 and "object_type" in refused.text  # datasets are not reviewed here

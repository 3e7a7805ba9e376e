"""Retrospective scoring through `/v1/job`: results are new spans in each trace, one per row and
scorer however often the job runs, picked up by trace scores and summaries; per-row failures are
scorer errors; selections, filters, cancellation and bad requests behave as documented."""

from __future__ import annotations

from collections import Counter

from tests.api.scoring_helpers import (
    experiment,
    log_cases,
    ok,
    run_jobs,
    sapi,  # noqa: F401 - fixture
    score_spans,
    services_of,
    spans,
)
from tests.conftest import Api

CASES = [
    {"input": "q0", "output": "hello", "expected": "hello"},
    {"input": "q1", "output": "hello", "expected": "help"},
    {"input": "q2", "output": "I am sorry, I cannot", "expected": "yes"},
    {"input": "q3", "output": "yes", "expected": "yes"},
]


def _job(api: Api, eid: str, scorers: list[dict], **extra: object) -> dict:
    return ok(api.post("/v1/job", json={"kind": "score", "object_id": eid, "scorers": scorers, **extra}))


def _classifier(api: Api, pid: str) -> dict:
    return ok(
        api.post(
            "/v1/function",
            json={
                "project_id": pid,
                "name": "refusal",
                "function_type": "classifier",
                "function_data": {
                    "type": "rules",
                    "rules": [
                        {"label": "Refusal", "id": "refusal", "regex": "(?i)sorry|cannot"},
                        {"label": "Answer", "id": "answer", "when": "output IS NOT NULL"},
                    ],
                },
            },
        )
    )


def test_scores_and_labels_become_spans_picked_up_by_summaries(sapi: Api) -> None:  # noqa: F811
    pid, eid = experiment(sapi)
    roots = log_cases(sapi, eid, CASES)
    exact = ok(
        sapi.post(
            "/v1/function",
            json={
                "project_id": pid,
                "name": "same",
                "function_data": {"type": "sql", "expression": "output = expected ? 1 : 0"},
            },
        )
    )
    cls = _classifier(sapi, pid)
    job = _job(
        sapi,
        eid,
        [
            {"type": "global", "name": "Levenshtein"},
            {"type": "function", "id": exact["id"]},
            {"type": "function", "id": cls["id"]},
        ],
    )
    assert (job["state"], job["total"], job["progress"]) == ("queued", 4, 0.0)
    assert [s["name"] for s in job["scorers"]] == ["Levenshtein", "same", "refusal"]
    assert run_jobs(sapi) == 1
    job = ok(sapi.get(f"/v1/job/{job['id']}"))
    assert (job["state"], job["done"], job["failed"], job["progress"]) == ("done", 4, 0, 1.0)

    found = score_spans(sapi, eid)
    assert len(found) == 12  # one span per row and scorer
    by = {(s["span_parents"][0], s["span_attributes"]["name"]): s for s in found}
    lev = by[("root-1", "Levenshtein")]
    assert lev["span_attributes"] == {"name": "Levenshtein", "type": "score", "purpose": "scorer"}
    assert lev["root_span_id"] == "root-1" and lev["scores"] == {"Levenshtein": 0.6}
    assert by[("root-0", "same")]["scores"] == {"same": 1.0} and by[("root-1", "same")]["scores"] == {
        "same": 0.0
    }
    refusal = by[("root-2", "refusal")]
    assert refusal["span_attributes"]["type"] == "classifier"
    assert refusal["classifications"] == {"refusal": [{"id": "refusal", "label": "Refusal"}]}
    assert by[("root-3", "refusal")]["classifications"] == {"refusal": [{"id": "answer", "label": "Answer"}]}
    assert refusal["metadata"]["scorer"]["job_id"] == job["id"]

    summary = ok(sapi.get(f"/v1/experiment/{eid}/summarize"))
    lev_mean = sum(by[(r, "Levenshtein")]["scores"]["Levenshtein"] for r in roots) / 4
    assert abs(summary["scores"]["Levenshtein"]["score"] - lev_mean) < 1e-9
    assert summary["scores"]["same"]["score"] == 0.5
    rows = ok(sapi.post(f"/v1/experiment/{eid}/table", json={"row_type": "traces", "limit": 10}))["rows"]
    assert {r["id"]: r["scores"]["same"] for r in rows} == {
        "root-0": 1.0,
        "root-1": 0.0,
        "root-2": 0.0,
        "root-3": 1.0,
    }
    assert "same" in ok(sapi.get(f"/v1/experiment/{eid}/table/fields"))["scores"]


def test_running_a_job_again_never_duplicates_spans(sapi: Api) -> None:  # noqa: F811
    pid, eid = experiment(sapi)
    log_cases(sapi, eid, CASES)
    scorers = [
        {"type": "global", "name": "ExactMatch"},
        {"type": "function", "id": _classifier(sapi, pid)["id"]},
    ]
    first = _job(sapi, eid, scorers)
    run_jobs(sapi)
    before = {s["id"]: s for s in score_spans(sapi, eid)}
    second = _job(sapi, eid, scorers)
    run_jobs(sapi)
    after = {s["id"]: s for s in score_spans(sapi, eid)}
    assert len(after) == 8 and set(after) == set(before)
    assert all(after[i]["_xact_id"] == before[i]["_xact_id"] for i in after)  # nothing rewritten
    assert ok(sapi.get(f"/v1/job/{second['id']}"))["done"] == 4 and first["id"] != second["id"]
    # A new version of a scorer is a new result: one more span per row, the old ones stay.
    fn = ok(
        sapi.post(
            "/v1/function",
            json={
                "project_id": pid,
                "name": "len",
                "function_data": {"type": "sql", "expression": "len(output) > 3 ? 1 : 0"},
            },
        )
    )
    _job(sapi, eid, [{"type": "function", "id": fn["id"]}])
    ok(
        sapi.patch(
            f"/v1/function/{fn['id']}",
            json={"function_data": {"type": "sql", "expression": "len(output) > 4 ? 1 : 0"}},
        )
    )
    _job(sapi, eid, [{"type": "function", "id": fn["id"]}])
    run_jobs(sapi)
    versions = Counter(
        s["metadata"]["scorer"]["version"]
        for s in score_spans(sapi, eid)
        if s["span_attributes"]["name"] == "len"
    )
    assert sorted(versions.values()) == [4, 4]


def test_per_row_failures_are_scorer_errors_and_the_job_goes_on(sapi: Api) -> None:  # noqa: F811
    _, eid = experiment(sapi)
    log_cases(
        sapi, eid, [{"input": 1, "output": 3, "expected": 4}, {"input": 2, "output": "text", "expected": 5}]
    )
    job = _job(sapi, eid, [{"type": "global", "name": "NumericDiff"}])
    run_jobs(sapi)
    job = ok(sapi.get(f"/v1/job/{job['id']}"))
    assert (job["state"], job["done"], job["failed"]) == ("done", 1, 1)
    spans_by_parent = {s["span_parents"][0]: s for s in score_spans(sapi, eid)}
    assert abs(spans_by_parent["root-0"]["scores"]["NumericDiff"] - (1 - 1 / 7)) < 1e-9
    broken = spans_by_parent["root-1"]
    assert "TypeError" in broken["error"] and not broken.get("scores")
    errors = ok(
        sapi.post(
            f"/v1/experiment/{eid}/table",
            json={"row_type": "traces", "filters": ["metrics.scorer_errors > 0"]},
        )
    )["rows"]
    assert [r["id"] for r in errors] == ["root-1"]
    # A failed row is tried again by the next job; a row that succeeded is not.
    again = _job(sapi, eid, [{"type": "global", "name": "NumericDiff"}])
    run_jobs(sapi)
    assert ok(sapi.get(f"/v1/job/{again['id']}"))["failed"] == 1
    assert len(score_spans(sapi, eid)) == 2


def test_rows_are_chosen_by_ids_or_by_a_filter(sapi: Api) -> None:  # noqa: F811
    _, eid = experiment(sapi)
    log_cases(sapi, eid, CASES)
    picked = _job(
        sapi, eid, [{"type": "global", "name": "ExactMatch"}], row_ids=["root-1", "root-3", "root-1", "gone"]
    )
    assert picked["total"] == 3
    run_jobs(sapi)
    picked = ok(sapi.get(f"/v1/job/{picked['id']}"))
    assert (picked["done"], picked["failed"]) == (2, 1)  # the unknown row is a failure, not a crash
    assert sorted(s["span_parents"][0] for s in score_spans(sapi, eid)) == ["root-1", "root-3"]
    filtered = _job(
        sapi,
        eid,
        [{"type": "global", "name": "Levenshtein"}],
        filter={"row_type": "traces", "filters": [{"column": "input", "op": "in", "value": ["q0", "q2"]}]},
    )
    assert filtered["total"] == 2
    run_jobs(sapi)
    lev = [s for s in score_spans(sapi, eid) if s["span_attributes"]["name"] == "Levenshtein"]
    assert sorted(s["span_parents"][0] for s in lev) == ["root-0", "root-2"]
    everything = _job(sapi, eid, [{"type": "global", "name": "ValidJSON"}])
    assert everything["total"] == 4


def test_a_cancelled_job_starts_no_more_rows(sapi: Api) -> None:  # noqa: F811
    _, eid = experiment(sapi)
    log_cases(sapi, eid, [{"input": i, "output": "a", "expected": "a"} for i in range(5)])
    services_of(sapi).settings.job_chunk_rows = 2
    job = _job(sapi, eid, [{"type": "global", "name": "ExactMatch"}])
    cancelled = ok(sapi.post(f"/v1/job/{job['id']}/cancel"))
    assert cancelled["state"] == "cancelled"
    assert run_jobs(sapi) == 0 and score_spans(sapi, eid) == []
    assert ok(sapi.post(f"/v1/job/{job['id']}/cancel"))["state"] == "cancelled"
    listed = ok(sapi.get("/v1/job", params={"object_id": eid}))["objects"]
    assert [j["id"] for j in listed] == [job["id"]]


def test_bad_job_requests_are_precise_4xx_and_write_nothing(sapi: Api) -> None:  # noqa: F811
    _, eid = experiment(sapi)
    log_cases(sapi, eid, CASES[:1])
    cases = [
        ({"kind": "score", "object_id": eid, "scorers": []}, 400),
        ({"kind": "score", "object_id": eid, "scorers": [{"type": "global", "name": "Nope"}]}, 400),
        ({"kind": "score", "object_id": eid, "scorers": [{"type": "global", "name": "Factuality"}]}, 400),
        ({"kind": "score", "object_id": eid, "scorers": [{"type": "function", "id": "missing"}]}, 404),
        (
            {"kind": "score", "object_id": "missing", "scorers": [{"type": "global", "name": "ExactMatch"}]},
            404,
        ),
        (
            {
                "kind": "score",
                "object_id": eid,
                "scorers": [{"type": "global", "name": "ExactMatch"}],
                "filter": {"filters": ["nosuch > 1"]},
            },
            400,
        ),
        (
            {
                "kind": "score",
                "object_id": eid,
                "scorers": [{"type": "global", "name": "ExactMatch"}],
                "row_ids": [],
            },
            400,
        ),
        ({"kind": "nope", "object_id": eid}, 400),
    ]
    for body, status in cases:
        res = sapi.post("/v1/job", json=body)
        assert res.status_code == status, (body, res.text)
    llm = sapi.post("/v1/job", json=cases[2][0]).json()["error"]["message"]
    assert "ASSAY_LLM_BASE_URL" in llm
    assert ok(sapi.get("/v1/job"))["objects"] == []
    assert sapi.get("/v1/job/missing").status_code == 404
    assert len(spans(sapi, eid)) == 1

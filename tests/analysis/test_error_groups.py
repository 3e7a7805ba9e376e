"""Categorising errors: messages that differ only in numbers and ids are one category."""

from __future__ import annotations

import uuid

import pytest

from assay.services.analysis.error_groups import headline, normalise
from tests.query.helpers import log, make_experiment, make_project, trace_rows


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Rate limit exceeded: retry after 17 seconds", "Rate limit exceeded: retry after 3 seconds"),
        (
            "Row 562273d2-1500-4af2-821a-924a85acc6cb not found",
            "Row 1728a970-cd30-4379-9353-82af71ef2777 not found",
        ),
        ("request req_8f2k19 failed with status 503", "request req_x01 failed with status 429"),
        ("object at 0x7f3a2b1c not callable", "object at 0x10ff not callable"),
        ("KeyError: 'answer'", "KeyError: 'final_answer'"),
        ("checksum deadbeefcafe0123 mismatch", "checksum 00aa11bb22cc33dd mismatch"),
        ("cannot open /tmp/run-4/out.json", "cannot open /var/data/case9/x.json"),
        ("GET https://api.example.com/v1/x?id=3 timed out after 30.5s", "GET https://h/y timed out after 2s"),
        ("user-42 has no quota", "user-7 has no quota"),
    ],
)
def test_messages_differing_only_in_particulars_share_a_pattern(a, b):
    assert normalise(a) == normalise(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Rate limit exceeded", "Context length exceeded"),
        ("KeyError: 'answer'", "ValueError: 'answer'"),
        ("timeout after 3 s", "connection refused after 3 s"),
    ],
)
def test_different_errors_stay_apart(a, b):
    assert normalise(a) != normalise(b)


def test_a_traceback_is_named_by_its_exception_line():
    tb = (
        'Traceback (most recent call last):\n  File "x.py", line 3, in f\n    g()\nValueError: bad value 12\n'
    )
    assert headline(tb) == "ValueError: bad value 12"
    assert normalise(tb) == "ValueError: bad value <n>"
    assert headline("first line\nsecond line") == "first line"


def test_errors_and_scorer_failures_are_grouped_with_counts_and_examples(api):
    pid = make_project(api, "errors")
    eid = make_experiment(api, pid, "exp")
    rows = []
    for i in range(12):
        trace = trace_rows(eid, input=f"q{i}", child_scores=[{"judge": None}])
        if i < 7:
            trace[0]["error"] = f"Rate limit exceeded for request {uuid.uuid4()} (attempt {i})"
        elif i < 10:
            trace[0]["error"] = {"message": f"KeyError: 'field_{i}'"}
        trace[1]["error"] = f"judge timed out after {i * 1.5} s"
        trace[1]["span_attributes"]["name"] = "judge"
        rows += trace
    log(api, rows)
    res = api.post(f"/v1/experiment/{eid}/analysis/errors", json={"examples": 2})
    assert res.status_code == 200, res.text
    report = res.json()
    assert (report["errors"], report["task_errors"], report["scorer_errors"]) == (22, 10, 12)
    assert report["truncated"] is False
    cats = [(c["source"], c["scorer"], c["pattern"], c["count"], c["traces"]) for c in report["categories"]]
    assert cats == [
        ("scorer", "judge", "judge timed out after <n> s", 12, 12),
        ("task", None, "Rate limit exceeded for request <id> (attempt <n>)", 7, 7),
        ("task", None, "KeyError: <str>", 3, 3),
    ]
    first = report["categories"][1]["examples"]
    assert len(first) == 2 and all(e["message"].startswith("Rate limit exceeded") for e in first)
    assert all(e["id"] == e["root_span_id"] for e in first)  # task errors here are on the roots
    capped = api.post(f"/v1/experiment/{eid}/analysis/errors", json={"max_errors": 5}).json()
    assert capped["errors"] == 5 and capped["truncated"] is True


def test_an_experiment_without_errors_has_no_categories(api):
    pid = make_project(api, "clean")
    eid = make_experiment(api, pid, "exp")
    log(api, trace_rows(eid, input="q", child_scores=[{"acc": 1}]))
    report = api.post(f"/v1/experiment/{eid}/analysis/errors", json={}).json()
    assert report["categories"] == [] and report["errors"] == 0

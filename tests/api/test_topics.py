"""Topics (`POST /v1/job` with `kind: "topics"`): traces of three planted themes are clustered into
three topics named by their distinctive words, each trace labelled with its own theme's topic
under `classifications`, with counts and shares; a second run replaces the labels; with an
embeddings endpoint (the scripted server) the texts are embedded instead; facets are clustered
when asked."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from tests.api.scoring_helpers import experiment, log_cases, ok, run_jobs, sapi, score_spans, scoring_api  # noqa: F401
from tests.conftest import Api, database_url
from tests.llm_server import ScriptedLLM, embeddings

THEMES = {
    "billing": ["refund", "invoice", "charged", "payment", "billing"],
    "login": ["password", "login", "account", "locked", "reset"],
    "shipping": ["delivery", "package", "shipping", "tracking", "courier"],
}
FILLER = ["please", "help", "today", "my", "the", "is", "with", "about", "problem", "question"]


def _cases(per_theme: int = 20) -> tuple[list[dict[str, Any]], dict[str, str]]:
    rng = random.Random(7)
    cases, theme_of = [], {}
    for theme, words in THEMES.items():
        for _ in range(per_theme):
            text = " ".join(rng.sample(words, 3) + rng.sample(FILLER, 3))
            theme_of[f"root-{len(cases)}"] = theme
            cases.append({"input": text, "output": "ok"})
    return cases, theme_of


def _topics_job(api: Api, eid: str, **extra: Any) -> dict[str, Any]:
    job = ok(api.post("/v1/job", json={"kind": "topics", "object_id": eid, **extra}))
    run_jobs(api)
    return ok(api.get(f"/v1/job/{job['id']}"))


def _labels(api: Api, eid: str, name: str = "Topics") -> dict[str, str]:
    spans = [s for s in score_spans(api, eid) if s["span_attributes"]["name"] == name]
    return {s["root_span_id"]: s["classifications"][name][0]["id"] for s in spans}


def _assert_themes_found(labels: dict[str, str], theme_of: dict[str, str]) -> None:
    by_topic: dict[str, Counter[str]] = defaultdict(Counter)
    for root, topic in labels.items():
        by_topic[topic][theme_of[root]] += 1
    assert len(by_topic) == 3
    assert all(len(c) == 1 for c in by_topic.values()), by_topic  # each topic holds one theme only


def test_topics_without_an_llm_cluster_the_inputs_into_named_groups(sapi: Api) -> None:  # noqa: F811
    _, eid = experiment(sapi)
    cases, theme_of = _cases()
    log_cases(sapi, eid, cases)
    job = _topics_job(sapi, eid, n_topics=3)
    assert (job["state"], job["done"], job["total"]) == ("done", 1, 1)
    result = job["result"]
    assert result["method"] == "TF-IDF + k-means" and result["traces"] == 60 and result["source"] == "input"
    assert [t["count"] for t in result["topics"]] == [20, 20, 20]
    assert sum(t["share"] for t in result["topics"]) == pytest.approx(1.0)
    for topic in result["topics"]:  # named by words of its own theme
        assert sum(term in words for term in topic["terms"] for words in THEMES.values()) == len(
            topic["terms"]
        )
        assert len({theme for theme, words in THEMES.items() if set(topic["terms"]) & set(words)}) == 1
    labels = _labels(sapi, eid)
    assert len(labels) == 60
    _assert_themes_found(labels, theme_of)

    again = _topics_job(sapi, eid, n_topics=3)
    assert again["state"] == "done"
    assert (
        len([s for s in score_spans(sapi, eid) if s["span_attributes"]["name"] == "Topics"]) == 60
    )  # replaced
    traces = ok(sapi.post(f"/v1/experiment/{eid}/table", json={"row_type": "traces", "limit": 100}))["rows"]
    assert len(traces) == 60  # the labels are spans inside the traces, not new traces


def test_topics_with_an_embeddings_endpoint_embed_the_texts(
    tmp_path: Path, db_backend: str, request: pytest.FixtureRequest
) -> None:
    cases, theme_of = _cases(8)
    axis = {theme: i for i, theme in enumerate(THEMES)}

    def respond(path: str, body: dict[str, Any]) -> dict[str, Any]:
        assert path == "/v1/embeddings"
        vectors = []
        for text in body["input"]:
            theme = next(t for t, words in THEMES.items() if any(w in text.split() for w in words))
            vectors.append([1.0 if i == axis[theme] else 0.0 for i in range(3)])
        return embeddings(vectors)

    with ScriptedLLM(respond, models=("test-embed",)) as llm:
        gen = scoring_api(
            tmp_path,
            database_url(request, db_backend, "topics"),
            llm_base_url=llm.base_url,
            llm_api_key=llm.key,
            llm_model="test-embed",
            embeddings_model="test-embed",
        )
        api = next(gen)
        try:
            _, eid = experiment(api)
            log_cases(api, eid, cases)
            job = _topics_job(api, eid, n_topics=3, name="Theme")
            assert job["result"]["method"] == "embeddings + k-means"
            _assert_themes_found(_labels(api, eid, "Theme"), theme_of)
            assert sum(len(b["input"]) for _, b in llm.requests) == 24  # every input embedded once
        finally:
            gen.close()
        assert llm.problems == []


def test_topics_of_a_facet_cluster_its_summaries(sapi: Api) -> None:  # noqa: F811
    _, eid = experiment(sapi)
    cases, theme_of = _cases(6)
    log_cases(sapi, eid, [{"input": "same question", "output": "ok"} for _ in cases])  # inputs say nothing
    facet_spans = [  # as a scoring job writes a facet (its summary is the span's output)
        {
            "id": f"facet-{root}",
            "span_id": f"facet-{root}",
            "root_span_id": root,
            "span_parents": [root],
            "experiment_id": eid,
            "span_attributes": {"name": "Task", "type": "facet", "purpose": "scorer"},
            "output": case["input"],
        }
        for (root, _), case in zip(theme_of.items(), cases, strict=True)
    ]
    ok(sapi.post("/logs3", json={"rows": facet_spans}))
    job = _topics_job(sapi, eid, facet="Task", n_topics=3)
    assert job["result"]["source"] == "facet Task"
    _assert_themes_found(_labels(sapi, eid), theme_of)


def test_topics_of_a_facet_need_the_facet_first(sapi: Api) -> None:  # noqa: F811
    _, eid = experiment(sapi)
    log_cases(sapi, eid, _cases(3)[0])
    res = sapi.post("/v1/job", json={"kind": "topics", "object_id": eid, "facet": "Task"})
    job = ok(res)
    run_jobs(sapi)
    failed = ok(sapi.get(f"/v1/job/{job['id']}"))
    assert failed["state"] == "failed" and "score the traces with that facet first" in failed["error"]
    bad = sapi.post("/v1/job", json={"kind": "topics", "object_id": eid, "n_topics": 1})
    assert bad.status_code == 400


def test_topics_label_traces_whose_root_span_has_its_own_span_id(sapi: Api) -> None:  # noqa: F811
    """As the SDK logs: the root span's span_id is not the trace's root_span_id. The label span
    belongs to the trace (its root_span_id) under the root span (its parent): no extra traces."""
    _, eid = experiment(sapi)
    cases, _ = _cases(per_theme=5)
    rows = [
        {"id": f"row-{i}", "span_id": f"span-{i}", "root_span_id": f"trace-{i}", "experiment_id": eid, **c}
        for i, c in enumerate(cases)
    ]
    ok(sapi.post("/logs3", json={"rows": rows}))
    assert _topics_job(sapi, eid, n_topics=3)["state"] == "done"
    labels = [s for s in score_spans(sapi, eid) if s["span_attributes"]["name"] == "Topics"]
    assert sorted((s["root_span_id"], s["span_parents"]) for s in labels) == sorted(
        (f"trace-{i}", [f"span-{i}"]) for i in range(len(cases))
    )
    table = ok(sapi.post(f"/v1/experiment/{eid}/table", json={"limit": 100}))["rows"]
    assert len(table) == len(cases)

"""Two `assay serve` processes over one PostgreSQL: any request can go to either server.

Each server has its own data directory and nothing shared but the database (and, for
attachments, the folder both are pointed at, as a shared volume would be). Writes go through
one and reads through the other, with the real SDK, including `Eval` comparing against an
experiment the other server recorded.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from assay.testing import ASSAY
from assay.testing_postgres import Cluster
from tests.conftest import TEMPLATE_DB, Server, start_server
from tests.e2e.sdk import api, experiment, fetch_all, run_script
from tests.e2e.test_sdk_eval import EVAL

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@dataclass
class Pair:
    a: Server
    b: Server
    db_url: str


@pytest.fixture(scope="module")
def pair(pg_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    db_url = pg_cluster.create_database("assay_two_servers", template=TEMPLATE_DB)
    shared_files = tmp_path_factory.mktemp("shared-volume")
    env = {"ASSAY_ATTACHMENTS_DIR": str(shared_files), "ASSAY_JOB_CHUNK_ROWS": "5"}
    a = start_server(tmp_path_factory.mktemp("server-a"), db_url=db_url, env=env)
    b = start_server(tmp_path_factory.mktemp("server-b"), key=a.key, db_url=db_url, env=env)
    yield Pair(a, b, db_url)
    for srv in (a, b):
        srv.stop()
        shutil.rmtree(srv.data_dir, ignore_errors=True)
    pg_cluster.drop_database("assay_two_servers")


PRELUDE = EVAL.split("a = braintrust.Eval(", 1)[0]
RUN_A = (
    PRELUDE
    + """
braintrust.Eval("eval-proj", data=data, task=task_a, scores=[Levenshtein, ExactMatch], experiment_name="run-a")
print("RESULT {}")
"""
)
RUN_B = (
    PRELUDE
    + """
b = braintrust.Eval("eval-proj", data=data, task=task_b, scores=[Levenshtein, ExactMatch], experiment_name="run-b")
print("RESULT " + json.dumps({
    "b": {k: {"score": v.score, "improvements": v.improvements, "regressions": v.regressions, "diff": v.diff}
          for k, v in b.summary.scores.items()},
    "b_comparison": b.summary.comparison_experiment_name,
}))
"""
)


def test_eval_on_one_server_compares_against_an_experiment_recorded_through_the_other(
    pair: Pair, tmp_path: Path
) -> None:
    run_script(pair.a, tmp_path, RUN_A)
    result, output = run_script(pair.b, tmp_path, RUN_B)  # the SDK compares run-b with run-a
    assert result["b_comparison"] == "run-a"
    assert result["b"]["ExactMatch"] == {
        "score": pytest.approx(2 / 3),
        "improvements": 1,
        "regressions": 1,
        "diff": pytest.approx(0.0),
    }
    assert "run-b compared to run-a" in output
    # Either server answers the same about either experiment.
    for name in ("run-a", "run-b"):
        on_a, on_b = experiment(pair.a, "eval-proj", name), experiment(pair.b, "eval-proj", name)
        assert on_a == on_b
        events_a = fetch_all(pair.a, "experiment", on_a["id"])
        assert events_a and events_a == fetch_all(pair.b, "experiment", on_a["id"])
    run_a, run_b = experiment(pair.a, "eval-proj", "run-a"), experiment(pair.b, "eval-proj", "run-b")
    path = f"/v1/experiment/{run_b['id']}/summarize?comparison_experiment_id={run_a['id']}"
    on_a, on_b = api(pair.a, "GET", path), api(pair.b, "GET", path)
    # Each server links to itself (behind a balancer, ASSAY_PUBLIC_URL names the balancer).
    links = {"project_url", "experiment_url"}
    assert {k: v for k, v in on_a.items() if k not in links} == {
        k: v for k, v in on_b.items() if k not in links
    }
    assert on_b["scores"]["ExactMatch"]["improvements"] == 1


def test_logs_written_through_one_server_are_read_through_the_other(pair: Pair, tmp_path: Path) -> None:
    code = """
    import braintrust
    logger = braintrust.init_logger(project="two-servers")
    for i in range(20):
        with logger.start_span(name="root", input={"i": i}) as span:
            span.log(output=i * 2, scores={"even": float(i % 2 == 0)}, metadata={"n": i})
            with span.start_span(name="llm", type="llm") as child:
                child.log(metrics={"prompt_tokens": i})
    logger.flush()
    print("RESULT {}")
    """
    run_script(pair.a, tmp_path, code)
    project = api(pair.b, "GET", "/v1/project", params={"project_name": "two-servers"})["objects"][0]
    events = fetch_all(pair.b, "project_logs", project["id"])
    assert len(events) == 40 and len({e["_xact_id"] for e in events}) >= 1
    query = f"SELECT count(*) AS n, avg(scores.even) AS even FROM project_logs('{project['id']}', shape => 'summary')"
    answers = [api(srv, "POST", "/btql", json={"query": query})["data"] for srv in (pair.b, pair.a)]
    assert answers[0] == answers[1] == [{"n": 20, "even": pytest.approx(0.5)}]


def test_concurrent_merges_through_both_servers_land_on_one_row(pair: Pair) -> None:
    project = api(pair.a, "POST", "/v1/project", json={"name": "merges"})
    exp = api(pair.b, "POST", "/v1/experiment", json={"project_id": project["id"], "name": "m"})
    rows = [{"id": f"r{i}", "experiment_id": exp["id"], "input": i, "tags": ["base"]} for i in range(5)]
    api(pair.a, "POST", "/logs3", json={"rows": rows})

    def merge(server: Server, t: int) -> None:
        for n in range(8):
            body = {
                "rows": [
                    {"id": f"r{i}", "experiment_id": exp["id"], "_is_merge": True, "metadata": {f"t{t}": n}}
                    for i in range(5)
                ]
            }
            api(server, "POST", "/logs3", json=body)

    threads = [threading.Thread(target=merge, args=(srv, t)) for t, srv in enumerate([pair.a, pair.b] * 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for srv in (pair.a, pair.b):
        by_id = {e["id"]: e for e in fetch_all(srv, "experiment", exp["id"])}
        assert sorted(by_id) == [f"r{i}" for i in range(5)]
        for i in range(5):
            assert by_id[f"r{i}"]["metadata"] == {f"t{t}": 7 for t in range(4)}
            assert by_id[f"r{i}"]["input"] == i


def test_xact_ids_grow_in_commit_order_across_servers(pair: Pair) -> None:
    project = api(pair.a, "POST", "/v1/project", json={"name": "order"})
    exp = api(pair.a, "POST", "/v1/experiment", json={"project_id": project["id"], "name": "o"})
    seen = []
    for i in range(10):
        srv = (pair.a, pair.b)[i % 2]
        api(srv, "POST", "/logs3", json={"rows": [{"id": f"x{i}", "experiment_id": exp["id"], "input": i}]})
        newest = api(srv, "POST", f"/v1/experiment/{exp['id']}/fetch", json={"limit": 1})["events"]
        assert newest[0]["id"] == f"x{i}"
        seen.append(newest[0]["_xact_id"])
    assert seen == sorted(seen) and len(set(seen)) == 10


def test_a_key_created_while_both_serve_works_on_both(pair: Pair) -> None:
    import os
    import subprocess

    made = subprocess.run(
        [ASSAY, "keys", "create", "--name", "late", "--db", pair.db_url],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "ASSAY_DATA_DIR": str(pair.a.data_dir)},
    ).stdout.strip()
    for srv in (pair.a, pair.b):
        assert api(replace(srv, key=made), "GET", "/v1/project")["objects"] is not None


def test_an_attachment_url_signed_by_one_server_is_honoured_by_the_other(pair: Pair) -> None:
    headers = {"Authorization": f"Bearer {pair.a.key}"}
    signed = httpx.post(
        pair.a.url + "/attachment",
        json={"key": "shared-1", "filename": "a.txt", "content_type": "text/plain"},
        headers=headers,
    ).json()
    upload = urlsplit(signed["signedUrl"])
    put = httpx.put(f"{pair.b.url}{upload.path}?{upload.query}", content=b"hello", headers=signed["headers"])
    assert put.status_code == 200, put.text
    done = {"key": "shared-1", "status": {"upload_status": "done"}}
    assert httpx.post(pair.b.url + "/attachment/status", json=done, headers=headers).status_code == 200
    meta = httpx.get(pair.b.url + "/attachment", params={"key": "shared-1"}, headers=headers).json()
    download = urlsplit(meta["downloadUrl"])
    got = httpx.get(f"{pair.a.url}{download.path}?{download.query}")
    assert got.status_code == 200 and got.content == b"hello"


def test_a_scoring_job_posted_to_one_server_is_worked_by_the_servers_once(pair: Pair) -> None:
    """Both servers' job workers claim chunks from the one database; each row gets exactly one
    score span however the chunks were shared, and either server reports the job and the scores."""
    project = api(pair.a, "POST", "/v1/project", json={"name": "jobs"})
    exp = api(pair.a, "POST", "/v1/experiment", json={"project_id": project["id"], "name": "j"})
    rows = [
        {
            "id": f"j{i}",
            "experiment_id": exp["id"],
            "input": f"q{i}",
            "output": f"a{i}",
            "expected": f"a{i % 3}",
        }
        for i in range(60)
    ]
    api(pair.a, "POST", "/logs3", json={"rows": rows})
    body = {"kind": "score", "object_id": exp["id"], "scorers": [{"type": "global", "name": "Levenshtein"}]}
    job = api(pair.a, "POST", "/v1/job", json=body)
    assert job["total"] == 60  # in 12 chunks of 5 (ASSAY_JOB_CHUNK_ROWS)
    for _ in range(600):
        seen = api(pair.b, "GET", f"/v1/job/{job['id']}")
        if seen["state"] not in ("queued", "running"):
            break
        threading.Event().wait(0.2)
    assert (seen["state"], seen["done"], seen["failed"]) == ("done", 60, 0)
    for srv in (pair.a, pair.b):
        events = fetch_all(srv, "experiment", exp["id"])
        scored = [e for e in events if (e.get("span_attributes") or {}).get("purpose") == "scorer"]
        assert sorted(e["span_parents"][0] for e in scored) == sorted(f"j{i}" for i in range(60))
    summary = api(pair.b, "GET", f"/v1/experiment/{exp['id']}/summarize")
    assert 0 < summary["scores"]["Levenshtein"]["score"] < 1

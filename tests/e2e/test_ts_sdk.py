"""The official TypeScript SDK (npm `braintrust` 3.35.0, `autoevals` 0.3.0) against a real server.

Scenarios are grouped into a few Node processes (tests/e2e/ts/scenarios/); each test then reads
what the SDK wrote back through the REST fetch routes and `/btql`, and checks it equals what the
script logged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from autoevals import Levenshtein

from tests.conftest import Server
from tests.e2e.sdk import api, experiment, fetch_all
from tests.e2e.ts_sdk import run_node

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CASES = {"Foo": "Hi Foo", "Bar": "Hello Bar", "Baz": "Hi Baz"}


def levenshtein(outputs: dict[str, str]) -> float:
    scores = [Levenshtein()(outputs[k], expected).score for k, expected in CASES.items()]
    return sum(scores) / len(scores)


def by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in rows}


def btql_rows(server: Server, source: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    query: dict[str, Any] = {"select": [{"op": "star"}], "limit": 7}
    query["from"] = {
        "op": "function",
        "name": {"op": "ident", "name": [source.split(":")[0]]},
        "args": [{"op": "literal", "value": source.split(":")[1]}],
    }
    for _ in range(100):
        page = api(server, "POST", "/btql", json={"query": query})
        rows += page["data"]
        if not page.get("cursor"):
            return rows
        query["cursor"] = page["cursor"]
    raise AssertionError("the /btql cursor never ended")


def test_evals_compare_open_as_dataset_and_registration(server: Server, tmp_path: Path) -> None:
    results, output = run_node(server, tmp_path, "evals.mjs", ASSAY_PROJECT="ts-evals")
    a, b = results["a"], results["b"]
    assert a["scores"]["Levenshtein"]["score"] == pytest.approx(levenshtein({k: "Hi " + k for k in CASES}))
    assert "comparisonExperimentName" not in a  # the first experiment of the project has no base
    b_outputs = {"Foo": "Hi Foo", "Bar": "Hello Bar", "Baz": "Hey Baz"}
    assert b["comparisonExperimentName"] == "run-a"
    lev = b["scores"]["Levenshtein"]
    assert lev["score"] == pytest.approx(levenshtein(b_outputs))
    assert lev["diff"] == pytest.approx(lev["score"] - a["scores"]["Levenshtein"]["score"])
    assert (lev["improvements"], lev["regressions"]) == (1, 1)  # Bar got better, Baz worse
    assert "run-a (baseline) <- run-b (comparison)" in output
    assert {"duration", "errors"} <= set(a["metrics"])

    run_a = experiment(server, "ts-evals", "run-a")
    events = fetch_all(server, "experiment", run_a["id"])
    opened = results["open"]
    assert len(opened) == len(events) - 1  # the `update: true` row came later
    fetched = by_id(events)
    for row in opened:
        assert row == fetched[row["id"]]
    roots = [e for e in events if e["is_root"] and e["input"] in CASES]
    assert sorted(r["input"] for r in roots) == sorted(CASES)
    assert all("span_parents" not in r or r["span_parents"] is None for r in roots)
    llm = [e for e in events if (e.get("span_attributes") or {}).get("type") == "llm"]
    assert len(llm) == 3 and all(s["metrics"]["tokens"] == 13 for s in llm)
    assert by_id(btql_rows(server, f"experiment:{run_a['id']}")) == fetched

    as_dataset = sorted(results["asDataset"], key=lambda r: r["input"])
    assert [(r["input"], r["expected"]) for r in as_dataset] == sorted(CASES.items())
    assert {r["input"]: r["metadata"]["category"] for r in as_dataset} == {
        "Foo": "greet",
        "Bar": "greet",
        "Baz": "other",
    }

    from_base = experiment(server, "ts-evals", "from-base")
    assert results["fromBase"]["comparisonExperimentName"] == "run-a"
    assert from_base["base_exp_id"] == run_a["id"]
    base_roots = [e for e in fetch_all(server, "experiment", from_base["id"]) if e["is_root"]]
    assert sorted((r["input"], r["expected"]) for r in base_roots) == sorted(CASES.items())

    assert results["update"] == {"id": run_a["id"], "name": "run-a"}
    assert any(e["input"] == "extra" and e["scores"] == {"added": 1} for e in events)
    assert results["byProjectId"]["project"] == "ts-evals"
    assert results["byProjectId"]["name"] == "by-project-id"
    assert results["unnamed"]["experimentName"].startswith("experiment-")
    names = [
        e["name"]
        for e in api(server, "GET", "/v1/experiment", params={"project_name": "ts-evals"})["objects"]
    ]
    assert sorted(names) == sorted(
        ["run-a", "run-b", "from-base", "by-project-id", results["unnamed"]["experimentName"]]
    )


def test_datasets_versions_and_eval_over_a_dataset(server: Server, tmp_path: Path) -> None:
    results, _ = run_node(server, tmp_path, "datasets.mjs", ASSAY_PROJECT="ts-datasets")
    current = {r["id"]: (r["input"], r["expected"]) for r in results["rows"]}
    assert current == {"a": ("Foo", "Hi Foo!"), "b": ("Bar", "Hello Bar"), "d": ("Qux", "Hi Qux")}
    assert by_id(results["rows"])["a"]["metadata"] == {"n": "a", "edited": True}
    assert by_id(results["rows"])["b"]["tags"] == ["seed"]
    assert results["summary"]["dataSummary"]["totalRecords"] == 3
    versions = results["versions"]
    assert len(versions["v1"]) == 19 and versions["v1"] < versions["v2"]
    assert versions["v2"] == max(r["_xact_id"] for r in results["rows"])

    # The dataset as it was at v1: all three seed rows, before the update and the delete.
    for key in ("old", "oldPaged"):
        old = {r["id"]: (r["input"], r["expected"]) for r in results[key]}
        assert old == {"a": ("Foo", "Hi Foo"), "b": ("Bar", "Hello Bar"), "c": ("Baz", "Hi Baz")}, key
    at_v1 = fetch_all(server, "dataset", results["id"], version=versions["v1"])
    assert by_id(at_v1) == by_id(results["old"])

    assert results["byId"]["name"] == "golden"
    assert by_id(results["byId"]["rows"]) == by_id(results["rows"])
    assert by_id(fetch_all(server, "dataset", results["id"])) == by_id(results["rows"])

    run = experiment(server, "ts-datasets", "over-dataset")
    assert run["dataset_id"] == results["id"] and run["dataset_version"] == versions["v2"]
    roots = [e for e in fetch_all(server, "experiment", run["id"]) if e["is_root"]]
    assert sorted(r["origin"]["id"] for r in roots) == ["a", "b", "d"]
    assert {r["origin"]["object_id"] for r in roots} == {results["id"]}
    assert results["eval"]["scores"]["Levenshtein"]["score"] == pytest.approx(
        sum(Levenshtein()("Hi " + i, e).score for i, e in current.values()) / 3
    )


def test_manual_logging_feedback_update_and_logger(server: Server, tmp_path: Path) -> None:
    results, _ = run_node(server, tmp_path, "logging.mjs", ASSAY_PROJECT="ts-logging")
    manual = experiment(server, "ts-logging", "manual")
    events = by_id(fetch_all(server, "experiment", manual["id"]))
    logged = events[results["manual"]["logged"]]
    assert len(logged["id"]) == 16  # the TypeScript SDK's row ids are 16 hex characters
    assert logged["input"]["exact"] == {
        "unicode": "héllo wörld — 日本語 🎉 \u0000 \ud7ff",
        "big": 9007199254740991,
        "negative": -9007199254740991,
        "float": 0.1 + 0.2,
        "tiny": 5e-324,
        "nested": {"list": [1, 2.5, "x", None, True, {"deep": ["y"]}]},
    }
    assert logged["output"] == "x" * 1024 * 1024
    assert logged["scores"] == {"accuracy": 0.5, "human": 0.75}
    assert logged["metadata"] == {"source": "manual"}
    assert [c["comment"]["text"] for c in logged["comments"]] == ["looks right"]
    outer = events[results["manual"]["traced"]]
    assert outer["output"] == "outer-updated" and outer["metadata"] == {"updated": True}
    assert outer["span_attributes"]["name"] == "outer"
    inner = next(e for e in events.values() if (e.get("span_attributes") or {}).get("name") == "inner")
    assert inner["span_parents"] == [outer["span_id"]] and inner["root_span_id"] == outer["root_span_id"]
    assert inner["metrics"]["prompt_tokens"] == 7
    summary = results["manual"]["summary"]["scores"]
    assert {k: v["score"] for k, v in summary.items()} == {"accuracy": 0.5, "human": 0.75, "outer": 1}
    assert by_id(btql_rows(server, f"experiment:{manual['id']}")) == events
    assert by_id(api(server, "GET", f"/v1/experiment/{manual['id']}/fetch")["events"]) == events

    project_id = results["logger"]["project"]
    logs = by_id(fetch_all(server, "project_logs", project_id))
    request = logs[results["logger"]["id"]]
    assert (request["input"], request["output"], request["scores"]) == ("hi", "there", {"thumbs": 1})
    assert request["span_attributes"]["name"] == "request"
    assert [c["comment"]["text"] for c in request["comments"]] == ["👍"]


def test_braintrust_eval_command_compiles_typescript(server: Server, tmp_path: Path) -> None:
    _, output = run_node(
        server,
        tmp_path,
        "npx",
        "--no",
        "braintrust",
        "eval",
        "greeting.eval.ts",
        ASSAY_PROJECT="ts-cli",
        NPM_CONFIG_UPDATE_NOTIFIER="false",
    )
    run = experiment(server, "ts-cli", "cli-run")
    roots = [e for e in fetch_all(server, "experiment", run["id"]) if e["is_root"]]
    assert sorted((r["input"], r["output"]) for r in roots) == [("Ada", "Hi Ada"), ("Grace", "Hi Grace")]
    score = (Levenshtein()("Hi Ada", "Hi Ada").score + Levenshtein()("Hi Grace", "Hello Grace").score) / 2
    assert f"{score * 100:.2f}%" in output


PY_WRITER = """
import json, braintrust
exp = braintrust.init(project="ts-cross", experiment="py-written")
rid = exp.log(input={"text": "naïve café ✓", "n": 2**53 - 1, "f": 1e-7}, output="y" * (1024 * 1024),
              scores={"s": 0.25}, metadata={"who": "python"})
with exp.start_span(name="root") as span:
    span.log(input="q", output="a")
    with span.start_span(name="child", type="tool") as child:
        child.log(output={"k": [1, 2, 3]})
    span_id = span.id
exp.log_feedback(id=rid, scores={"human": 1.0}, comment="from python")
exp.update_span(id=span_id, output="a2")
exp.flush()
ds = braintrust.init_dataset(project="ts-cross", name="py-dataset")
ds.insert(input={"q": 1, "big": 2**63 - 1}, expected={"a": 1}, id="row-1", tags=["x"])
ds.flush()
rows = list(braintrust.init(project="ts-cross", experiment="manual", open=True).fetch())
again = list(braintrust.init_dataset(project="ts-cross", name="py-dataset").fetch())
print("RESULT " + json.dumps({"rid": rid, "ts_rows": rows, "dataset": again}))
"""


def test_each_sdk_reads_what_the_other_wrote(server: Server, tmp_path: Path) -> None:
    from tests.e2e.sdk import run_script

    run_node(server, tmp_path, "logging.mjs", ASSAY_PROJECT="ts-cross")
    py, _ = run_script(server, tmp_path, PY_WRITER)
    manual = experiment(server, "ts-cross", "manual")
    assert by_id(py["ts_rows"]) == by_id(fetch_all(server, "experiment", manual["id"]))

    results, _ = run_node(
        server, tmp_path, "read.mjs", ASSAY_PROJECT="ts-cross", ASSAY_EXPERIMENT="py-written"
    )
    written = experiment(server, "ts-cross", "py-written")
    events = by_id(fetch_all(server, "experiment", written["id"]))
    assert by_id(results["rows"]) == events
    row = events[py["rid"]]
    assert row["input"] == {"text": "naïve café ✓", "n": 2**53 - 1, "f": 1e-7}
    assert row["output"] == "y" * 1024 * 1024
    assert row["scores"] == {"s": 0.25, "human": 1.0}
    assert [c["comment"]["text"] for c in row["comments"]] == ["from python"]
    assert any(e["output"] == "a2" for e in events.values())

    # Integers past 2**53 stay exact through the REST routes and the Python SDK; JavaScript's
    # JSON.parse, which the TypeScript SDK reads with, cannot hold them.
    ds_id = py["dataset"][0]["dataset_id"]
    assert [e["input"] for e in fetch_all(server, "dataset", ds_id)] == [{"q": 1, "big": 2**63 - 1}]
    assert [e["input"] for e in py["dataset"]] == [{"q": 1, "big": 2**63 - 1}]
    results, _ = run_node(server, tmp_path, "read.mjs", ASSAY_PROJECT="ts-cross", ASSAY_DATASET="py-dataset")
    (row,) = results["rows"]
    assert (row["id"], row["expected"], row["tags"]) == ("row-1", {"a": 1}, ["x"])
    assert row["input"]["big"] == pytest.approx(2**63 - 1) and row["input"]["big"] != 2**63 - 1


PY_PROMPT = """
import json, braintrust
try:
    braintrust.load_prompt(project="ts-unserved", slug="greeting").id  # the load is lazy
    print("RESULT " + json.dumps({"raised": False}))
except ValueError as exc:
    print("RESULT " + json.dumps({"raised": True, "message": str(exc)}))
"""


def test_prompts_and_functions_are_not_found_at_once(server: Server, tmp_path: Path) -> None:
    from tests.e2e.sdk import run_script

    results, output = run_node(server, tmp_path, "unserved.mjs", ASSAY_PROJECT="ts-unserved")
    assert results["loadPrompt"] == {"raised": True, "message": "Prompt greeting not found in ts-unserved"}
    assert results["loadPromptById"]["raised"] and "not found" in results["loadPromptById"]["message"]
    assert results["invoke"]["raised"] and "404" in results["invoke"]["message"]
    assert "cache" not in output  # no fallback to the prompt cache, which only follows server errors
    py, _ = run_script(server, tmp_path, PY_PROMPT)
    assert py == {"raised": True, "message": "Prompt greeting not found in project ts-unserved."}

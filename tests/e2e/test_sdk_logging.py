"""Manual logging, reading back, datasets and project logs through the real SDK."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Server
from tests.e2e.sdk import api, experiment, fetch_all, run_script

pytestmark = pytest.mark.e2e

MANUAL = """
import json, braintrust

exp = braintrust.init(project="manual-proj", experiment="manual-1")

@braintrust.traced
def helper(x):
    braintrust.current_span().log(metadata={"helper": True})
    return x * 2

ids = []
for i in range(3):
    with exp.start_span(name="case", type="eval") as root:
        root.log(input={"n": i}, expected=i * 2, metadata={"i": i}, tags=["t1"])
        with root.start_span(name="inner", type="llm") as child:
            child.log(input="q", output="a", metrics={"prompt_tokens": 5, "completion_tokens": 2})
            out = helper(i)
        root.log(output=out, scores={"correct": 1.0 if out == i * 2 else 0.0})
        ids.append(root.id)

plain = braintrust.init(project="manual-proj", experiment="manual-plain")
row = plain.log(input="plain", output="row", scores={"correct": 0.5}, metadata={"kind": "plain"})
plain.update_span(id=row, output="updated row", metadata={"extra": 1})
plain.flush()
exp.log_feedback(id=ids[0], scores={"human": 0.25}, comment="looks right", metadata={"reviewer": "ada"})
summary = exp.summarize()
short = exp.summarize(summarize_scores=False)
print("RESULT " + json.dumps({
    "ids": ids, "plain": row, "experiment_id": exp.id, "plain_experiment_id": plain.id,
    "scores": {k: v.score for k, v in summary.scores.items()},
    "short_scores": short.scores,
}))
"""

READ = """
import json, braintrust
exp = braintrust.init(project="manual-proj", experiment="manual-1", open=True)
rows = list(exp)
ds = list(exp.as_dataset())
print("RESULT " + json.dumps({"rows": rows, "dataset": ds}))
"""


def test_manual_logging_reads_back(server: Server, tmp_path: Path) -> None:
    written, _ = run_script(server, tmp_path, MANUAL, BRAINTRUST_LEGACY_IDS="1")
    assert written["scores"]["correct"] == pytest.approx(1.0)
    assert written["scores"]["human"] == pytest.approx(0.25)
    assert not written["short_scores"]

    read, _ = run_script(server, tmp_path, READ, BRAINTRUST_LEGACY_IDS="1")
    by_id = {r["id"]: r for r in read["rows"]}
    first = by_id[written["ids"][0]]
    assert first["input"] == {"n": 0} and first["output"] == 0 and first["expected"] == 0
    assert first["scores"] == {"correct": 1.0, "human": 0.25}  # feedback merged into the row
    assert first["metadata"] == {"i": 0}  # feedback metadata is audit data, not row metadata
    assert first["tags"] == ["t1"]
    assert [c["comment"]["text"] for c in first["comments"]] == ["looks right"]
    plain = fetch_all(server, "experiment", written["plain_experiment_id"])
    assert len(plain) == 1 and plain[0]["id"] == written["plain"]
    assert plain[0]["output"] == "updated row" and plain[0]["metadata"] == {"kind": "plain", "extra": 1}
    assert plain[0]["input"] == "plain" and plain[0]["scores"] == {"correct": 0.5}
    # nested spans: llm child and the traced helper under it, in the same trace
    traces = {r["root_span_id"] for r in read["rows"]}
    assert len(traces) == 3  # three cases; the feedback comment did not become a span
    helper = [r for r in read["rows"] if (r.get("span_attributes") or {}).get("name") == "helper"]
    assert len(helper) == 3 and all(h["metadata"] == {"helper": True} for h in helper)
    inner = [r for r in read["rows"] if (r.get("span_attributes") or {}).get("name") == "inner"]
    assert all(
        h["span_parents"] == [i["span_id"]]
        for h, i in zip(
            sorted(helper, key=lambda r: r["root_span_id"]),
            sorted(inner, key=lambda r: r["root_span_id"]),
            strict=True,
        )
    )
    # as_dataset keeps the roots as records
    assert sorted(json_key(d["input"]) for d in read["dataset"]) == sorted(
        [json_key({"n": 0}), json_key({"n": 1}), json_key({"n": 2})]
    )


def json_key(value: object) -> str:
    import json

    return json.dumps(value, sort_keys=True)


DATASET = """
import json, braintrust
ds = braintrust.init_dataset(project="ds-proj", name="qa")
a = ds.insert(input="2+2", expected="4", metadata={"topic": "math"}, tags=["easy"])
b = ds.insert(input="capital of France", expected="Paris", metadata={"topic": "geo"})
c = ds.insert(input="to delete", expected="x")
ds.flush()
v1 = ds.version
ds.update(id=a, expected="four", metadata={"checked": True})
ds.delete(c)
ds.flush()
summary = ds.summarize()
now = braintrust.init_dataset(project="ds-proj", name="qa")
rows = list(now)
old = list(braintrust.init_dataset(project="ds-proj", name="qa", version=v1))
print("RESULT " + json.dumps({
    "ids": [a, b, c], "v1": v1, "version": now.version, "total": summary.data_summary.total_records,
    "rows": rows, "old": old,
}))
"""


def test_dataset_insert_update_delete_version(server: Server, tmp_path: Path) -> None:
    result, _ = run_script(server, tmp_path, DATASET)
    a, b, c = result["ids"]
    assert result["total"] == 2
    rows = {r["id"]: r for r in result["rows"]}
    assert set(rows) == {a, b}
    assert rows[a]["expected"] == "four" and rows[a]["metadata"] == {"topic": "math", "checked": True}
    assert rows[a]["tags"] == ["easy"] and rows[b]["input"] == "capital of France"
    assert len(result["version"]) == 19 and result["version"] > result["v1"]
    old = {r["id"]: r for r in result["old"]}
    assert set(old) == {a, b, c}  # the pinned version still has the deleted row
    assert old[a]["expected"] == "4"


LOGGER = """
import json, braintrust
logger = braintrust.init_logger(project="logs-proj")
with logger.start_span(name="request", type="function") as span:
    span.log(input={"q": "hi"}, output="hello", metadata={"user": "u1"})
    with span.start_span(name="llm", type="llm") as llm:
        llm.log(metrics={"prompt_tokens": 3, "completion_tokens": 1})
    rid = span.id
logger.log_feedback(id=rid, scores={"thumbs": 1.0}, comment="nice")
logger.flush()
print("RESULT " + json.dumps({"id": rid, "project_id": logger.project.id}))
"""


def test_logger_writes_project_logs(server: Server, tmp_path: Path) -> None:
    result, _ = run_script(server, tmp_path, LOGGER)
    events = fetch_all(server, "project_logs", result["project_id"])
    root = next(e for e in events if e["id"] == result["id"])
    assert root["input"] == {"q": "hi"} and root["output"] == "hello"
    assert root["scores"] == {"thumbs": 1.0} and root["log_id"] == "g"
    assert [c["comment"]["text"] for c in root["comments"]] == ["nice"]
    assert len(events) == 2  # the request and its llm span; the comment is not a row


def test_summarize_counts_traces_not_spans(server: Server, tmp_path: Path) -> None:
    exp = experiment(server, "manual-proj", "manual-1")
    summary = api(server, "GET", f"/v1/experiment/{exp['id']}/summarize", params={"summarize_scores": "true"})
    assert set(summary["scores"]["correct"]) == {"name", "score", "improvements", "regressions"}
    assert len(fetch_all(server, "experiment", exp["id"])) == 3 * 3

"""The hand-written reference of `workload.py`: what someone fluent in DuckDB would write for the
same work on the same rows, with no server, no API and no generality beyond this workload.

It loads the spans (the very rows `workload.py` posts to Assay, one JSON object per line) with
DuckDB's own JSON reader into a typed table in one transaction, commits, then answers the same
questions with one statement each. It runs in its own process so that its peak memory is its
own; `workload.py` starts it and reads the JSON it prints (timings in seconds, and the answers,
which are checked against the generator's ground truth like Assay's).

Run alone: .venv/bin/python bench/workload_hand.py SPANS.ndjson DIR BASELINE_ID CANDIDATE_ID
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import orjson

SCORES = ("correctness", "relevance", "fluency")
SPAN_COLUMNS = (
    "id, span_id, root_span_id, span_parents, created, input, output, expected, scores, metrics, "
    "metadata, span_attributes"
)
TABLE = """CREATE TABLE spans (
    experiment_id VARCHAR, id VARCHAR, span_id VARCHAR, root_span_id VARCHAR, span_parents VARCHAR[],
    is_root BOOLEAN, span_type VARCHAR, created TIMESTAMPTZ, input JSON, output JSON, expected JSON,
    metadata JSON, scores MAP(VARCHAR, DOUBLE), metrics MAP(VARCHAR, DOUBLE), span_attributes JSON)"""
LOAD = """INSERT INTO spans
    SELECT experiment_id, id, span_id, root_span_id, span_parents, coalesce(len(span_parents), 0) = 0,
           span_attributes->>'type', created, input, output, expected, metadata, scores, metrics,
           span_attributes
    FROM read_json(?, format = 'newline_delimited', columns = {
        experiment_id: 'VARCHAR', id: 'VARCHAR', span_id: 'VARCHAR', root_span_id: 'VARCHAR',
        span_parents: 'VARCHAR[]', created: 'TIMESTAMPTZ', input: 'JSON', output: 'JSON',
        expected: 'JSON', metadata: 'JSON', scores: 'MAP(VARCHAR, DOUBLE)',
        metrics: 'MAP(VARCHAR, DOUBLE)', span_attributes: 'JSON'})"""


def traces(experiments: str) -> str:
    """One row per trace: scores averaged over its spans, metrics aggregated, root fields."""
    score_cols = ", ".join(f"avg(scores['{s}']) AS {s}" for s in SCORES)
    return f"""SELECT experiment_id, root_span_id, {score_cols},
        max(metrics['end']) - min(metrics['start']) AS duration,
        sum(metrics['prompt_tokens']) AS prompt_tokens, sum(metrics['completion_tokens']) AS completion_tokens,
        any_value(id) FILTER (WHERE is_root) AS id, any_value(created) FILTER (WHERE is_root) AS created,
        md5(CAST(any_value(input) FILTER (WHERE is_root) AS VARCHAR)) AS match_key
    FROM spans WHERE experiment_id IN ({experiments}) GROUP BY experiment_id, root_span_id"""


class Reference:
    def __init__(self, path: Path, baseline: str, candidate: str) -> None:
        self.con = duckdb.connect(str(path))
        self.b, self.c = f"'{baseline}'", f"'{candidate}'"

    def ingest(self, ndjson: Path) -> int:
        self.con.execute(TABLE)
        self.con.execute("BEGIN TRANSACTION")
        self.con.execute(LOAD, [str(ndjson)])
        self.con.execute("COMMIT")
        return int(self.con.execute("SELECT count(*) FROM spans").fetchone()[0])  # type: ignore[index]

    def first_page(self) -> list[Any]:
        return self.con.execute(
            f"""WITH page AS (SELECT root_span_id, id, created, input, output, expected, metadata FROM spans
                              WHERE experiment_id = {self.c} AND is_root ORDER BY created DESC, id LIMIT 50),
                 agg AS (SELECT root_span_id, {", ".join(f"avg(scores['{s}']) AS {s}" for s in SCORES)},
                                max(metrics['end']) - min(metrics['start']) AS duration
                         FROM spans WHERE experiment_id = {self.c}
                           AND root_span_id IN (SELECT root_span_id FROM page) GROUP BY 1)
            SELECT page.*, agg.* EXCLUDE (root_span_id) FROM page JOIN agg USING (root_span_id)
            ORDER BY created DESC, id"""
        ).fetchall()

    def summarize(self) -> dict[str, Any]:
        both = f"{self.b}, {self.c}"
        means = self.con.execute(
            f"""SELECT experiment_id, {", ".join(f"avg({s})" for s in SCORES)}, avg(duration),
                       avg(prompt_tokens), avg(completion_tokens)
                FROM ({traces(both)}) GROUP BY 1"""
        ).fetchall()
        counts = self.con.execute(
            f"""WITH t AS ({traces(both)}),
                 c AS (SELECT * FROM t WHERE experiment_id = {self.c}),
                 b AS (SELECT * FROM t WHERE experiment_id = {self.b})
            SELECT {", ".join(f"count(*) FILTER (WHERE c.{s} > b.{s}), count(*) FILTER (WHERE c.{s} < b.{s})" for s in SCORES)}
            FROM c JOIN b USING (match_key)"""
        ).fetchone()
        assert counts is not None
        return {
            "means": {r[0]: dict(zip(SCORES, r[1:4], strict=True)) for r in means},
            "improvements": dict(zip(SCORES, counts[0::2], strict=True)),
            "regressions": dict(zip(SCORES, counts[1::2], strict=True)),
        }

    def deltas(self) -> dict[str, list[float]]:
        rows = self.con.execute(
            f"""WITH t AS ({traces(f"{self.b}, {self.c}")}),
                 c AS (SELECT * FROM t WHERE experiment_id = {self.c}),
                 b AS (SELECT * FROM t WHERE experiment_id = {self.b})
            SELECT c.id, {", ".join(f"c.{s} - b.{s}" for s in SCORES)} FROM c JOIN b USING (match_key)"""
        ).fetchall()
        return {r[0]: list(r[1:]) for r in rows}

    def filter(self) -> tuple[int, list[Any]]:
        matching = f"SELECT * FROM ({traces(self.c)}) WHERE correctness < 0.5"
        count = self.con.execute(f"SELECT count(*) FROM ({matching})").fetchone()
        page = self.con.execute(
            f"""WITH m AS ({matching} ORDER BY created DESC, id LIMIT 50)
                SELECT m.*, r.input, r.output, r.expected, r.metadata FROM m
                JOIN spans r ON r.experiment_id = {self.c} AND r.id = m.id ORDER BY m.created DESC, m.id"""
        ).fetchall()
        assert count is not None
        return int(count[0]), page

    def group_by(self) -> dict[str, tuple[int, dict[str, float]]]:
        rows = self.con.execute(
            f"""WITH t AS ({traces(self.c)}),
                 r AS (SELECT root_span_id, metadata->>'category' AS category FROM spans
                       WHERE experiment_id = {self.c} AND is_root)
            SELECT category, count(*), {", ".join(f"avg({s})" for s in SCORES)}
            FROM t JOIN r USING (root_span_id) GROUP BY 1 ORDER BY 1"""
        ).fetchall()
        return {r[0]: (r[1], dict(zip(SCORES, r[2:], strict=True))) for r in rows}

    def fetch(self) -> tuple[int, int]:
        """Every span of the candidate as a JSON document, streamed in batches."""
        reader = self.con.execute(
            f"SELECT CAST(to_json(s) AS VARCHAR) AS doc FROM (SELECT {SPAN_COLUMNS} FROM spans "
            f"WHERE experiment_id = {self.c}) s"
        ).to_arrow_reader(10_000)
        spans = size = 0
        for batch in reader:
            docs = batch.column(0)
            spans += len(docs)
            size += len("\n".join(docs.to_pylist()))
        return spans, size

    def export(self, shape: str, fmt: str, out: Path) -> int:
        if shape == "spans":
            select = f"SELECT {SPAN_COLUMNS} FROM spans WHERE experiment_id = {self.c}"
        else:
            select = f"""SELECT r.id, r.span_id, r.root_span_id, r.created, r.input, r.output, r.expected,
                                r.metadata, r.span_attributes, t.* EXCLUDE (experiment_id, root_span_id, id, created)
                         FROM ({traces(self.c)}) t
                         JOIN spans r ON r.experiment_id = {self.c} AND r.id = t.id"""
        options = "FORMAT json, ARRAY true" if fmt == "json" else "FORMAT csv, HEADER true"
        self.con.execute(f"COPY ({select}) TO '{out}' ({options})")
        return out.stat().st_size

    def close(self) -> None:
        self.con.execute("CHECKPOINT")
        self.con.close()


def peak_rss() -> int:
    """This process's peak resident memory (VmHWM), in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, float, Any]:
    """Seconds and CPU seconds (all threads) of one call, or the medians of `repeat` calls after
    a warm-up, and the answer."""
    if repeat > 1:
        fn()
    samples, cpus, answer = [], [], None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        answer = fn()
        samples.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(samples), statistics.median(cpus), answer


def run(ndjson: Path, workdir: Path, baseline: str, candidate: str, repeat: int) -> dict[str, Any]:
    db = workdir / "reference.duckdb"
    ref = Reference(db, baseline, candidate)
    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}
    answers: dict[str, Any] = {}

    def step(name: str, fn: Callable[[], Any], repeat: int = 1) -> None:
        seconds[name], cpu[name], answers[name] = timed(fn, repeat)

    step("ingest", lambda: ref.ingest(ndjson))
    step("first_page", ref.first_page)
    step("summarize", ref.summarize, repeat)
    step("deltas", ref.deltas, repeat)
    step("filter", ref.filter, repeat)
    step("group_by", ref.group_by, repeat)
    step("fetch", ref.fetch)
    for shape in ("spans", "traces"):
        for fmt in ("csv", "json"):
            step(f"export_{shape}_{fmt}", lambda s=shape, f=fmt: ref.export(s, f, workdir / f"{s}.{f}"))
    ref.close()
    answers["first_page"] = len(answers["first_page"])
    answers["filter"] = answers["filter"][0]
    return {
        "seconds": seconds,
        "cpu": cpu,
        "answers": answers,
        "peak_rss": peak_rss(),
        "disk": sum(p.stat().st_size for p in workdir.glob("reference.duckdb*")),
    }


if __name__ == "__main__":
    path, folder, base_id, cand_id = sys.argv[1:5]
    repeats = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    result = run(Path(path), Path(folder), base_id, cand_id, repeats)
    sys.stdout.buffer.write(orjson.dumps(result, option=orjson.OPT_NON_STR_KEYS))

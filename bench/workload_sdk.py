"""The workload logged through the official `braintrust` SDK, as a user's script would log it.

Both experiments, one `start_span` tree per test case (root, task, llm under the task, score),
as fast as the SDK accepts them, with the SDK's default settings (background flushing, bounded
queue); one `flush()` at the end. Prints JSON: seconds from the first case to the end of the
flush, this process's CPU seconds (the SDK's own cost, every thread), and the experiment ids.
`workload.py` then counts what the server stored: the SDK drops the oldest queued events without
an error when the server cannot keep up.

Run: .venv/bin/python bench/workload_sdk.py N SEED PROJECT  (with BRAINTRUST_* set for the server)
"""

from __future__ import annotations

import json
import sys
import time

import braintrust

from workload_data import EXPERIMENTS, case


def log_experiment(project: str, name: str, n: int, seed: int) -> str:
    exp = braintrust.init(project=project, experiment=name)
    for i in range(n):
        c = case(seed, i)
        run = c.runs[name]
        with exp.start_span(
            name="eval",
            type="eval",
            input={"question": c.question},
            expected=c.expected,
            metadata={"category": c.category, "difficulty": c.difficulty, "model": c.model},
        ) as root:
            with root.start_span(name="task", type="task", input={"question": c.question}) as task:
                with task.start_span(name="chat completion", type="llm") as llm:
                    llm.log(
                        input=[
                            {"role": "system", "content": "You are a careful assistant."},
                            {"role": "user", "content": c.question},
                        ],
                        output=[{"role": "assistant", "content": run.output}],
                        metadata={"model": c.model, "temperature": 0},
                        metrics={
                            "prompt_tokens": run.prompt_tokens,
                            "completion_tokens": run.completion_tokens,
                            "tokens": run.prompt_tokens + run.completion_tokens,
                        },
                    )
                task.log(output=run.output)
            with root.start_span(name="scorers", type="score") as score:
                score.log(output=dict(run.scores), scores=dict(run.scores))
            root.log(output=run.output)
    return str(exp.id)


def main() -> None:
    n, seed, project = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    start = time.perf_counter()
    ids = {name: log_experiment(project, name, n, seed) for name in EXPERIMENTS}
    braintrust.flush()
    seconds, cpu = time.perf_counter() - start, time.process_time()  # CPU: every thread of this process
    print(json.dumps({"seconds": seconds, "cpu": cpu, "experiments": ids}))


if __name__ == "__main__":
    main()

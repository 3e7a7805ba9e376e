"""The demo evaluation: real `Eval()` runs through the official SDK against a running Assay.

The dataset (`cases`, about 200 cases, chart images as attachments) is inserted once; then the
four experiments of `variants` run over it in order, each variant compared with the baseline, one
of them with three trials per case. Scorers: autoevals' ExactMatch and Levenshtein, and the
demo's judge and two scorers that fail on some outputs (`scorers`). Then `extras` adds what the
SDK cannot: an aggregate score and a classifier run after the fact.
"""

from __future__ import annotations

import asyncio
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

from assay.demo import extras
from assay.demo.agent import make_task
from assay.demo.cases import Case, all_cases
from assay.demo.chart import NAMES, bar_chart
from assay.demo.scorers import Correctness, json_fields, numeric_closeness
from assay.demo.variants import BASELINE, VARIANTS, Variant

PROJECT = "demo"
DATASET = "cases"
CONCURRENCY = 8


def record(case: Case) -> dict[str, Any]:
    """The dataset record of `case`: chart cases get their legend and the chart as an attachment."""
    from braintrust import Attachment

    row: dict[str, Any] = {
        "id": case.id,
        "input": case.input,
        "expected": case.expected,
        "metadata": case.metadata,
    }
    if case.chart is not None:
        row["input"] = {
            **case.input,
            "legend": {label: NAMES[label] for label, _ in case.chart},
            "chart": Attachment(
                data=bar_chart(case.chart), filename=f"{case.id}.png", content_type="image/png"
            ),
        }
    return row


def run(api_url: str, api_key: str, reviewer_key: str | None = None) -> list[str]:
    """Load the dataset and run the four experiments; return one summary line per experiment."""
    import braintrust

    braintrust.login(app_url=api_url, api_key=api_key, force_login=True)
    # During `Eval()` the SDK also appends every span to a local file, so that scorers can read the
    # trace without asking the server; no demo scorer does, and on a small machine that file is a
    # third of the run's time (each write reopens it). Everything sent to Assay is unchanged.
    braintrust.logger._state.span_cache.disable()
    dataset = braintrust.init_dataset(project=PROJECT, name=DATASET, description="The demo's test cases")
    if not list(dataset.fetch()):
        for case in all_cases():
            dataset.insert(**record(case))
        dataset.flush()
    # The baseline first (the variants compare with it), then the three variants at once: the SDK
    # supports concurrent evaluations, and one variant's uploads overlap another's tasks.
    baseline = asyncio.run(evaluate(BASELINE))
    variants = asyncio.run(_gather(*(evaluate(v) for v in VARIANTS if v is not BASELINE)))
    braintrust.flush()
    lines = [summary_line(r.summary) for r in (baseline, *variants)]
    return lines + extras.add(api_url, api_key, PROJECT, reviewer_key)


async def _gather(*runs: Any) -> list[Any]:
    return list(await asyncio.gather(*runs))


async def evaluate(variant: Variant) -> Any:
    """One experiment: `variant` over the dataset, compared with the baseline."""
    import braintrust
    from autoevals import ExactMatch, Levenshtein
    from braintrust.git_fields import GitMetadataSettings

    return await braintrust.EvalAsync(
        PROJECT,
        data=braintrust.init_dataset(project=PROJECT, name=DATASET),
        task=make_task(variant),
        scores=[ExactMatch, Levenshtein, Correctness, numeric_closeness, json_fields],
        experiment_name=variant.name,
        trial_count=variant.trials,
        metadata={"model": variant.model, "provider": variant.provider, "prompt": variant.prompt},
        base_experiment_name=None if variant is BASELINE else BASELINE.name,
        git_metadata_settings=GitMetadataSettings(collect="none"),
        max_concurrency=CONCURRENCY,
    )


def summary_line(summary: Any) -> str:
    scores = ", ".join(
        f"{name} {s.score:.1%}"
        + (f" ({s.improvements} up, {s.regressions} down)" if s.diff is not None else "")
        for name, s in summary.scores.items()
        if name in ("ExactMatch", "Correctness")
    )
    against = f" vs {summary.comparison_experiment_name}" if summary.comparison_experiment_name else ""
    return f"{summary.experiment_name}{against}: {scores}"


def main(argv: list[str]) -> None:
    """`python -m assay.demo.evaluation URL KEY LOG [REVIEWER_KEY]`: run the demo's evaluations in a
    process of their own (so the SDK and the server each have a core), the SDK's output in LOG (its
    progress bars and the tracebacks of the deliberate errors), one summary line per experiment on
    stdout. REVIEWER_KEY is the second reviewer's key (`demo.review`)."""
    url, key, log, *rest = argv
    with Path(log).open("w") as out, redirect_stdout(out), redirect_stderr(out):
        lines = run(url, key, rest[0] if rest else None)
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:])

"""The real `braintrust` SDK reads datasets and experiments through POST /btql (its JSON tree)."""

from __future__ import annotations

import pytest

from tests.e2e.sdk import run_script

pytestmark = pytest.mark.e2e


def test_sdk_dataset_and_experiment_fetch(server, tmp_path):
    result, output = run_script(
        server,
        tmp_path,
        """
        import json
        import braintrust

        ds = braintrust.init_dataset(project="btql-sdk", name="golden")
        for i in range(25):
            ds.insert(input={"q": i}, expected=i * 2, metadata={"i": i}, id=f"r{i}")
        ds.flush()
        again = braintrust.init_dataset(project="btql-sdk", name="golden")
        rows = list(again.fetch(batch_size=10))

        exp = braintrust.init(project="btql-sdk", experiment="e")
        for i in range(3):
            exp.log(input=i, output=i, scores={"ok": 1.0})
        exp.flush()
        logged = list(braintrust.init(project="btql-sdk", experiment="e", open=True).fetch())
        print("RESULT " + json.dumps({"ids": sorted(r["id"] for r in rows),
                                      "expected": sorted(r["expected"] for r in rows),
                                      "experiment": len(logged)}))
        """,
    )
    assert result["ids"] == sorted(f"r{i}" for i in range(25)), output
    assert result["expected"] == sorted(i * 2 for i in range(25))
    assert result["experiment"] == 3

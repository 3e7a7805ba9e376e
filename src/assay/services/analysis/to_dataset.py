"""Create a dataset from rows: chosen traces of an experiment become dataset records.

The records are written through the ordinary dataset insert path (`ingest.insert_events`, as
`POST /v1/dataset/{id}/insert`), so validation, access and the event log are the API's. Each
record keeps where it came from in `origin` (the reference's shape: object type and id, the row
id, its `_xact_id` and `created`), and its id is derived from the experiment and the row, so
adding the same rows again updates those records instead of duplicating them.

`dry_run` answers what would be written (the count and the first records) without writing: the
web app shows it in the confirmation it asks for before any write.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assay.model.errors import InvalidInput
from assay.model.objects import CreateDataset
from assay.services import catalog, ingest
from assay.services.analysis.scope import Scope
from assay.services.analysis.selection import RowSelection, selected_rows

FIELDS = ["id", "input", "output", "expected", "metadata", "tags", "_xact_id", "created"]
PREVIEW = 5
_NAMESPACE = uuid.UUID("6f1c0b1e-7a4f-4f8e-9a55-2a8c1d0e3b71")


class DatasetFromRows(BaseModel):
    model_config = ConfigDict(extra="forbid")

    selection: RowSelection
    dataset_id: str | None = Field(None, min_length=1, max_length=200, description="Add to this dataset")
    dataset_name: str | None = Field(
        None,
        min_length=1,
        max_length=1024,
        description="Or to the experiment's project's dataset of this name (created if new)",
    )
    description: str | None = Field(None, max_length=10_000)
    expected_from: Literal["expected", "output"] = Field(
        "expected",
        description="Where each record's `expected` comes from: the row's expected value, or its output",
    )
    dry_run: bool = Field(False, description="Answer what would be written, and write nothing")


class DatasetRecordPreview(BaseModel):
    id: str
    input: Any = None
    expected: Any = None
    metadata: Any = None
    origin: dict[str, Any]


class DatasetFromRowsResult(BaseModel):
    dataset_id: str | None = Field(description="None on a dry run into a dataset not created yet")
    dataset_name: str
    project_id: str
    rows: int = Field(description="Records written (or that would be, on a dry run)")
    row_ids: list[str] = Field(description="Ids of the dataset records, in order")
    written: bool
    preview: list[DatasetRecordPreview]


def record_of(experiment_id: str, row: dict[str, Any], expected_from: str) -> dict[str, Any]:
    """The dataset record of one trace: its input, expected value, metadata and tags, and its origin."""
    return {
        "id": str(uuid.uuid5(_NAMESPACE, f"{experiment_id}/{row['id']}")),
        "input": row.get("input"),
        "expected": row.get(expected_from),
        "metadata": row.get("metadata"),
        "tags": row.get("tags"),
        "origin": {
            "object_type": "experiment",
            "object_id": experiment_id,
            "id": row["id"],
            "_xact_id": str(row["_xact_id"]) if row.get("_xact_id") is not None else None,
            "created": row.get("created"),
        },
    }


def create(scope: Scope, q: DatasetFromRows) -> DatasetFromRowsResult:
    if (q.dataset_id is None) == (q.dataset_name is None):
        raise InvalidInput("pass exactly one of dataset_id (an existing dataset) and dataset_name")
    svc, who = scope.svc, scope.who
    project_id = scope.experiment["project_id"]
    dataset: dict[str, Any] | None = None
    if q.dataset_id is not None:
        dataset = catalog.get_object(svc, who, "dataset", q.dataset_id)
        if dataset["project_id"] != project_id:
            raise InvalidInput("the dataset belongs to another project than the experiment")
    else:
        found = svc.store.list_objects("dataset", project_id=project_id, name=q.dataset_name)
        dataset = found[0] if found else None
    rows = selected_rows(scope, q.selection, FIELDS)
    if not rows:
        raise InvalidInput("the selection holds no rows")
    records = [record_of(scope.id, r, q.expected_from) for r in rows]
    name = dataset["name"] if dataset else str(q.dataset_name)
    if not q.dry_run:
        if dataset is None:
            dataset = catalog.create_dataset(
                svc, who, CreateDataset(project_id=project_id, name=name, description=q.description)
            )
        ingest.insert_events(svc, who, "dataset", dataset["id"], records)
    return DatasetFromRowsResult(
        dataset_id=dataset["id"] if dataset else None,
        dataset_name=name,
        project_id=project_id,
        rows=len(records),
        row_ids=[r["id"] for r in records],
        written=not q.dry_run,
        preview=[DatasetRecordPreview.model_validate(r) for r in records[:PREVIEW]],
    )

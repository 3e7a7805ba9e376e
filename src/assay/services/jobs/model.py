"""Requests and answers of `/v1/job`: retrospective scoring and topics."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assay.services.table_query import TableQuery

MAX_JOB_ROWS = 100_000
MAX_SCORERS = 20


class ScorerRef(BaseModel):
    """A scorer, classifier or facet to run: a stored function by id, or a built-in by name
    (the reference's `{type: "function", id}` / `{type: "global", name}`)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["function", "global"]
    id: str | None = Field(None, description="The function's id (type 'function')")
    name: str | None = Field(None, description="The built-in's name (type 'global'), e.g. Levenshtein")
    function_type: Literal["scorer", "facet"] | None = Field(
        None, description="Built-ins: scorer (default) or facet (Task, Sentiment, Issues)"
    )
    args: dict[str, Any] | None = Field(None, description="A built-in's optional arguments")


class CreateScoreJob(BaseModel):
    """Score rows after the fact: run scorers, classifiers and facets over rows of an experiment
    (or of project logs) and write each result as a new span in the row's trace."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["score"] = "score"
    object_type: Literal["experiment", "project_logs"] = "experiment"
    object_id: str = Field(min_length=1, max_length=200)
    scorers: list[ScorerRef] = Field(min_length=1, max_length=MAX_SCORERS)
    row_ids: list[str] | None = Field(
        None,
        max_length=MAX_JOB_ROWS,
        description="The rows (spans) to score, e.g. the table's selection; a trace row's id is its root's",
    )
    filter: TableQuery | None = Field(
        None,
        description="Score every row matching this table state (row type, filters, search) instead; "
        "with neither, every trace is scored",
    )


class CreateTopicsJob(BaseModel):
    """Cluster the traces of an experiment (or project logs) into named topics, and label each
    trace with its topic (`classifications`)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["topics"]
    object_type: Literal["experiment", "project_logs"] = "experiment"
    object_id: str = Field(min_length=1, max_length=200)
    facet: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="Cluster this facet's summaries (e.g. Task, from a scoring job); default: the traces' input",
    )
    name: str = Field("Topics", min_length=1, max_length=200, description="The classification's name")
    n_topics: int | None = Field(None, ge=2, le=50, description="Default: from the number of traces")


class JobOut(BaseModel):
    """A job and its progress."""

    id: str
    kind: str
    state: Literal["queued", "running", "done", "cancelled", "failed"]
    project_id: str
    object_type: str | None = None
    object_id: str | None = None
    created: str
    updated: str
    finished: str | None = None
    total: int = Field(description="Rows to work on")
    done: int = Field(description="Rows finished without an error")
    failed: int = Field(description="Rows where a scorer failed (recorded as scorer errors on the row)")
    progress: float = Field(description="Fraction of rows finished, 0 to 1")
    scorers: list[dict[str, Any]] = Field(default_factory=list, description="What runs: name, type, version")
    error: str | None = None
    result: dict[str, Any] | None = None


class JobList(BaseModel):
    objects: list[JobOut]

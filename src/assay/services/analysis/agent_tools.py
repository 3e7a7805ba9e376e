"""The chat agent's tools: the deterministic analyses, SQL and row fetches, as function tools.

Each tool is declared once (name, description, JSON Schema of its arguments, whether it writes)
and runs as the caller, over the experiment the conversation is about, through the same services
as the API routes, so the agent can do nothing the caller could not do by hand. Arguments are
validated by the analyses' own request models; a tool that fails answers with its error message
(the agent reads it and may try again) rather than ending the conversation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import BaseModel, Field, ValidationError
from sqlglot import exp

from assay.model.errors import AssayError
from assay.model.json_encode import encode_json
from assay.query.expression import literal
from assay.services.analysis import agreement, changes, codegen, error_groups, slices, to_dataset
from assay.services.analysis.codegen import CodeQuery
from assay.services.analysis.models import AgreementQuery, ChangesQuery, ErrorQuery, SliceQuery
from assay.services.analysis.scope import Scope
from assay.services.analysis.to_dataset import DatasetFromRows
from assay.services.jobs.model import CreateScoreJob, ScorerRef
from assay.services.jobs.service import create_score_job, job_out
from assay.services.queries import run_query
from assay.services.table_query import TableQuery

MAX_RESULT_CHARS = 20_000  # what one tool result may add to the conversation
MAX_SQL_ROWS = 100
MAX_FETCHED = 20


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    parameters: dict[str, Any]
    run: Callable[[Scope, dict[str, Any]], Any]
    writes: bool = False  # asks the user before it runs

    def declaration(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": self.parameters},
        }


def _schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    schema.pop("title", None)
    return schema


def _model(
    model: type[BaseModel], run: Callable[[Scope, Any], BaseModel]
) -> Callable[[Scope, dict[str, Any]], Any]:
    def call(scope: Scope, args: dict[str, Any]) -> Any:
        return run(scope, model.model_validate(args)).model_dump()

    return call


def _sql(scope: Scope, args: dict[str, Any]) -> Any:
    query = args.get("query")
    if not isinstance(query, str) or not query.strip():
        raise ValueError("run_sql needs `query`, one SELECT of the query language")
    result = run_query(scope.svc, scope.who, query, limit=MAX_SQL_ROWS)
    return {"rows": result.rows, "more": result.cursor is not None}


def _rows(scope: Scope, args: dict[str, Any]) -> Any:
    ids = args.get("ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise ValueError("get_rows needs `ids`, a list of trace ids (root span ids)")
    fields = ["id", "root_span_id", "input", "output", "expected", "scores", "metadata", "error"]
    select = (
        exp.Select(expressions=[exp.column(f) for f in fields])
        .where(exp.In(this=exp.column("root_span_id"), expressions=[literal(i) for i in ids[:MAX_FETCHED]]))
        .limit(MAX_FETCHED)
    )
    return {"rows": scope.run(select)}


class _ScoreArgs(BaseModel):
    """A scoring job over this experiment (the job's own request, without the object)."""

    scorers: list[ScorerRef] = Field(min_length=1, max_length=20)
    row_ids: list[str] | None = Field(None, max_length=10_000, description="Rows (trace ids) to score")
    filter: TableQuery | None = Field(None, description="Or the rows matching this table state")


def _score(scope: Scope, args: dict[str, Any]) -> Any:
    body = CreateScoreJob(object_id=scope.id, **_ScoreArgs.model_validate(args).model_dump(exclude_none=True))
    return job_out(create_score_job(scope.svc, scope.who, body))


def _dataset(scope: Scope, args: dict[str, Any]) -> Any:
    return to_dataset.create(scope, DatasetFromRows.model_validate({**args, "dry_run": False})).model_dump()


TOOLS: dict[str, Tool] = {
    t.name: t
    for t in (
        Tool(
            "summarize_changes",
            "What improved and regressed against the base experiment (default: the previous one), per score, "
            "with the traces that moved most.",
            _schema(ChangesQuery),
            _model(ChangesQuery, changes.analyze),
        ),
        Tool(
            "find_slices",
            "Metadata values and pairs of values whose scores are significantly below the rest "
            "(Welch's test, Holm-adjusted), with n, effect size, confidence interval and example traces.",
            _schema(SliceQuery),
            _model(SliceQuery, slices.analyze),
        ),
        Tool(
            "categorize_errors",
            "Errors and scorer failures grouped by normalised message, with counts and example spans.",
            _schema(ErrorQuery),
            _model(ErrorQuery, error_groups.analyze),
        ),
        Tool(
            "scorer_agreement",
            "How much each pair of scores agrees (correlation, pass/fail agreement, kappa); with `human` "
            "scores, the scorers ranked against them.",
            _schema(AgreementQuery),
            _model(AgreementQuery, agreement.analyze),
        ),
        Tool(
            "run_sql",
            "Run one SELECT of Assay's query language (e.g. FROM experiment('<id>', shape => 'summary')); "
            f"at most {MAX_SQL_ROWS} rows.",
            {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
            _sql,
        ),
        Tool(
            "get_rows",
            f"The input, output, expected value, scores, metadata and error of up to {MAX_FETCHED} traces of "
            "this experiment, by their ids.",
            {
                "type": "object",
                "properties": {"ids": {"type": "array", "items": {"type": "string"}}},
                "required": ["ids"],
            },
            _rows,
        ),
        Tool(
            "create_dataset",
            "Create a dataset from rows of this experiment (ids, or table filters such as "
            "'scores.ExactMatch = 0'). Writes: the user is asked to confirm first.",
            _schema(DatasetFromRows),
            _dataset,
            writes=True,
        ),
        Tool(
            "start_scoring_job",
            "Score rows of this experiment after the fact with scorers (built-ins by name, e.g. "
            "{'type': 'global', 'name': 'Levenshtein'}, or stored functions by id). Writes: the user is "
            "asked to confirm first.",
            _schema(_ScoreArgs),
            _score,
            writes=True,
        ),
        Tool(
            "generate_eval_code",
            "An Eval() script in Python and TypeScript that re-runs a dataset with this experiment's scorers.",
            _schema(CodeQuery),
            _model(CodeQuery, codegen.generate),
        ),
    )
}


def run_tool(scope: Scope, name: str, raw_arguments: str) -> tuple[str, bool]:
    """The tool's result as JSON text for the conversation, and whether it succeeded."""
    tool = TOOLS.get(name)
    if tool is None:
        return _error(f"no tool named {name!r}; the tools are {', '.join(TOOLS)}"), False
    try:
        args = orjson.loads(raw_arguments or "{}")
        if not isinstance(args, dict):
            raise ValueError("the arguments must be a JSON object")
        result = tool.run(scope, args)
    except (orjson.JSONDecodeError, ValueError, ValidationError, AssayError) as exc:
        message = exc.message if isinstance(exc, AssayError) else str(exc)
        return _error(message), False
    text = encode_json(result).decode()
    if len(text) > MAX_RESULT_CHARS:
        text = text[:MAX_RESULT_CHARS] + " …(truncated)"
    return text, True


def _error(message: str) -> str:
    return orjson.dumps({"error": message}).decode()

"""Human review state on the rows: who a row is assigned to, whether it is reviewed, and how far
an experiment's review has got. One definition, used by the built-in views, the review progress
of the summarize API, and docs/review.md's SQL.

The reference's conventions, kept on the rows themselves:
- **Assigned** rows carry the assignees' user ids in `metadata["~__bt_assignments"]` (a list),
  written by a merge insert with `_merge_paths` (the reference's API form; the web app's Assign
  writes the same).
- A row's **review status** is `metadata["~__bt_review_lists"]["__bt_default_review_list"]["status"]`:
  `PENDING` (flagged, waiting), or any other value once its review is marked complete
  (`COMPLETE`, or the reference's `APPROVED` / `REJECTED`).
- A **human review score is set** on a row when the field that score writes holds a value:
  `scores.<name>` for numeric scores (sliders, categorical scores that are not written to
  `expected`: the average over reviewers), `expected.<name>` for categorical scores written to
  `expected`, `metadata.<destination>` for free-form scores.

**Reviewed**, precisely: a span is reviewed when one of the project's human review scores is set
on it or its review status is anything but `PENDING`; a trace is reviewed when one of its spans
is. "Unreviewed" is every other row; the review progress is (reviewed traces, all traces).
Review spans (`span_attributes.type = "review"`, one per reviewer) are records of a review, not
rows to review: the spans view of "Unreviewed" leaves them out.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from assay.query.parse import ParsedQuery
from assay.query.sources import Source
from assay.query.syntax import INCLUDES
from assay.services.context import Services
from assay.services.project_scores import review_scores_of
from assay.services.queries import run_parsed

REVIEW_SPAN_TYPE = "review"
ASSIGNMENTS = "~__bt_assignments"
REVIEW_LISTS = "~__bt_review_lists"
DEFAULT_LIST = "__bt_default_review_list"
PENDING = "PENDING"
COMPLETE = "COMPLETE"


def _path(*parts: str) -> exp.Expr:
    """`a."b"."c"` as a column path (every part after the first quoted, so any name is safe)."""
    node: exp.Expr = exp.column(exp.to_identifier(parts[0]))
    for part in parts[1:]:
        node = exp.Dot(this=node, expression=exp.to_identifier(part, quoted=True))
    return node


def assigned_to(user_id: str) -> exp.Expr:
    """`metadata."~__bt_assignments" INCLUDES '<user id>'`, as a tree (the id is a literal node)."""
    return exp.Anonymous(
        this=INCLUDES, expressions=[_path("metadata", ASSIGNMENTS), exp.Literal.string(user_id)]
    )


def status_path() -> exp.Expr:
    return _path("metadata", REVIEW_LISTS, DEFAULT_LIST, "status")


def value_path(definition: dict[str, Any]) -> exp.Expr:
    """Where a review score's value lands on the reviewed row (see the module docstring)."""
    config = definition.get("config") or {}
    name = definition["name"]
    if definition["score_type"] == "free-form":
        return _path("metadata", *str(config.get("destination") or name).split("."))
    if definition["score_type"] == "categorical" and config.get("destination") == "expected":
        return _path("expected", name)
    return _path("scores", name)


def reviewed_span(definitions: list[dict[str, Any]]) -> exp.Expr:
    """A span is reviewed: a human review score set on it, or its review status past PENDING."""
    status = status_path()
    complete = exp.and_(
        exp.Not(this=exp.Is(this=status, expression=exp.Null())),
        exp.NEQ(this=status.copy(), expression=exp.Literal.string(PENDING)),
    )
    parts = [exp.Not(this=exp.Is(this=value_path(d), expression=exp.Null())) for d in definitions]
    return exp.or_(*parts, exp.paren(complete)) if parts else complete


def unreviewed(definitions: list[dict[str, Any]], row_type: str) -> exp.Expr:
    """The filter of the built-in "Unreviewed" view for `row_type` (traces or spans)."""
    reviewed = reviewed_span(definitions)
    if row_type == "traces":
        return exp.Not(this=exp.Anonymous(this="any_span", expressions=[reviewed]))
    kind = exp.column("type", table="span_attributes")
    not_review_span = exp.paren(
        exp.or_(
            exp.Is(this=kind, expression=exp.Null()),
            exp.NEQ(this=kind.copy(), expression=exp.Literal.string(REVIEW_SPAN_TYPE)),
        )
    )
    return exp.and_(not_review_span, exp.Not(this=exp.paren(reviewed)))


def progress_select(definitions: list[dict[str, Any]]) -> exp.Select:
    """`{reviewed, total}` over an object's spans: traces with a reviewed span, and all traces
    (the same statement docs/review.md shows as SQL)."""
    reviewed = exp.Count(
        this=exp.Distinct(
            expressions=[
                exp.Case(ifs=[exp.If(this=reviewed_span(definitions), true=exp.column("root_span_id"))])
            ]
        )
    )
    total = exp.Count(this=exp.Distinct(expressions=[exp.column("root_span_id")]))
    return exp.select(exp.alias_(reviewed, "reviewed"), exp.alias_(total, "total"))


def progress(svc: Services, object_type: str, object_id: str, project_id: str) -> dict[str, int]:
    """`{"reviewed": n, "total": m}` of an experiment's (or project logs') traces."""
    source = Source(object_type, (object_id,), "spans")
    found = run_parsed(svc, ParsedQuery(progress_select(review_scores_of(svc, project_id))), source).rows
    row = found[0] if found else {}
    return {"reviewed": int(row.get("reviewed") or 0), "total": int(row.get("total") or 0)}


def filter_text(tree: exp.Expr) -> str:
    """The filter as the query language spells it (what the built-in views hand the table)."""
    return tree.sql()

"""What one analysis reads: an experiment the caller may read, and statements run over it.

Analyses build query trees (never text) and run them here, through the one query path (compile
for the store's dialect, `Store.execute` with the settings' time and memory limits). Trace-level
questions read the `summary` shape (one row per trace, scores averaged over its spans); error
questions read `spans`.
"""

from __future__ import annotations

from typing import Any, cast

from sqlglot import exp

from assay.query import Source
from assay.query.parse import ParsedQuery
from assay.services import comparison_key
from assay.services.aggregates import expand, formula, formulas_of
from assay.services.auth import Principal
from assay.services.catalog import rows_owner
from assay.services.context import Services
from assay.services.project_scores import aggregates_of
from assay.services.queries import run_parsed
from assay.services.tables import inferred

# The largest page the query layer returns; analyses that read rows stop there and say so.
MAX_ROWS = 100_000


class Scope:
    """One experiment, resolved once for one caller (one lookup, one access decision)."""

    def __init__(self, svc: Services, who: Principal, experiment_id: str) -> None:
        self.svc = svc
        self.who = who
        self.experiment = rows_owner(svc, who, "experiment", experiment_id)
        self.id: str = self.experiment["id"]
        self._fields: tuple[list[str], list[str]] | None = None
        # The project's aggregate scores: `scores.<name>` in any statement means their formula.
        self.aggregates = {d["name"]: d for d in aggregates_of(svc, self.experiment["project_id"])}
        self.formulas = formulas_of(list(self.aggregates.values()))

    def source(self, shape: str = "summary", compare: tuple[str, ...] = ()) -> Source:
        key = comparison_key.of_object(self.svc, "experiment", self.id) if compare else None
        return Source("experiment", (self.id,), shape, compare, key)  # cases matched as the project does

    def run(
        self, select: exp.Select, shape: str = "summary", compare: tuple[str, ...] = ()
    ) -> list[dict[str, Any]]:
        """The rows of `select` over this experiment (at most one page of `MAX_ROWS`)."""
        if select.args.get("limit") is None:
            select = select.limit(MAX_ROWS)
        select = cast(exp.Select, expand(select, self.formulas))
        return run_parsed(self.svc, ParsedQuery(select), self.source(shape, compare)).rows

    @property
    def score_names(self) -> list[str]:
        """The scores seen in the experiment, then the project's aggregate scores."""
        seen = self._inferred()[0]
        return seen + [n for n in self.aggregates if n not in seen]

    def comparison_score(self, name: str) -> exp.Expr:
        """`comparison_scores.<name>` (the base's score of the same test case, `compare =>`)."""
        if name in self.aggregates:
            return exp.Paren(this=formula(self.aggregates[name], "comparison_scores"))
        return path("comparison_scores", name)

    @property
    def metadata_keys(self) -> list[str]:
        """Root metadata keys holding scalar values (those a trace can be grouped by)."""
        return self._inferred()[1]

    def _inferred(self) -> tuple[list[str], list[str]]:
        if self._fields is None:
            self._fields = inferred(self.svc, [self.id])
        return self._fields


def path(root: str, name: str) -> exp.Expr:
    """`root."name"`: a field path whose last part may hold any character."""
    return exp.Dot(this=exp.column(root), expression=exp.to_identifier(name, quoted=True))


def call(name: str, *args: exp.Expr) -> exp.Expr:
    """A function of the query language (checked against its allow-list when compiled)."""
    return exp.Anonymous(this=name, expressions=list(args))


def column_text(root: str, name: str) -> str:
    """The path `root.name` spelled as the query language reads it (generated from a tree, so
    any character in `name` is quoted correctly): what structured conditions name a column by."""
    node = path(root, name)
    return node.sql() if not name.isidentifier() else f"{root}.{name}"

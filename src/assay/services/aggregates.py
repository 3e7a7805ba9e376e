"""Aggregate scores computed by the database: each project score's formula as a query tree.

`formula` turns a project score into an expression over a trace's score map (`scores`, or
`comparison_scores` for the matched trace of a comparison), built node by node — score names are
quoted identifiers, weights literal numbers — and compiled like any query. Missing components are
skipped (`assay.model.project_scores`):

- weighted: `Σ coalesce(wᵢ·sᵢ, 0) / nullif(Σ coalesce(sᵢ·0 + wᵢ, 0), 0)` — the second sum adds a
  weight only where its score is present, so the mean is over the present components, and a
  trace with none of them is NULL;
- minimum / maximum: `least(s₁, …)` / `greatest(s₁, …)`, which skip NULLs (NULL when all are).

`summary_items` gives the experiment summary's items for the aggregates (mean over traces, the
difference from the comparison experiment's mean, and per matched test case the improvements
and regressions), in one statement per experiment.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlglot import exp

from assay.query import Source
from assay.query.parse import ParsedQuery
from assay.services import comparison_key
from assay.services.context import Services
from assay.services.queries import run_parsed


def score_path(map_name: str, name: str) -> exp.Column:
    """`scores."<name>"` as a node (any name, quoted: never text pasted into a statement)."""
    return exp.Column(this=exp.Identifier(this=name, quoted=True), table=exp.Identifier(this=map_name))


def _num(value: float) -> exp.Expr:
    return exp.Literal.number(repr(float(value)))


def _sum(terms: Sequence[exp.Expr]) -> exp.Expr:
    total = terms[0]
    for term in terms[1:]:
        total = exp.Add(this=total, expression=term)
    return total


def formula(doc: dict[str, Any], map_name: str = "scores") -> exp.Expr:
    """The trace-level value of the project score `doc` (see the module docstring)."""
    kind, categories = doc["score_type"], doc["categories"]
    if kind == "weighted":
        num = [
            exp.Coalesce(
                this=exp.Mul(this=_num(w), expression=score_path(map_name, n)), expressions=[_num(0)]
            )
            for n, w in categories.items()
        ]
        den = [
            exp.Coalesce(
                this=exp.Add(
                    this=exp.Mul(this=score_path(map_name, n), expression=_num(0)), expression=_num(w)
                ),
                expressions=[_num(0)],
            )
            for n, w in categories.items()
        ]
        return exp.Div(
            this=exp.Paren(this=_sum(num)),
            expression=exp.Nullif(this=exp.Paren(this=_sum(den)), expression=_num(0)),
        )
    paths = [score_path(map_name, n) for n in categories]
    func = exp.Least if kind == "minimum" else exp.Greatest
    return func(this=paths[0], expressions=paths[1:])


def _score_name(node: exp.Expr) -> str | None:
    """The score a node names, when it is `scores.<name>` (parsed: a column of table `scores`;
    built: a dot on the column `scores`), else None."""
    if isinstance(node, exp.Column) and node.table == "scores" and not node.args.get("db"):
        return str(node.name)
    if (
        isinstance(node, exp.Dot)
        and isinstance(node.this, exp.Column)
        and node.this.name == "scores"
        and not node.this.table
        and isinstance(node.expression, exp.Identifier)
    ):
        return str(node.expression.name)
    return None


def expand(tree: exp.Expr, formulas: dict[str, exp.Expr]) -> exp.Expr:
    """`tree` with every `scores.<aggregate>` replaced by that aggregate's formula, so the table's
    filters, sorts, groups and columns read aggregates like logged scores. The formulas are not
    expanded again: an aggregate's components are logged scores."""
    if not formulas:
        return tree
    for node in list(tree.find_all(exp.Column, exp.Dot)):
        name = _score_name(node)
        if name in formulas and node.parent is not None:
            node.replace(exp.Paren(this=formulas[name].copy()))
    return tree


def formulas_of(docs: list[dict[str, Any]]) -> dict[str, exp.Expr]:
    return {d["name"]: formula(d) for d in docs}


def _count_if(cond: exp.Expr) -> exp.Expr:
    return exp.Sum(this=exp.If(this=cond, true=exp.Literal.number(1), false=exp.Literal.number(0)))


def means(svc: Services, experiment_id: str, docs: list[dict[str, Any]]) -> dict[str, float | None]:
    """Each aggregate's mean over the experiment's traces that have a value (one statement)."""
    items = [exp.alias_(exp.Avg(this=formula(d)), f"a{i}") for i, d in enumerate(docs)]
    rows = run_parsed(
        svc, ParsedQuery(exp.select(*items)), Source("experiment", (experiment_id,), "summary")
    ).rows
    row = rows[0] if rows else {}
    return {d["name"]: row.get(f"a{i}") for i, d in enumerate(docs)}


def summary_items(
    svc: Services, experiment_id: str, base_id: str | None, docs: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The summary's score items of the aggregates that have a value in this experiment."""
    if not docs:
        return {}
    found = means(svc, experiment_id, docs)
    base_means: dict[str, float | None] = {}
    counts: dict[str, tuple[int, int]] = {}
    if base_id is not None:
        base_means = means(svc, base_id, docs)
        items: list[exp.Expr] = []
        for i, d in enumerate(docs):
            mine, theirs = formula(d), formula(d, "comparison_scores")
            items.append(exp.alias_(_count_if(exp.GT(this=mine, expression=theirs)), f"i{i}"))
            items.append(exp.alias_(_count_if(exp.LT(this=mine.copy(), expression=theirs.copy())), f"r{i}"))
        key = comparison_key.of_object(
            svc, "experiment", experiment_id
        )  # test cases as the project matches them
        source = Source("experiment", (experiment_id,), "summary", (base_id,), key)
        rows = run_parsed(svc, ParsedQuery(exp.select(*items)), source).rows
        row = rows[0] if rows else {}
        counts = {
            d["name"]: (int(row.get(f"i{i}") or 0), int(row.get(f"r{i}") or 0)) for i, d in enumerate(docs)
        }
    out: dict[str, dict[str, Any]] = {}
    for d in docs:
        value = found[d["name"]]
        if value is None:
            continue
        improvements, regressions = counts.get(d["name"], (0, 0))
        item: dict[str, Any] = {
            "name": d["name"],
            "score": value,
            "improvements": improvements,
            "regressions": regressions,
        }
        if base_means.get(d["name"]) is not None:
            item["diff"] = value - base_means[d["name"]]  # type: ignore[operator]
        out[d["name"]] = item
    return out

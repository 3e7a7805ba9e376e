"""Scorers and classifiers the database computes: SQL expressions and rules, through `assay.query`.

A SQL scorer is one expression of the query language over the scored span (`output = expected ?
1 : 0`, `least(1, len(output) / 500)`); a SQL classifier's expression gives a label; a rules
classifier labels a span by the first rule (or every rule, with `multiple`) whose regex matches a
field or whose SQL condition holds. Each batch is one statement over the object's spans, compiled
and bounded like any query, with the rows' ids as literal nodes: nothing runs in Python per row
but reading the answer, and no user text reaches the database except through the compiler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from assay.model.functions import FunctionType, Rule
from assay.query import QueryError, Source, parse_expression
from assay.query.errors import parse_labelled
from assay.query.expression import compile_column, compile_filter, literal
from assay.query.parse import ParsedQuery
from assay.services.context import Services
from assay.services.queries import run_parsed
from assay.services.scorers.base import Result, Target, checked_score, label_item

ID = "__assay_id"


def rule_condition(rule: Rule) -> exp.Expr:
    """A rule as a condition tree: the typed SQL, or `regexp_matches(to_string(field), pattern)`."""
    if (rule.when is None) == (rule.regex is None):
        raise QueryError(f"rule {rule.label!r}: give exactly one of 'regex' or 'when'")
    if rule.when is not None:
        return exp.Paren(this=parse_labelled(parse_expression, rule.when, f"rule {rule.label!r}"))
    field = parse_labelled(parse_expression, rule.field, f"rule {rule.label!r} field")
    text = exp.Anonymous(this="to_string", expressions=[field])
    return exp.Anonymous(this="regexp_matches", expressions=[text, literal(rule.regex)])


def check_expression(svc: Services, text: str, what: str) -> exp.Expr:
    """Parse and compile `text` over spans (for its errors, with positions); the parsed tree."""
    node = parse_labelled(parse_expression, text, what)
    compile_column(node, "spans", svc.store.dialect)
    return node


def check_rules(svc: Services, rules: list[Rule]) -> None:
    for rule in rules:
        try:
            compile_filter(rule_condition(rule), "spans", svc.store.dialect)
        except QueryError as exc:
            raise QueryError(f"rule {rule.label!r}: {exc.reason}", exc.line, exc.column) from None


@dataclass
class SqlRunner:
    """A SQL scorer (`expression` gives a number) or classifier (it gives a label), or a rules
    classifier (`rules`). Runs over the spans of one object."""

    svc: Services
    object_type: str
    object_id: str
    key: str
    name: str
    version: str
    function_type: FunctionType
    expression: str | None = None
    rules: list[Rule] | None = None
    multiple: bool = False
    needs_llm: bool = False
    needs_trace: bool = False

    def _items(self) -> list[exp.Expr]:
        if self.rules is not None:
            return [exp.alias_(rule_condition(r), f"r{i}") for i, r in enumerate(self.rules)]
        assert self.expression is not None
        node = parse_labelled(parse_expression, self.expression, f"scorer {self.name!r}")
        return [exp.alias_(node, "v")]

    def run(self, targets: list[Target]) -> list[Result]:
        if not targets:
            return []
        ids = [t.id for t in targets]
        try:
            select = exp.select(exp.alias_(exp.column("id"), ID), *self._items()).where(
                exp.column("id").isin(*[literal(i) for i in ids])
            )
            select.set("limit", exp.Limit(expression=exp.Literal.number(len(ids))))
            source = Source(self.object_type, (self.object_id,), "spans")
            rows = {r[ID]: r for r in run_parsed(self.svc, ParsedQuery(select), source).rows}
        except QueryError as exc:  # e.g. an invalid regular expression: every row of the batch fails
            return [Result(error=f"{self.name}: {exc.reason}") for _ in targets]
        return [self._result(rows.get(i)) for i in ids]

    def _result(self, row: dict[str, Any] | None) -> Result:
        if row is None:
            return Result(error="the row is no longer there")
        if self.rules is not None:
            matched = [r for i, r in enumerate(self.rules) if row.get(f"r{i}") is True]
            if not self.multiple:
                matched = matched[:1]
            return Result(labels=[label_item({"id": r.id or r.label, "label": r.label}) for r in matched])
        value = row.get("v")
        if self.function_type == "scorer":
            return checked_score(value)
        if value is None:
            return Result()
        return Result(labels=[label_item(value if isinstance(value, str) else str(value))])

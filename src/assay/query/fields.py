"""Field paths (`scores."My Score"`, `metadata.a.b`, `tags[0]`) as typed column expressions.

A path resolves against the columns of the query's shape. Its result is a `Typed` value: a
compiled expression plus a kind. JSON paths stay *pending* (kind `path`) until the surrounding
expression says what it needs, because `metadata.n > 3` wants a number, `metadata.model = 'x'`
wants text and `SELECT metadata.a` wants the JSON value itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from assay.query.dialect import Dialect, compared_column
from assay.query.errors import error_at
from assay.store.columns import ROOT_FIELDS, ROW_COLUMNS

# Kinds: number int text bool timestamp json map list any path
KIND_OF_COLUMN = {
    "text": "text",
    "int": "int",
    "bool": "bool",
    "timestamp": "timestamp",
    "json": "json",
    "number_map": "map",
    "text_list": "list",
    "number": "number",
}
SPAN_FIELDS: dict[str, tuple[str, str]] = {
    c.name: (c.name, KIND_OF_COLUMN[c.kind]) for c in ROW_COLUMNS if c.api or c.name == "object_type"
}
SPAN_FIELDS.update(
    {
        "experiment_id": ("object_id", "text"),
        "dataset_id": ("object_id", "text"),
        "object_id": ("object_id", "text"),
    }
)
# Classifier and facet results (docs/scoring.md): top-level span fields, kept in the `extra`
# column of a span; a trace row merges its spans' into summary columns of the same names.
LABEL_FIELDS = ("classifications", "facets")
SPAN_FIELDS.update({name: ("extra", "extra") for name in LABEL_FIELDS})
# `classifications.<name>.label` / `.id`: the items' labels (or ids), joined, as one text.
LABEL_PARTS = ("label", "id")
# `SELECT *` of the summary shape: the trace's identity, its root's fields, its aggregates.
SUMMARY_COLUMNS = [
    "root_span_id",
    *(f for f in ROOT_FIELDS if f in SPAN_FIELDS and f != "_pagination_key"),
    "object_type",
    "object_id",
    "scores",
    "metrics",
    *LABEL_FIELDS,
]
SUMMARY_FIELDS: dict[str, tuple[str, str]] = {
    name: SPAN_FIELDS[name] for name in SUMMARY_COLUMNS if name in SPAN_FIELDS and name not in LABEL_FIELDS
}
SUMMARY_FIELDS.update({name: (name, "json") for name in LABEL_FIELDS})
SUMMARY_FIELDS.update(
    {
        "experiment_id": ("object_id", "text"),
        "dataset_id": ("object_id", "text"),
        "_pagination_key": ("first_key", "text"),
        "span_count": ("span_count", "int"),
        "has_error": ("has_error", "bool"),
        "match_key": ("match_key", "text"),
        # With compare => …: the first compared experiment's scores of the row's test case.
        "comparison_scores": (compared_column(0, "scores"), "map"),
        "comparisons": ("", "compared"),  # comparisons[i].scores.X, .metrics.X, .id, .traces
        "is_root": ("", "bool"),  # every summary row is a trace, i.e. its root
    }
)
SUMMARY_METRIC_ALIASES = {"tokens": "total_tokens"}
# `comparisons[i].<part>`: the kinds of the parts (see `compared_column`).
COMPARED_PARTS = {"scores": "map", "metrics": "map", "id": "text", "traces": "int"}
NUMERIC = frozenset({"number", "int"})


@dataclass
class Typed:
    """A compiled expression and its kind; a pending JSON path keeps its column and path instead."""

    expr: exp.Expr
    kind: str
    path: list[str | int] = field(default_factory=list)


def fields_for(shape: str) -> dict[str, tuple[str, str]]:
    return SUMMARY_FIELDS if shape == "summary" else SPAN_FIELDS


def flatten(node: exp.Expr) -> list[str | int] | None:
    """The parts of a field path, or None if `node` is not one."""
    if isinstance(node, exp.Column):
        parts: list[str | int] = [p.name for p in node.parts]
        return parts
    if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Identifier):
        head = flatten(node.this)
        return None if head is None else [*head, node.expression.name]
    if isinstance(node, exp.Bracket) and len(node.expressions) == 1:
        head = flatten(node.this)
        index = node.expressions[0]
        if head is None:
            return None
        if isinstance(index, exp.Literal) and index.is_string:
            return [*head, index.this]
        if isinstance(index, exp.Literal) and index.is_int:
            return [*head, int(index.this)]
        if isinstance(index, exp.Neg) and isinstance(index.this, exp.Literal) and index.this.is_int:
            return [*head, -int(index.this.this)]
        raise error_at(index, "an index must be a whole number or a quoted key")
    return None


def resolve(node: exp.Expr, parts: list[str | int], shape: str, d: Dialect) -> Typed:
    """Compile the path `parts` (from `node`, for error positions) against the shape's columns."""
    table = fields_for(shape)
    root, rest = parts[0], parts[1:]
    if not isinstance(root, str) or root not in table:
        known = ", ".join(sorted(table))
        raise error_at(node, f"unknown field {root!r}; fields of the {shape} shape are: {known}")
    column, kind = table[root]
    if root == "is_root" and shape == "summary":
        return Typed(exp.true(), "bool")
    if kind == "compared":
        return _compared(node, rest, d)
    col = exp.column(column, quoted=True)
    if root in LABEL_FIELDS:
        return _labels(node, col, [root] if kind == "extra" else [], root, rest, d)
    if not rest:
        return Typed(col, kind)
    if root == "span_attributes" and len(rest) == 1 and rest[0] in ("type", "name"):
        return Typed(exp.column(f"span_{rest[0]}", quoted=True), "text")
    if kind == "map":
        if len(rest) != 1 or not isinstance(rest[0], str):
            raise error_at(node, f'{root} holds numbers by name: write {root}.name or {root}."Some name"')
        key = rest[0]
        if root == "metrics" and shape == "summary":
            key = SUMMARY_METRIC_ALIASES.get(key, key)
        if root == "metrics" and shape != "summary" and key == "estimated_cost":
            # A span's cost is priced at write time (model and tokens) into a column of its own;
            # a cost the client logged in `metrics` wins.
            priced = exp.column("estimated_cost", quoted=True)
            return Typed(exp.Coalesce(this=d.map_get(col, key), expressions=[priced]), "number")
        return Typed(d.map_get(col, key), "number")
    if kind == "list":
        if len(rest) != 1 or not isinstance(rest[0], int):
            raise error_at(node, f"{root} is a list: index it with a number, e.g. {root}[0]")
        return Typed(d.list_get(col, rest[0]), "text")
    if kind == "json":
        for part in rest:
            if isinstance(part, str) and ('"' in part or "\\" in part):
                raise error_at(node, "field names may not contain double quotes or backslashes")
        return Typed(col, "path", list(rest))
    raise error_at(node, f"field {root!r} has no sub-fields")


def _compared(node: exp.Expr, rest: list[str | int], d: Dialect) -> Typed:
    """`comparisons[i].scores.X` and friends: experiment i of `compare => [...]`, the row's test case."""
    hint = (
        "write comparisons[i].scores.name, .metrics.name, .id or .traces (i from 0, as in compare => [...])"
    )
    if len(rest) < 2 or not isinstance(rest[0], int) or rest[0] < 0 or rest[1] not in COMPARED_PARTS:
        raise error_at(node, hint)
    index, part = rest[0], str(rest[1])
    col = exp.column(compared_column(index, part), quoted=True)
    kind = COMPARED_PARTS[part]
    if len(rest) == 2:
        return Typed(col, kind)
    if kind != "map" or len(rest) != 3 or not isinstance(rest[2], str):
        raise error_at(node, hint)
    key = SUMMARY_METRIC_ALIASES.get(rest[2], rest[2]) if part == "metrics" else rest[2]
    return Typed(d.map_get(col, key), "number")


def _labels(
    node: exp.Expr, col: exp.Expr, prefix: list[str | int], root: str, rest: list[str | int], d: Dialect
) -> Typed:
    """`classifications…` or `facets…`: a JSON path (`prefix` locates the field in its column);
    `classifications.<name>.label` and `.id` are the items' labels or ids joined by ", ", so a
    classification filters, sorts and groups as one text however many labels it holds."""
    for part in rest:
        if isinstance(part, str) and ('"' in part or "\\" in part):
            raise error_at(node, "field names may not contain double quotes or backslashes")
    if root == "classifications" and len(rest) == 2 and isinstance(rest[0], str) and rest[1] in LABEL_PARTS:
        return Typed(d.json_labels(col, [*prefix, rest[0]], str(rest[1])), "text")
    if not prefix and not rest:
        return Typed(col, "json")
    return Typed(col, "path", [*prefix, *rest])


def coerce(value: Typed, want: str, d: Dialect) -> exp.Expr:
    """The expression of `value` as `want` (number, text, bool or value = leave as it is)."""
    if value.kind == "path":
        if want == "number":
            return d.to_number(d.json_text(value.expr, value.path))
        if want == "bool":
            return d.to_bool(d.json_text(value.expr, value.path))
        if want == "text":
            return d.json_text(value.expr, value.path)
        return d.json_value(value.expr, value.path)
    if value.kind == "json" and want == "text":
        return d.json_text(value.expr, [])
    if value.kind == "json" and want == "number":
        return d.to_number(d.json_text(value.expr, []))
    return value.expr


def kind_after(value: Typed, want: str) -> str:
    """The kind `coerce(value, want)` produces."""
    if value.kind == "path":
        return {"number": "number", "bool": "bool", "text": "text"}.get(want, "json")
    if value.kind == "json" and want in ("text", "number"):
        return want
    return value.kind

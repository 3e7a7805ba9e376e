"""Sources: what `FROM experiment(…)`, `dataset(…)` or `project_logs(…)` names, and what it resolves to.

`query/` only reads the references out of the tree (`source_refs`); a service resolves each one
through the catalog and the access policy (`assay.services.sources`) and hands the compiler a
`Source` of object ids it may read. A reference the caller may not read is reported exactly like
one that does not exist, so a query cannot probe other organizations' ids.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from assay.model.objects import OBJECT_TYPES
from assay.query.errors import error_at

SHAPES = ("spans", "traces", "summary")
MAX_OBJECTS = 50
MAX_COMPARE = 7


@dataclass(frozen=True)
class Ref:
    """One quoted id or name in a source call, with its node (for the error position)."""

    text: str
    node: exp.Expr


@dataclass(frozen=True)
class SourceRefs:
    """The FROM clause as written: the object type, its references, the shape, `compare =>`."""

    object_type: str
    refs: tuple[Ref, ...]
    shape: str = "spans"
    compare: tuple[Ref, ...] = ()  # `compare => '<experiment>'` or `['<a>', '<b>', …]`


@dataclass(frozen=True)
class Source:
    """A resolved FROM clause: rows of these objects (ids the caller may read), in this shape."""

    object_type: str
    object_ids: tuple[str, ...]
    shape: str
    # `compare => [...]`: these experiments' values of each row's test case (`comparisons[i]`).
    compare_ids: tuple[str, ...] = ()
    # The project's comparison key (`summary` shape; the first object's project), None: `input`.
    comparison_key: str | None = None


def _source_call(select: exp.Select) -> tuple[exp.Func, str]:
    """The FROM clause's table function and its name, or an error pointing at what is there instead."""
    from_ = select.args.get("from_")
    if from_ is None:
        raise error_at(
            select, "the query needs FROM experiment('<id or name>'), dataset(…) or project_logs(…)"
        )
    table = from_.this
    func = table.this if isinstance(table, exp.Table) else None
    extra = {k for k, v in table.args.items() if v and k != "this"} if isinstance(table, exp.Table) else set()
    if not isinstance(func, exp.Func) or extra:
        raise error_at(
            table,
            "FROM must be one of experiment(…), dataset(…) or project_logs(…); tables are not reachable",
        )
    name = str(func.name if isinstance(func, exp.Anonymous) else func.key).lower()
    if name not in OBJECT_TYPES:
        raise error_at(func, f"unknown source {name}(); use experiment(…), dataset(…) or project_logs(…)")
    return func, name


def _option(arg: exp.Expr) -> str | None:
    if isinstance(arg, exp.Kwarg | exp.PropertyEQ | exp.EQ):
        return str(arg.this.name).lower()
    return None


def source_refs(select: exp.Select) -> SourceRefs:
    """Read the source call of `select` without resolving anything."""
    func, name = _source_call(select)
    refs: list[Ref] = []
    shape = "spans"
    compare: list[Ref] = []
    for arg in func.expressions:
        option = _option(arg)
        if option == "shape":
            value = arg.expression
            if not (isinstance(value, exp.Literal) and value.is_string and value.this.lower() in SHAPES):
                raise error_at(arg, f"shape must be one of {', '.join(SHAPES)}")
            shape = value.this.lower()
        elif option == "compare":
            value = arg.expression
            items = value.expressions if isinstance(value, exp.Array) else [value]
            if (
                name != "experiment"
                or not items
                or not all(isinstance(i, exp.Literal) and i.is_string for i in items)
            ):
                raise error_at(
                    arg, "compare => takes the quoted id or name of an experiment, or an array of them"
                )
            if len(items) > MAX_COMPARE:
                raise error_at(arg, f"compare => takes at most {MAX_COMPARE} experiments")
            compare = [Ref(i.this, i) for i in items]
        elif isinstance(arg, exp.Literal) and arg.is_string:
            refs.append(Ref(arg.this, arg))
        else:
            raise error_at(arg, f"{name}() takes quoted ids or names, and optionally shape => 'traces'")
    if not refs:
        raise error_at(func, f"{name}() needs at least one id or name")
    if len(refs) > MAX_OBJECTS:
        raise error_at(func, f"{name}() takes at most {MAX_OBJECTS} objects")
    if compare and shape != "summary":
        raise error_at(compare[0].node, "compare => needs shape => 'summary' (it matches test cases)")
    return SourceRefs(name, tuple(refs), shape, tuple(compare))

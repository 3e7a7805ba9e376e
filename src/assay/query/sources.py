"""Sources: `experiment(…)`, `dataset(…)`, `project_logs(…)` by id or name, with the key's access checked.

A source the caller may not read is reported exactly like one that does not exist, so a query
cannot probe other organizations' ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from assay.model.errors import Forbidden, NotFound
from assay.query.errors import error_at
from assay.services.auth import Principal
from assay.services.catalog import get_object
from assay.services.context import Services

# source function -> (rows' object_type, catalog kind holding its ids)
SOURCES = {"experiment": ("experiment", "experiment"), "dataset": ("dataset", "dataset")}
SOURCES["project_logs"] = ("project_logs", "project")
SHAPES = ("spans", "traces", "summary")
MAX_OBJECTS = 50


@dataclass(frozen=True)
class Source:
    object_type: str
    object_ids: tuple[str, ...]
    shape: str
    compare_id: str | None = None  # `compare => '<experiment>'`: its scores per test case


def source_call(select: exp.Select) -> tuple[exp.Func, str]:
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
    if name not in SOURCES:
        raise error_at(func, f"unknown source {name}(); use experiment(…), dataset(…) or project_logs(…)")
    return func, name


def resolve_source(svc: Services, who: Principal, select: exp.Select) -> Source:
    func, name = source_call(select)
    object_type, kind = SOURCES[name]
    refs: list[tuple[str, exp.Expr]] = []
    shape = "spans"
    compare: tuple[str, exp.Expr] | None = None
    for arg in func.expressions:
        if isinstance(arg, exp.Kwarg | exp.PropertyEQ | exp.EQ) and arg.this.name.lower() == "shape":
            value = arg.expression
            if not (isinstance(value, exp.Literal) and value.is_string and value.this.lower() in SHAPES):
                raise error_at(arg, f"shape must be one of {', '.join(SHAPES)}")
            shape = value.this.lower()
        elif isinstance(arg, exp.Kwarg | exp.PropertyEQ | exp.EQ) and arg.this.name.lower() == "compare":
            value = arg.expression
            if not (isinstance(value, exp.Literal) and value.is_string) or name != "experiment":
                raise error_at(arg, "compare => takes the quoted id or name of an experiment")
            compare = (value.this, value)
        elif isinstance(arg, exp.Literal) and arg.is_string:
            refs.append((arg.this, arg))
        else:
            raise error_at(arg, f"{name}() takes quoted ids or names, and optionally shape => 'traces'")
    if not refs:
        raise error_at(func, f"{name}() needs at least one id or name")
    if len(refs) > MAX_OBJECTS:
        raise error_at(func, f"{name}() takes at most {MAX_OBJECTS} objects")
    ids = tuple(dict.fromkeys(_resolve_one(svc, who, kind, name, ref, node) for ref, node in refs))
    compare_id = None
    if compare is not None:
        if shape != "summary":
            raise error_at(compare[1], "compare => needs shape => 'summary' (it matches test cases)")
        compare_id = _resolve_one(svc, who, kind, name, *compare)
    return Source(object_type, ids, shape, compare_id)


def _resolve_one(svc: Services, who: Principal, kind: Any, source: str, ref: str, node: exp.Expr) -> str:
    try:
        return str(get_object(svc, who, kind, ref)["id"])
    except (NotFound, Forbidden):
        pass
    found = svc.store.list_objects(kind, org_id=who.org_id, name=ref)
    if len(found) > 1:
        raise error_at(node, f"{len(found)} {kind}s are named {ref!r}; pass the id instead")
    if found:
        return str(get_object(svc, who, kind, found[0]["id"])["id"])
    raise error_at(node, f"{source}({ref!r}): no such {kind} readable with this API key")

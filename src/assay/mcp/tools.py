"""What the MCP tools do: read-only views of the caller's projects, experiments, queries, summaries
and traces, through the same services (and so the same access checks) as the REST API.

Every function takes the caller (`who`) and raises the services' own errors, so a tool answers
exactly what the matching API route would: an object the key may not read is refused the same way.
Objects can be named by id or by name, as an assistant naturally refers to them.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote, urlencode

from pydantic import BaseModel, Field

from assay.model.errors import InvalidInput, NotFound
from assay.services import catalog, experiment_list, summaries
from assay.services.auth import Principal
from assay.services.context import Services
from assay.services.queries import run_query

MAX_TRACE_SPANS = 1000
RowSource = Literal["experiment", "dataset", "project_logs"]


class Project(BaseModel):
    id: str
    name: str
    description: str | None = None
    created: str | None = None
    url: str = Field(description="The project's page in the web app")


class Experiment(BaseModel):
    id: str
    name: str
    created: str | None = None
    project_id: str
    base_exp_id: str | None = None
    dataset_name: str | None = None
    metadata: dict[str, Any] | None = None
    row_count: int = Field(description="Traces (test cases) in the experiment")
    scores: dict[str, float] = Field(description="Score name -> mean over traces")
    metrics: dict[str, float] = Field(description="Metric name -> mean over traces")
    permalink: str


class QueryResult(BaseModel):
    rows: list[dict[str, Any]]
    cursor: str | None = Field(None, description="Pass back as `cursor` for the next page; null on the last")
    warnings: list[str] = []


class Span(BaseModel):
    id: str
    span_id: str | None = None
    span_parents: list[str] | None = None
    name: str | None = None
    type: str | None = None
    input: Any = None
    output: Any = None
    expected: Any = None
    error: Any = None
    scores: dict[str, Any] | None = None
    metrics: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    tags: list[str] | None = None


class Trace(BaseModel):
    object_type: RowSource
    object_id: str
    root_span_id: str
    spans: list[Span] = Field(description="Every span of the trace, in start order (the root has no parents)")
    truncated: bool = Field(description=f"True when the trace has more than {MAX_TRACE_SPANS} spans")
    permalink: str | None = Field(None, description="The object's page in the web app, when it has one")
    url: str | None = Field(None, description="The trace's own page in the web app (experiments)")


class Link(BaseModel):
    url: str


def _app_url(base_url: str, *parts: str) -> str:
    return base_url.rstrip("/") + "/app/" + "/".join(quote(p, safe="") for p in parts)


def object_permalink(base_url: str, object_type: str, object_id: str) -> str:
    """The web app's permalink, `/app/object?object_type=…&object_id=…` (it survives renames)."""
    query = urlencode({"object_type": object_type, "object_id": object_id})
    return f"{base_url.rstrip('/')}/app/object?{query}"


def find_project(svc: Services, who: Principal, ref: str) -> dict[str, Any]:
    """A project by id, else by name, among the caller's."""
    if svc.store.get_object("project", ref) is not None:
        return catalog.project_of(svc, who, ref)
    found = svc.store.list_objects("project", org_id=who.org_id, name=ref)
    if not found:
        raise NotFound(f"project {ref!r} not found")
    return found[0]


def find_experiment(svc: Services, who: Principal, ref: str, project: str | None = None) -> dict[str, Any]:
    """An experiment by id, else by name (within `project` when given, else in any of the caller's)."""
    if svc.store.get_object("experiment", ref) is not None:
        return catalog.get_object(svc, who, "experiment", ref)
    if project is not None:
        projects = [find_project(svc, who, project)]
    else:
        projects = svc.store.list_objects("project", org_id=who.org_id)
    found = [e for p in projects for e in svc.store.list_objects("experiment", project_id=p["id"], name=ref)]
    if not found:
        raise NotFound(f"experiment {ref!r} not found")
    if len(found) > 1:
        names = ", ".join(sorted(p["name"] for p in projects if p["id"] in {e["project_id"] for e in found}))
        raise InvalidInput(f"several experiments are called {ref!r} (in projects {names}): pass the project")
    return found[0]


def list_projects(svc: Services, who: Principal, base_url: str) -> list[Project]:
    return [
        Project(
            id=p["id"],
            name=p["name"],
            description=p.get("description"),
            created=p.get("created"),
            url=_app_url(base_url, who.org_name, "p", p["name"]),
        )
        for p in svc.store.list_objects("project", org_id=who.org_id)
    ]


def list_experiments(
    svc: Services, who: Principal, project: str, limit: int, base_url: str
) -> list[Experiment]:
    found = experiment_list.list_experiments(svc, who, find_project(svc, who, project)["id"])["objects"]
    return [
        Experiment(**e, permalink=object_permalink(base_url, "experiment", e["id"]))
        for e in found[: max(limit, 0)]
    ]


def run_sql(svc: Services, who: Principal, query: str, limit: int | None, cursor: str | None) -> QueryResult:
    """The `/btql` query layer: same dialect, sources, access checks, limits and time limit."""
    result = run_query(svc, who, query, limit=limit, cursor=cursor)
    return QueryResult(rows=result.rows, cursor=result.cursor, warnings=result.warnings)


def summarize_experiment(
    svc: Services,
    who: Principal,
    experiment: str,
    project: str | None,
    comparison: str | None,
    base_url: str,
) -> dict[str, Any]:
    """The summarize route's answer, plus ids and permalinks of the experiment and its comparison."""
    exp = find_experiment(svc, who, experiment, project)
    base = find_experiment(svc, who, comparison, project) if comparison else None
    out = summaries.summarize_experiment(
        svc, who, exp["id"], base_url=base_url, comparison_experiment_id=base["id"] if base else None
    )
    out["experiment_id"] = exp["id"]
    out["permalink"] = object_permalink(base_url, "experiment", exp["id"])
    used = base or summaries.comparison_for(svc, who, exp, None)
    out["comparison_experiment_id"] = used["id"] if used else None
    out["comparison_permalink"] = object_permalink(base_url, "experiment", used["id"]) if used else None
    return out


def _eq(field: str, value: str) -> dict[str, Any]:
    return {"op": "eq", "left": {"op": "ident", "name": [field]}, "right": {"op": "literal", "value": value}}


def _spans_where(
    svc: Services, who: Principal, source: RowSource, object_id: str, field: str, value: str
) -> Any:
    """Rows of one object matching `field = value`, through the query layer (a syntax tree, no text)."""
    query = {
        "from": {
            "op": "function",
            "name": {"op": "ident", "name": [source]},
            "args": [{"op": "literal", "value": object_id}],
        },
        "filter": _eq(field, value),
        "limit": MAX_TRACE_SPANS + 1,
    }
    return run_query(svc, who, query).rows


def _span(row: dict[str, Any]) -> Span:
    attrs = row.get("span_attributes") or {}
    return Span(
        **{k: row.get(k) for k in Span.model_fields if k in row},
        name=attrs.get("name"),
        type=attrs.get("type"),
    )


def get_trace(
    svc: Services, who: Principal, object_type: RowSource, object_id: str, trace_id: str, base_url: str
) -> Trace:
    """A whole trace, named by its `root_span_id` or by the id of any of its rows. The object is
    checked first as the fetch routes check it, so an unreadable one is not found."""
    owner = catalog.rows_owner(svc, who, object_type, object_id)
    rows = _spans_where(svc, who, object_type, object_id, "root_span_id", trace_id)
    if not rows:
        one = _spans_where(svc, who, object_type, object_id, "id", trace_id)
        if one and one[0].get("root_span_id"):
            rows = _spans_where(svc, who, object_type, object_id, "root_span_id", one[0]["root_span_id"])
    if not rows:
        raise NotFound(f"trace {trace_id!r} not found in {object_type} {object_id!r}")
    rows.sort(key=lambda r: ((r.get("metrics") or {}).get("start") or float("inf"), r["id"]))
    spans = [_span(r) for r in rows[:MAX_TRACE_SPANS]]
    root = str(rows[0].get("root_span_id"))
    link = object_permalink(base_url, object_type, object_id) if object_type != "project_logs" else None
    page = None
    if object_type == "experiment":
        project = catalog.project_of(svc, who, owner["project_id"])
        page = _app_url(
            base_url, who.org_name, "p", project["name"], "experiments", owner["name"], "trace", root
        )
    return Trace(
        object_type=object_type,
        object_id=object_id,
        root_span_id=root,
        spans=spans,
        truncated=len(rows) > MAX_TRACE_SPANS,
        permalink=link,
        url=page,
    )


def permalink(
    svc: Services,
    who: Principal,
    object_type: Literal["experiment", "dataset", "project"],
    ref: str,
    base_url: str,
) -> Link:
    """A link to an object's page in the web app (checked: the caller must be able to read it)."""
    if object_type == "project":
        project = find_project(svc, who, ref)
        return Link(url=_app_url(base_url, who.org_name, "p", project["name"]))
    if object_type == "experiment":
        doc = find_experiment(svc, who, ref)
    else:
        doc = catalog.get_object(svc, who, "dataset", ref)
    return Link(url=object_permalink(base_url, object_type, doc["id"]))

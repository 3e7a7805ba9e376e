"""Scorers, classifiers and facets as project objects (`/v1/function`, the reference's shapes).

A function lives in a project and is decided on it: reading one needs read on the project,
creating, changing or deleting one needs update on it. Names are unique in a project (a
scorer's name is the score's name), and so are slugs. Every definition is checked when it is
stored (`assay.services.scorers.resolve.check_definition`), so a job never meets a function it
cannot run; `version` changes exactly when what the function computes changes.

These functions are also the tools the analysis assistant calls; each takes typed arguments and
returns the stored document.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from assay.model.errors import Conflict, NotFound
from assay.model.functions import BuiltinScorer, CreateFunction, PatchFunction
from assay.model.objects import ObjectKind, utcnow
from assay.services.auth import Action, Principal, Resource, require
from assay.services.catalog import Page, project_of
from assay.services.context import Services
from assay.services.llm import LLM
from assay.services.scorers.builtin import BUILTINS
from assay.services.scorers.facets import BUILTIN_FACETS
from assay.services.scorers.resolve import check_definition, function_type_of, version_of

KIND: ObjectKind = "function"


def _xact() -> str:
    return f"{time.time_ns():019d}"


def slug_of(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name.strip()).strip("-._").lower()
    return slug or "function"


def get_function(svc: Services, who: Principal, function_id: str, action: Action = "read") -> dict[str, Any]:
    """The function, if `who` may `action` its project (404 when it may not read it)."""
    found = svc.store.locate(KIND, function_id) if isinstance(function_id, str) else None
    if found is None or found.doc.get("deleted_at"):
        raise NotFound(f"function {function_id!r} not found")
    doc = found.doc
    resource = Resource("project", doc["project_id"], found.org_id, doc["project_id"])
    require(svc.policy, who, action, resource, f"function {function_id!r}")
    return doc


def _project_resource(project: dict[str, Any]) -> Resource:
    return Resource("project", project["id"], project["org_id"], project["id"])


def list_functions(
    svc: Services,
    who: Principal,
    *,
    project_id: str | None = None,
    project_name: str | None = None,
    function_name: str | None = None,
    slug: str | None = None,
    function_type: str | None = None,
    ids: list[str] | None = None,
    page: Page = Page(),
) -> list[dict[str, Any]]:
    """Functions of the caller's organization (of one project when named), newest first."""
    project_ids: list[str]
    if project_id or project_name:
        if project_id:
            project_ids = [project_of(svc, who, project_id)["id"]]
        else:
            # As the reference: a project by that name that is not there (or not readable, which
            # looks the same) holds no functions, and the SDKs raise their ordinary "not found".
            found = svc.store.list_objects("project", org_id=who.org_id, name=project_name)
            readable = [p for p in found if svc.policy.can(who, "read", _project_resource(p))]
            if not readable:
                return []
            project_ids = [readable[0]["id"]]
        docs = [
            d for p in project_ids for d in svc.store.list_objects(KIND, project_id=p, name=function_name)
        ]
    else:
        docs = svc.store.list_objects(KIND, org_id=who.org_id, name=function_name)
        readable_ids = {
            p["id"]
            for p in svc.store.list_objects("project", org_id=who.org_id)
            if svc.policy.can(who, "read", _project_resource(p))
        }
        docs = [d for d in docs if d["project_id"] in readable_ids]
    if slug is not None:
        docs = [d for d in docs if d.get("slug") == slug]
    if function_type is not None:
        docs = [d for d in docs if d.get("function_type") == function_type]
    if ids is not None:
        docs = [d for d in docs if d["id"] in ids]
    return page.of(docs)


def _with_slug(svc: Services, project_id: str, slug: str) -> dict[str, Any] | None:
    for doc in svc.store.list_objects(KIND, project_id=project_id):
        if doc.get("slug") == slug:
            return doc
    return None


def _document(svc: Services, project: dict[str, Any], body: CreateFunction) -> dict[str, Any]:
    kind = function_type_of(body.function_type)
    data, prompt_data = check_definition(svc, kind, body.function_data, body.prompt_data)
    doc: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "_xact_id": _xact(),
        "project_id": project["id"],
        "log_id": "p",
        "org_id": project["org_id"],
        "name": body.name,
        "slug": body.slug or slug_of(body.name),
        "description": body.description,
        "created": utcnow().isoformat(),
        "function_type": kind,
        "function_data": data,
        "prompt_data": prompt_data,
        "tags": body.tags,
        "metadata": body.metadata,
        "origin": None,
        "function_schema": None,
    }
    doc["version"] = version_of(doc)
    return doc


def create_function(
    svc: Services, who: Principal, body: CreateFunction, *, replace: bool = False
) -> dict[str, Any]:
    """`POST /v1/function` returns the function with the same slug unchanged if there is one;
    `PUT` (`replace`) replaces it, keeping its id."""
    project = project_of(svc, who, body.project_id, "update")
    doc = _document(svc, project, body)
    existing = _with_slug(svc, project["id"], doc["slug"])
    if existing is not None:
        if not replace:
            return existing
        updated = {**doc, "id": existing["id"], "created": existing["created"]}
        return _store_update(svc, updated)
    stored, created = svc.store.create_object(KIND, doc, if_exists="return")
    if not created:
        raise Conflict(
            f"a function named {body.name!r} already exists in this project (slug {stored.get('slug')!r})"
        )
    return stored


def _store_update(svc: Services, doc: dict[str, Any]) -> dict[str, Any]:
    try:
        return svc.store.update_object(KIND, doc)
    except Conflict:
        raise Conflict(f"a function named {doc['name']!r} already exists in this project") from None


def patch_function(svc: Services, who: Principal, function_id: str, patch: PatchFunction) -> dict[str, Any]:
    doc = get_function(svc, who, function_id, "update")
    changes = patch.model_dump(exclude_unset=True, exclude_none=True)
    updated = {**doc, **changes}
    if "function_data" in changes or "prompt_data" in changes:
        data, prompt_data = check_definition(
            svc, updated["function_type"], updated["function_data"], updated.get("prompt_data")
        )
        updated["function_data"], updated["prompt_data"] = data, prompt_data
    updated["_xact_id"] = _xact()
    updated["version"] = version_of(updated)
    return _store_update(svc, updated)


def delete_function(svc: Services, who: Principal, function_id: str) -> dict[str, Any]:
    doc = get_function(svc, who, function_id, "update")
    return svc.store.update_object(KIND, {**doc, "deleted_at": utcnow().isoformat()})


def builtins(llm: LLM) -> list[BuiltinScorer]:
    """The built-in scorers and facets this server offers, and whether it can run them now."""
    out = [
        BuiltinScorer(
            name=b.name,
            function_type="scorer",
            description=b.description,
            needs_llm=b.needs_llm,
            available=llm.configured or not b.needs_llm,
            args=b.args,
        )
        for b in BUILTINS.values()
    ]
    out += [
        BuiltinScorer(
            name=f.name,
            function_type="facet",
            description=f.description,
            needs_llm=True,
            available=llm.configured,
        )
        for f in BUILTIN_FACETS.values()
    ]
    return out

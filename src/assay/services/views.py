"""Saved table views and default views (the reference's views API; braintrust-features.md §9).

A view hangs off a project (`object_type: "project"`), is visible to everyone who can read the
project, and needs the project's Update permission to create, change or delete. Views are unique
by (project, `view_type`, name): POST returns an existing view of that name unchanged, PUT
replaces it. Built-in views are not stored here and cannot be changed.

Default views: a project default (project Update) and an organization default (Manage settings)
per page (`view_type`); a view is at most one kind of default. The personal default lives in the
browser. The organization default is offered in a project only to callers who can read the view.
"""

from __future__ import annotations

import uuid
from typing import Any

from assay.model.errors import NotFound
from assay.model.merge import deep_merge
from assay.model.objects import utcnow
from assay.model.views import ClearViewDefault, CreateView, PatchView, SetViewDefault, ViewRef
from assay.services.auth import Action, Principal, Resource, require
from assay.services.catalog import Page, project_of
from assay.services.context import Services
from assay.store.records import IfExists


def _key(object_type: str, object_id: str, view_type: str | None, name: str) -> str:
    return f"{object_type}/{object_id}/{view_type or ''}/{name}"


def _project(svc: Services, who: Principal, ref: ViewRef, action: Action) -> dict[str, Any]:
    """The view's project, once the caller may `action` views there (404 if they cannot read it)."""
    project = project_of(svc, who, ref.object_id)
    resource = Resource("view", project["id"], who.org_id, project["id"])
    require(svc.policy, who, action, resource, f"views of project {ref.object_id!r}")
    return project


def list_views(
    svc: Services,
    who: Principal,
    ref: ViewRef,
    *,
    view_type: str | None,
    view_name: str | None,
    ids: list[str] | None,
    page: Page,
) -> list[dict[str, Any]]:
    """The project's views, newest first."""
    project = _project(svc, who, ref, "read")
    found = svc.store.records.list_of("view", who.org_id, project["id"])
    found = [
        v
        for v in found
        if (view_type is None or v.get("view_type") == view_type)
        and (view_name is None or v["name"] == view_name)
        and (not ids or v["id"] in ids)
    ]
    return page.of(found)


def save(svc: Services, who: Principal, body: CreateView, if_exists: IfExists) -> dict[str, Any]:
    """POST (`return`: an existing view of that name unchanged) or PUT (`replace`)."""
    project = _project(svc, who, body, "create")
    doc = {
        "id": str(uuid.uuid4()),
        "object_type": body.object_type,
        "object_id": project["id"],
        "view_type": body.view_type,
        "name": body.name,
        "created": utcnow().isoformat(),
        "view_data": body.view_data.model_dump(exclude_unset=True) if body.view_data else None,
        "options": body.options,
        "user_id": body.user_id or who.user_id,
        "deleted_at": None,
    }
    key = _key(body.object_type, project["id"], body.view_type, body.name)
    return svc.store.records.put("view", who.org_id, project["id"], key, doc, if_exists)[0]


def _view(svc: Services, who: Principal, view_id: str, ref: ViewRef, action: Action) -> dict[str, Any]:
    project = _project(svc, who, ref, action)
    found = svc.store.records.get("view", view_id)
    if found is None or found.org_id != who.org_id or found.doc.get("object_id") != project["id"]:
        raise NotFound(f"view {view_id!r} not found")
    return found.doc


def get_view(svc: Services, who: Principal, view_id: str, ref: ViewRef) -> dict[str, Any]:
    return _view(svc, who, view_id, ref, "read")


def patch_view(svc: Services, who: Principal, view_id: str, body: PatchView) -> dict[str, Any]:
    """Partial update: `view_data` and `options` deep-merge into the stored ones; others replace."""
    doc = _view(svc, who, view_id, body, "update")
    changes: dict[str, Any] = body.model_dump(exclude_unset=True, exclude={"object_type", "object_id"})
    if body.view_data is not None:
        changes["view_data"] = body.view_data.model_dump(exclude_unset=True)
    changes = {k: v for k, v in changes.items() if v is not None}
    updated = deep_merge(dict(doc), changes, merge_paths=set())
    key = _key(updated["object_type"], updated["object_id"], updated.get("view_type"), updated["name"])
    return svc.store.records.update("view", view_id, key, updated)


def delete_view(svc: Services, who: Principal, view_id: str, ref: ViewRef) -> dict[str, Any]:
    doc = _view(svc, who, view_id, ref, "delete")
    svc.store.records.delete("view", view_id)
    return {**doc, "deleted_at": utcnow().isoformat()}


# -- defaults ---------------------------------------------------------------------------------
def _readable_view(svc: Services, who: Principal, view_id: str | None) -> dict[str, Any] | None:
    found = svc.store.records.get("view", view_id) if view_id else None
    if found is None or found.org_id != who.org_id:
        return None
    resource = Resource("view", found.doc["object_id"], who.org_id, found.doc["object_id"])
    return found.doc if svc.policy.can(who, "read", resource) else None


def defaults(svc: Services, who: Principal, ref: ViewRef, view_type: str) -> dict[str, Any]:
    project = _project(svc, who, ref, "read")
    return {
        "project": _readable_view(
            svc, who, svc.store.records.get_default("project", project["id"], view_type)
        ),
        "organization": _readable_view(
            svc, who, svc.store.records.get_default("organization", who.org_id, view_type)
        ),
    }


def _scope(svc: Services, who: Principal, ref: ViewRef, scope: str) -> tuple[dict[str, Any], str]:
    """The project, and where the default is kept, once the caller may set it."""
    if scope == "organization":
        project = _project(svc, who, ref, "read")
        org = Resource("org", who.org_id, who.org_id)
        require(svc.policy, who, "update", org, "the organization's default views")
        return project, who.org_id
    project = _project(svc, who, ref, "update")
    return project, project["id"]


def set_default(svc: Services, who: Principal, body: SetViewDefault) -> dict[str, Any]:
    _, scope_id = _scope(svc, who, body, body.scope)
    view = _view(svc, who, body.view_id, body, "read")
    if view.get("view_type") != body.view_type:
        raise NotFound(f"view {body.view_id!r} is not a {body.view_type!r} view")
    svc.store.records.set_default(who.org_id, body.scope, scope_id, body.view_type, view["id"])
    return defaults(svc, who, body, body.view_type)


def clear_default(svc: Services, who: Principal, body: ClearViewDefault) -> dict[str, Any]:
    _, scope_id = _scope(svc, who, body, body.scope)
    svc.store.records.clear_default(body.scope, scope_id, body.view_type)
    return defaults(svc, who, body, body.view_type)


def permissions(svc: Services, who: Principal, project_id: str) -> list[str]:
    """What the caller may do on a project (404 when they cannot read it)."""
    project = project_of(svc, who, project_id)
    resource = Resource("project", project["id"], who.org_id, project["id"])
    actions: tuple[Action, ...] = ("read", "create", "update", "delete", "manage")
    return [a for a in actions if svc.policy.can(who, a, resource)]

"""Projects, experiments and datasets: creation rules, lookups, listing and patches.

Every lookup is one store lookup (`Store.locate`: the document and its organization) and one
policy decision on the resolved resource, so a handler never touches an object the key may not
see, and an object the key may not read looks exactly like one that does not exist (404).
Deleted objects are not found.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from assay.model.errors import InvalidInput, NotFound
from assay.model.merge import deep_merge
from assay.model.objects import (
    OBJECT_TYPES,
    CatalogKind,
    CreateDataset,
    CreateExperiment,
    CreateProject,
    ObjectKind,
    utcnow,
)
from assay.services import comparison_key
from assay.services.auth import Action, Principal, Resource, ResourceKind, require
from assay.services.context import Services
from assay.store.base import Located


def _now() -> str:
    return utcnow().isoformat()


def _located(svc: Services, kind: ObjectKind, object_id: str) -> Located:
    found = svc.store.locate(kind, object_id) if isinstance(object_id, str) else None
    if found is None or found.doc.get("deleted_at"):
        raise NotFound(f"{kind} {object_id!r} not found")
    return found


def _resource(kind: ResourceKind, found: Located) -> Resource:
    doc = found.doc
    project_id = doc["id"] if kind in ("project", "project_logs") else doc.get("project_id")
    return Resource(kind, doc["id"], found.org_id, project_id)


def readable(
    svc: Services, who: Principal, kind: CatalogKind, docs: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The documents of `kind` (all of the caller's organization) the caller may read."""
    out = []
    for doc in docs:
        project_id = doc["id"] if kind == "project" else doc.get("project_id")
        if svc.policy.can(who, "read", Resource(kind, doc["id"], who.org_id, project_id)):
            out.append(doc)
    return out


def get_object(
    svc: Services, who: Principal, kind: CatalogKind, object_id: str, action: Action = "read"
) -> dict[str, Any]:
    """The object, if `who` may `action` it (else 404 when it may not even read it, else 403)."""
    found = _located(svc, kind, object_id)
    require(svc.policy, who, action, _resource(kind, found), f"{kind} {object_id!r}")
    return found.doc


def rows_owner(
    svc: Services, who: Principal, object_type: str, object_id: str, action: Action = "read"
) -> dict[str, Any]:
    """The catalog object whose rows `object_type` `object_id` names (a project for project
    logs), if `who` may `action` those rows; the decision is on the rows' resource."""
    kind = OBJECT_TYPES[object_type].catalog_kind
    found = _located(svc, kind, object_id)
    what = f"{kind} {object_id!r}"
    require(svc.policy, who, action, _resource(object_type, found), what)  # type: ignore[arg-type]
    return found.doc


def project_of(svc: Services, who: Principal, project_id: str, action: Action = "read") -> dict[str, Any]:
    return get_object(svc, who, "project", project_id, action)


# -- projects -------------------------------------------------------------------------------
def create_project(svc: Services, who: Principal, body: CreateProject) -> dict[str, Any]:
    if body.org_name and body.org_name != who.org_name:
        raise InvalidInput(
            f"unknown organization {body.org_name!r} for this API key (yours: {who.org_name!r})"
        )
    require(svc.policy, who, "create", Resource("org", who.org_id, who.org_id), "organization")
    doc = {
        "id": str(uuid.uuid4()),
        "org_id": who.org_id,
        "name": body.name,
        "description": body.description,
        "created": _now(),
        "deleted_at": None,
        "user_id": who.user_id,
        "settings": None,
    }
    return svc.store.create_object("project", doc, if_exists="return")[0]


def find_project(
    svc: Services, who: Principal, *, project_id: str | None, project_name: str | None
) -> str | None:
    """Resolve an optional project filter to an id (None: no filter); unknown names give 404."""
    if project_id:
        return project_of(svc, who, project_id)["id"]
    if project_name:
        found = readable(
            svc, who, "project", svc.store.list_objects("project", org_id=who.org_id, name=project_name)
        )
        if not found:
            raise NotFound(f"project {project_name!r} not found")
        return str(found[0]["id"])
    return None


# -- experiments ----------------------------------------------------------------------------
def generated_name() -> str:
    return "experiment-" + datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def create_experiment(svc: Services, who: Principal, body: CreateExperiment) -> dict[str, Any]:
    project = project_of(svc, who, body.project_id, "create")
    for field, kind in (("base_exp_id", "experiment"), ("dataset_id", "dataset")):
        ref = getattr(body, field)
        if ref:
            get_object(svc, who, kind, ref)  # type: ignore[arg-type]
    base = body.base_exp_id
    if base is None:
        previous = svc.store.list_objects("experiment", project_id=project["id"])
        base = previous[0]["id"] if previous else None
    doc = {
        "id": str(uuid.uuid4()),
        "project_id": project["id"],
        "name": body.name or generated_name(),
        "description": body.description,
        "created": _now(),
        "repo_info": body.repo_info,
        "commit": (body.repo_info or {}).get("commit"),
        "base_exp_id": base,
        "deleted_at": None,
        "dataset_id": body.dataset_id,
        "dataset_version": None if body.dataset_version is None else str(body.dataset_version),
        "parameters_id": body.parameters_id,
        "parameters_version": None if body.parameters_version is None else str(body.parameters_version),
        "public": body.public,
        "user_id": who.user_id,
        "metadata": body.metadata,
        "tags": body.tags,
    }
    if_exists = "rename" if body.ensure_new or body.name is None else "return"
    return svc.store.create_object("experiment", doc, if_exists=if_exists)[0]


def previous_experiment(svc: Services, exp: dict[str, Any]) -> dict[str, Any] | None:
    """The most recent experiment of the same project created before `exp`."""
    for other in svc.store.list_objects("experiment", project_id=exp["project_id"]):
        if other["id"] != exp["id"] and (other["created"], other["id"]) < (exp["created"], exp["id"]):
            return other
    return None


def matches_metadata(doc: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Containment: every key of `wanted` is in the object's metadata with an equal (or contained) value."""

    def contains(have: Any, want: Any) -> bool:
        if isinstance(want, dict):
            return isinstance(have, dict) and all(k in have and contains(have[k], v) for k, v in want.items())
        return bool(have == want)

    return contains(doc.get("metadata") or {}, wanted)


# -- listing --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Page:
    """The reference API's object-id cursors, declared once for every list: at most `limit`
    objects (0: none) of a newest-first list, after the object `starting_after` or before the
    object `ending_before`."""

    limit: int | None = None
    starting_after: str | None = None
    ending_before: str | None = None

    def of(self, objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.starting_after and self.ending_before:
            raise InvalidInput("pass at most one of starting_after and ending_before")
        if self.limit is not None and self.limit < 0:
            raise InvalidInput("limit must be zero or a positive integer")
        if self.limit == 0:
            return []
        ids = [o["id"] for o in objects]
        for cursor in (self.starting_after, self.ending_before):
            if cursor and cursor not in ids:
                raise InvalidInput(f"unknown cursor object id {cursor!r}")
        if self.starting_after:
            objects = objects[ids.index(self.starting_after) + 1 :]
        if self.ending_before:
            objects = objects[: ids.index(self.ending_before)]
            return objects[-self.limit :] if self.limit else objects
        return objects[: self.limit] if self.limit else objects


def patch_object(
    svc: Services, who: Principal, kind: CatalogKind, object_id: str, patch: dict[str, Any]
) -> dict[str, Any]:
    """Partial update: object fields deep-merge, others replace; null values are ignored."""
    doc = get_object(svc, who, kind, object_id, "update")
    changes = {k: v for k, v in patch.items() if v is not None}
    if kind == "project" and isinstance(changes.get("settings"), dict):
        key = changes["settings"].get("comparison_key")
        if isinstance(key, str) and key.strip():
            changes["settings"]["comparison_key"] = comparison_key.check(key, svc.store.dialect)
    if kind == "experiment":
        for field, ref_kind in (("base_exp_id", "experiment"), ("dataset_id", "dataset")):
            if changes.get(field):
                get_object(svc, who, ref_kind, changes[field])  # type: ignore[arg-type]
        for field in ("dataset_version", "parameters_version"):
            if field in changes:
                changes[field] = str(changes[field])
    updated = deep_merge(dict(doc), changes, merge_paths={("tags",)})
    return svc.store.update_object(kind, updated)


def delete_object(svc: Services, who: Principal, kind: CatalogKind, object_id: str) -> dict[str, Any]:
    doc = get_object(svc, who, kind, object_id, "delete")
    return svc.store.update_object(kind, {**doc, "deleted_at": _now()})


def create_dataset(svc: Services, who: Principal, body: CreateDataset) -> dict[str, Any]:
    project = project_of(svc, who, body.project_id, "create")
    doc = {
        "id": str(uuid.uuid4()),
        "project_id": project["id"],
        "name": body.name,
        "description": body.description,
        "created": _now(),
        "deleted_at": None,
        "user_id": who.user_id,
        "metadata": body.metadata,
        "tags": None,
        "url_slug": body.name,
    }
    return svc.store.create_object("dataset", doc, if_exists="return")[0]

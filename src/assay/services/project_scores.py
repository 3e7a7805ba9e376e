"""Project scores as project objects (`/v1/project_score`, the reference's routes and shapes).

A project score lives in a project and is decided on it: reading one needs read on the project,
creating, changing or deleting one needs update on it. Names are unique in a project, and an
aggregate may not take the name of one of its own components. The formula each type computes,
and how a missing component is treated, is `assay.model.project_scores`'s docstring.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

from assay.model.errors import Conflict, InvalidInput, NotFound
from assay.model.objects import ObjectKind, utcnow
from assay.model.project_scores import (
    AGGREGATE_TYPES,
    MAX_COMPONENTS,
    OTHER_SCORE_TYPES,
    CreateProjectScore,
    PatchProjectScore,
)
from assay.services.auth import Action, Principal, Resource, require
from assay.services.catalog import paginate, project_of
from assay.services.context import Services

KIND: ObjectKind = "project_score"
# Weights are relative; bounded so that their sum (the formula's divisor) stays finite.
MAX_WEIGHT = 1_000_000


def _project_resource(project: dict[str, Any]) -> Resource:
    return Resource("project", project["id"], project["org_id"], project["id"])


def check_aggregate(name: str, score_type: str, categories: Any) -> dict[str, float] | list[str]:
    """The aggregate's components if they are well formed, else a precise InvalidInput."""
    if score_type in OTHER_SCORE_TYPES:
        raise InvalidInput(
            f"score_type {score_type!r} is a human-review or online score, which Assay does not keep yet; "
            f"project scores are aggregates: {', '.join(AGGREGATE_TYPES)}"
        )
    if score_type not in AGGREGATE_TYPES:
        raise InvalidInput(f"score_type must be one of {', '.join(AGGREGATE_TYPES)}, got {score_type!r}")
    names: list[str]
    result: dict[str, float] | list[str]
    if score_type == "weighted":
        if not isinstance(categories, dict) or not categories:
            raise InvalidInput('a weighted score needs categories {"<score name>": weight, ...}')
        weights: dict[str, float] = {}
        for key, weight in categories.items():
            if (
                isinstance(weight, bool)
                or not isinstance(weight, int | float)
                or not math.isfinite(weight)
                or not 0 < weight <= MAX_WEIGHT
            ):
                raise InvalidInput(
                    f"the weight of {key!r} must be a positive number up to {MAX_WEIGHT:,}, got {weight!r}"
                )
            weights[str(key)] = float(weight)
        names, result = list(weights), weights
    else:
        if (
            not isinstance(categories, list)
            or not categories
            or not all(isinstance(c, str) for c in categories)
        ):
            raise InvalidInput(f'a {score_type} score needs categories ["<score name>", ...]')
        names = list(dict.fromkeys(categories))
        result = names
    if len(names) > MAX_COMPONENTS:
        raise InvalidInput(f"an aggregate combines at most {MAX_COMPONENTS} scores, got {len(names)}")
    if any(not 0 < len(n) <= 200 for n in names):
        raise InvalidInput("score names are 1 to 200 characters")
    if name in names:
        raise InvalidInput(f"the aggregate {name!r} cannot be one of its own components")
    return result


def get_project_score(
    svc: Services, who: Principal, score_id: str, action: Action = "read"
) -> dict[str, Any]:
    """The project score, if `who` may `action` its project (404 when it may not read it)."""
    found = svc.store.locate(KIND, score_id)
    if found is None or found.doc.get("deleted_at"):
        raise NotFound(f"project_score {score_id!r} not found")
    doc = found.doc
    resource = Resource("project", doc["project_id"], found.org_id, doc["project_id"])
    require(svc.policy, who, action, resource, f"project_score {score_id!r}")
    return doc


def list_project_scores(
    svc: Services,
    who: Principal,
    *,
    project_id: str | None = None,
    project_name: str | None = None,
    name: str | None = None,
    score_type: str | None = None,
    ids: list[str] | None = None,
    limit: int | None = None,
    starting_after: str | None = None,
    ending_before: str | None = None,
) -> list[dict[str, Any]]:
    """Project scores of the caller's organization (of one project when named), newest first."""
    if project_id:
        docs = svc.store.list_objects(KIND, project_id=project_of(svc, who, project_id)["id"], name=name)
    else:
        projects = svc.store.list_objects("project", org_id=who.org_id, name=project_name)
        readable = {p["id"] for p in projects if svc.policy.can(who, "read", _project_resource(p))}
        docs = [
            d
            for d in svc.store.list_objects(KIND, org_id=who.org_id, name=name)
            if d["project_id"] in readable
        ]
    if score_type is not None:
        docs = [d for d in docs if d.get("score_type") == score_type]
    if ids is not None:
        docs = [d for d in docs if d["id"] in ids]
    return paginate(docs, limit=limit, starting_after=starting_after, ending_before=ending_before)


def aggregates_of(svc: Services, project_id: str) -> list[dict[str, Any]]:
    """The project's aggregate scores, oldest first (the order their columns take)."""
    return list(reversed(svc.store.list_objects(KIND, project_id=project_id)))


def _by_name(svc: Services, project_id: str, name: str) -> dict[str, Any] | None:
    found = svc.store.list_objects(KIND, project_id=project_id, name=name)
    return found[0] if found else None


def create_project_score(
    svc: Services, who: Principal, body: CreateProjectScore, *, replace: bool = False
) -> dict[str, Any]:
    """`POST` returns the project score with the same name unchanged if there is one; `PUT`
    (`replace`) replaces it, keeping its id."""
    project = project_of(svc, who, body.project_id, "update")
    categories = check_aggregate(body.name, body.score_type, body.categories)
    existing = _by_name(svc, project["id"], body.name)
    if existing is not None and not replace:
        return existing
    doc: dict[str, Any] = {
        "id": existing["id"] if existing else str(uuid.uuid4()),
        "project_id": project["id"],
        "user_id": getattr(who, "user_id", None),  # API keys of users (issue 10) name one
        "created": existing["created"] if existing else utcnow().isoformat(),
        "name": body.name,
        "description": body.description,
        "score_type": body.score_type,
        "categories": categories,
        "config": body.config,
        "position": None,
    }
    if existing is not None:
        return svc.store.update_object(KIND, doc)
    stored, _ = svc.store.create_object(KIND, doc, if_exists="return")  # a concurrent twin: theirs
    return stored


def patch_project_score(
    svc: Services, who: Principal, score_id: str, patch: PatchProjectScore
) -> dict[str, Any]:
    doc = get_project_score(svc, who, score_id, "update")
    changes = patch.model_dump(exclude_unset=True, exclude_none=True)
    updated = {**doc, **changes}
    updated["categories"] = check_aggregate(updated["name"], updated["score_type"], updated["categories"])
    try:
        return svc.store.update_object(KIND, updated)
    except Conflict:
        raise Conflict(f"a project score named {updated['name']!r} already exists in this project") from None


def delete_project_score(svc: Services, who: Principal, score_id: str) -> dict[str, Any]:
    doc = get_project_score(svc, who, score_id, "update")
    return svc.store.update_object(KIND, {**doc, "deleted_at": utcnow().isoformat()})

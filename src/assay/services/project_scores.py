"""Project scores as project objects (`/v1/project_score`, the reference's routes and shapes).

A project score lives in a project and is decided on it: reading one needs read on the project,
creating, changing or deleting one needs update on it. Names are unique in a project, and an
aggregate may not take the name of one of its own components. The formula each aggregate
computes, how a missing component is treated, and what each human-review type takes, are
`assay.model.project_scores`'s docstring.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

from assay.model.errors import Conflict, InvalidInput, NotFound
from assay.model.objects import ObjectKind, utcnow
from assay.model.project_scores import (
    AGGREGATE_TYPES,
    HUMAN_TYPES,
    MAX_COMPONENTS,
    MAX_OPTIONS,
    OTHER_SCORE_TYPES,
    SCORE_TYPES,
    CreateProjectScore,
    PatchProjectScore,
)
from assay.services.auth import Action, Principal, Resource, require
from assay.services.catalog import Page, project_of
from assay.services.context import Services

KIND: ObjectKind = "project_score"
# Weights are relative; bounded so that their sum (the formula's divisor) stays finite.
MAX_WEIGHT = 1_000_000


def _project_resource(project: dict[str, Any]) -> Resource:
    return Resource("project", project["id"], project["org_id"], project["id"])


def _check_human(
    score_type: str, categories: Any, config: dict[str, Any] | None
) -> tuple[list[dict[str, Any]] | None, dict[str, Any] | None]:
    """A review score's options and settings if they are well formed, else a precise InvalidInput."""
    config = dict(config or {})
    destination = config.get("destination")
    if destination is not None and not isinstance(destination, str):
        raise InvalidInput(f"config.destination must be text, got {destination!r}")
    multi = config.get("multi_select")
    if multi is not None and not isinstance(multi, bool):
        raise InvalidInput(f"config.multi_select must be true or false, got {multi!r}")
    if score_type != "categorical":
        if categories not in (None, [], {}):
            raise InvalidInput(
                f"a {score_type} score has no categories (only categorical scores have options)"
            )
        if multi:
            raise InvalidInput("config.multi_select applies to categorical scores only")
        if score_type == "slider" and destination is not None:
            raise InvalidInput("a slider score is always written to scores (config.destination is not taken)")
        if score_type == "free-form" and destination is not None:
            parts = destination.removeprefix("metadata.").split(".")
            if not all(0 < len(p) <= 200 for p in parts) or len(parts) > 10:
                raise InvalidInput(
                    f"config.destination of a free-form score is a dotted path in metadata "
                    f"(1 to 10 non-empty parts), got {destination!r}"
                )
            if parts[0].startswith("~__bt"):
                raise InvalidInput(f"config.destination {destination!r} is reserved for review state")
            config["destination"] = ".".join(parts)
        return None, config or None
    if destination not in (None, "expected"):
        raise InvalidInput(
            f'config.destination of a categorical score is "expected" or absent, got {destination!r}'
        )
    if not isinstance(categories, list) or not categories:
        raise InvalidInput('a categorical score needs categories [{"name": "<option>", "value": 0..1}, ...]')
    if len(categories) > MAX_OPTIONS:
        raise InvalidInput(f"a categorical score has at most {MAX_OPTIONS} options, got {len(categories)}")
    options: list[dict[str, Any]] = []
    for index, option in enumerate(categories):
        if not isinstance(option, dict) or not isinstance(option.get("name"), str):
            raise InvalidInput(f'categories[{index}] must be {{"name": "<option>", "value": 0..1}}')
        value = option.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise InvalidInput(f"categories[{index}].value must be a number from 0 to 1, got {value!r}")
        if not 0 < len(option["name"]) <= 200:
            raise InvalidInput(f"categories[{index}].name is 1 to 200 characters")
        if any(o["name"] == option["name"] for o in options):
            raise InvalidInput(f"two options are named {option['name']!r}")
        options.append({"name": option["name"], "value": float(value)})
    return options, config or None


def check_definition(
    name: str, score_type: str, categories: Any, config: dict[str, Any] | None = None
) -> tuple[dict[str, float] | list[str] | list[dict[str, Any]] | None, dict[str, Any] | None]:
    """The score's categories and config as stored, if well formed, else a precise InvalidInput."""
    if score_type in OTHER_SCORE_TYPES:
        raise InvalidInput(
            f"score_type {score_type!r} (online scoring rules) is not kept by Assay; "
            f"project scores are {', '.join(SCORE_TYPES)}"
        )
    if score_type not in SCORE_TYPES:
        raise InvalidInput(f"score_type must be one of {', '.join(SCORE_TYPES)}, got {score_type!r}")
    if score_type in HUMAN_TYPES:
        return _check_human(score_type, categories, config)
    return check_aggregate(name, score_type, categories), config


def check_aggregate(name: str, score_type: str, categories: Any) -> dict[str, float] | list[str]:
    """The aggregate's components if they are well formed, else a precise InvalidInput."""
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
    page: Page = Page(),
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
    return page.of(docs)


def aggregates_of(svc: Services, project_id: str) -> list[dict[str, Any]]:
    """The project's aggregate scores, oldest first (the order their columns take)."""
    found = reversed(svc.store.list_objects(KIND, project_id=project_id))
    return [d for d in found if d.get("score_type") in AGGREGATE_TYPES]


def review_scores_of(svc: Services, project_id: str) -> list[dict[str, Any]]:
    """The project's human-review scores, oldest first (the order the scores panel shows)."""
    found = reversed(svc.store.list_objects(KIND, project_id=project_id))
    return [d for d in found if d.get("score_type") in HUMAN_TYPES]


def _by_name(svc: Services, project_id: str, name: str) -> dict[str, Any] | None:
    found = svc.store.list_objects(KIND, project_id=project_id, name=name)
    return found[0] if found else None


def create_project_score(
    svc: Services, who: Principal, body: CreateProjectScore, *, replace: bool = False
) -> dict[str, Any]:
    """`POST` returns the project score with the same name unchanged if there is one; `PUT`
    (`replace`) replaces it, keeping its id."""
    project = project_of(svc, who, body.project_id, "update")
    categories, config = check_definition(body.name, body.score_type, body.categories, body.config)
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
        "config": config,
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
    if "score_type" in changes and changes["score_type"] != doc["score_type"] and "categories" not in changes:
        updated["categories"] = None  # another type's options or components do not carry over
    updated["categories"], updated["config"] = check_definition(
        updated["name"], updated["score_type"], updated["categories"], updated.get("config")
    )
    try:
        return svc.store.update_object(KIND, updated)
    except Conflict:
        raise Conflict(f"a project score named {updated['name']!r} already exists in this project") from None


def delete_project_score(svc: Services, who: Principal, score_id: str) -> dict[str, Any]:
    doc = get_project_score(svc, who, score_id, "update")
    return svc.store.update_object(KIND, {**doc, "deleted_at": utcnow().isoformat()})

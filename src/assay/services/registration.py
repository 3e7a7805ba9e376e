"""Registration as the TypeScript SDK does it: one call that names a project and an object.

The semantics are those of `/v1/project` + `/v1/experiment` (or `/v1/dataset`) in one step, and
they reuse the catalog's rules (`services/catalog.py`): projects are created by name when
missing; without `update` an experiment is always new (renamed on a clash, named when no name is
given); with `update` the existing one is returned. The base experiment is the one named, else
the newest experiment run on the nearest of the caller's `ancestor_commits`, else the previous
experiment of the project.
"""

from __future__ import annotations

from typing import Any

from assay.model.errors import Forbidden, InvalidInput, NotFound
from assay.model.objects import CreateDataset, CreateExperiment, CreateProject
from assay.model.ts_sdk import (
    GetExperiments,
    ObjectInfoRequest,
    ProjectRef,
    RegisterDataset,
    RegisterExperiment,
)
from assay.services import catalog
from assay.services.auth import Principal
from assay.services.context import Services


def _check_org(who: Principal, ref: ProjectRef) -> None:
    if ref.org_id and ref.org_id != who.org_id:
        raise InvalidInput(f"unknown organization id {ref.org_id!r} for this API key")
    if ref.org_name and ref.org_name != who.org_name:
        raise InvalidInput(f"unknown organization {ref.org_name!r} for this API key")


def resolve_project(svc: Services, who: Principal, ref: ProjectRef, *, create: bool) -> dict[str, Any] | None:
    """The project named by `ref`: by id (404 when unknown), else by name (created if `create`)."""
    _check_org(who, ref)
    if ref.project_id:
        return catalog.project_of(svc, who, ref.project_id, "create" if create else "read")
    if not ref.project_name:
        raise InvalidInput("name the project: send project_name or project_id")
    if create:
        return catalog.create_project(svc, who, CreateProject(name=ref.project_name))
    named = svc.store.list_objects("project", org_id=who.org_id, name=ref.project_name)
    found = catalog.readable(svc, who, "project", named)  # one the caller may not read is not there
    return found[0] if found else None


def register_project(svc: Services, who: Principal, name: str, org_id: str | None) -> dict[str, Any]:
    project = resolve_project(svc, who, ProjectRef(project_name=name, org_id=org_id), create=True)
    assert project is not None
    return {"project": project}


def _base_by_commits(svc: Services, project_id: str, commits: list[str]) -> str | None:
    """The newest experiment recorded at the nearest ancestor commit that has one."""
    by_commit: dict[str, str] = {}
    for exp in svc.store.list_objects("experiment", project_id=project_id):  # newest first
        commit = exp.get("commit")
        if commit and commit not in by_commit:
            by_commit[commit] = exp["id"]
    return next((by_commit[c] for c in commits if c in by_commit), None)


def _base_id(svc: Services, project: dict[str, Any] | None, body: RegisterExperiment) -> str | None:
    if body.base_exp_id:
        return body.base_exp_id
    if body.base_experiment:
        named = project and svc.store.list_objects(
            "experiment", project_id=project["id"], name=body.base_experiment
        )
        if not named:
            # The SDK drops the field and registers again when the message names the base experiment.
            where = repr(project["name"]) if project else "a new project"
            raise InvalidInput(f"base experiment {body.base_experiment!r} not found in {where}")
        return str(named[0]["id"])
    if body.ancestor_commits and project:
        return _base_by_commits(svc, project["id"], body.ancestor_commits)
    return None


def register_experiment(svc: Services, who: Principal, body: RegisterExperiment) -> dict[str, Any]:
    # Everything that can be refused is checked before the project is created: no partial write.
    for ref, kind in ((body.base_exp_id, "experiment"), (body.dataset_id, "dataset")):
        if ref:
            catalog.get_object(svc, who, kind, ref)  # type: ignore[arg-type]
    project = resolve_project(svc, who, body, create=False)
    base = _base_id(svc, project, body)
    if project is None:
        project = resolve_project(svc, who, body, create=True)
        assert project is not None
    if body.update and body.experiment_name:
        existing = svc.store.list_objects("experiment", project_id=project["id"], name=body.experiment_name)
        if existing:
            return {"project": project, "experiment": existing[0]}
    create = CreateExperiment(
        project_id=project["id"],
        name=body.experiment_name,
        description=body.description,
        base_exp_id=base,
        dataset_id=body.dataset_id,
        dataset_version=body.dataset_version,
        ensure_new=True,
        public=body.public,
        metadata=body.metadata,
        tags=body.tags,
        repo_info=body.repo_info,
    )
    return {"project": project, "experiment": catalog.create_experiment(svc, who, create)}


def get_experiments(svc: Services, who: Principal, body: GetExperiments) -> list[dict[str, Any]]:
    """Experiments of the project with that name (all of them without a name); [] when none."""
    project = resolve_project(svc, who, body, create=False)
    if project is None:
        return []
    return svc.store.list_objects("experiment", project_id=project["id"], name=body.experiment_name)


def register_dataset(svc: Services, who: Principal, body: RegisterDataset) -> dict[str, Any]:
    project = resolve_project(svc, who, body, create=True)
    assert project is not None
    create = CreateDataset(
        project_id=project["id"], name=body.dataset_name, description=body.description, metadata=body.metadata
    )
    return {"project": project, "dataset": catalog.create_dataset(svc, who, create)}


def object_info(svc: Services, who: Principal, body: ObjectInfoRequest) -> list[dict[str, Any]]:
    """Name and parent project of each readable object; unknown or foreign ids are left out."""
    out = []
    for object_id in dict.fromkeys(body.object_ids):
        try:
            doc = catalog.get_object(svc, who, body.object_type, object_id)
        except (NotFound, Forbidden):  # a foreign object is indistinguishable from an unknown one
            continue
        project = doc if body.object_type == "project" else catalog.project_of(svc, who, doc["project_id"])
        parent = (
            {}
            if body.object_type == "project"
            else {"project": {"id": project["id"], "name": project["name"]}}
        )
        out.append({"object_id": doc["id"], "object_name": doc["name"], "parent_cols": parent})
    return out

"""Whether the demo project is loaded, and removing it for `assay demo --reset`.

Removing marks the project, its experiments and its datasets deleted (as `DELETE /v1/project`
does for the project), which frees the name `demo` for a fresh load; nothing else in the
database is touched, so a data directory that also holds real work keeps it.
"""

from __future__ import annotations

from typing import Any

from assay.demo.evaluation import PROJECT
from assay.demo.variants import VARIANTS
from assay.model.objects import utcnow
from assay.store.base import Store


def _project(store: Store, org_name: str) -> dict[str, Any] | None:
    org = store.ensure_org(org_name)
    found = store.list_objects("project", org_id=org.id, name=PROJECT)
    return found[0] if found else None


def loaded(store: Store, org_name: str) -> bool:
    """True when every experiment of the demo is there (a run that was cut short loads again)."""
    project = _project(store, org_name)
    if project is None:
        return False
    names = {e["name"] for e in store.list_objects("experiment", project_id=project["id"])}
    return names >= {v.name for v in VARIANTS}


def remove(store: Store, org_name: str) -> bool:
    """Delete the demo project and what it holds; False when there was none."""
    project = _project(store, org_name)
    if project is None:
        return False
    when = utcnow().isoformat()
    for kind in ("experiment", "dataset"):
        for doc in store.list_objects(kind, project_id=project["id"]):
            store.update_object(kind, {**doc, "deleted_at": when})
    store.update_object("project", {**project, "deleted_at": when})
    return True

"""Assistant conversations, kept per project: catalog objects of kind `assistant_conversation`.

A conversation holds the messages exchanged with the LLM in the OpenAI chat format (the user's,
the assistant's with its tool calls, and each tool's result), the experiment it is about, and
the tool calls waiting for the user's confirmation (a tool that writes). It is a project's object,
so reading and changing it is decided on the project, like every other project object.
"""

from __future__ import annotations

import uuid
from typing import Any

from assay.model.errors import NotFound
from assay.model.objects import ObjectKind, utcnow
from assay.services.auth import Action, Principal
from assay.services.catalog import project_of
from assay.services.context import Services

KIND: ObjectKind = "assistant_conversation"


def new(svc: Services, who: Principal, experiment: dict[str, Any], title: str) -> dict[str, Any]:
    project_of(svc, who, experiment["project_id"], "update")
    cid = str(uuid.uuid4())
    return {
        "id": cid,
        "name": cid,  # unique per project; the title is free text
        "title": title[:200],
        "project_id": experiment["project_id"],
        "experiment_id": experiment["id"],
        "created": utcnow().isoformat(),
        "deleted_at": None,
        "messages": [],
        "pending": [],
    }


def load(svc: Services, who: Principal, conversation_id: str, action: Action = "read") -> dict[str, Any]:
    """The conversation, if `who` may `action` its project (else it is not found, as elsewhere)."""
    doc = svc.store.get_object(KIND, conversation_id)
    if doc is None or doc.get("deleted_at"):
        raise NotFound(f"conversation {conversation_id} not found")
    try:
        project_of(svc, who, doc["project_id"], action)
    except NotFound:
        raise NotFound(f"conversation {conversation_id} not found") from None
    return doc


def save(svc: Services, doc: dict[str, Any], created: bool) -> dict[str, Any]:
    if created:
        return svc.store.create_object(KIND, doc)[0]
    return svc.store.update_object(KIND, doc)


def list_for(svc: Services, who: Principal, project_id: str) -> list[dict[str, Any]]:
    found = svc.store.list_objects(KIND, project_id=project_of(svc, who, project_id)["id"])
    return sorted(found, key=lambda d: d["created"], reverse=True)

"""`/v1/view`: saved table views, exactly as the reference's views API; and default views."""

from __future__ import annotations

from typing import Any

from fastapi import Body, Depends, Query

from assay.api.deps import caller, paging, services
from assay.api.models import AUTHENTICATED, ObjectId, errors
from assay.api.routing import api_router
from assay.model.views import (
    ClearViewDefault,
    CreateView,
    PatchView,
    Permissions,
    SetViewDefault,
    View,
    ViewDefaults,
    ViewObjectType,
    ViewRef,
    Views,
)
from assay.services import views
from assay.services.auth import Principal
from assay.services.catalog import Page
from assay.services.context import Services

router = api_router(tags=["views"], responses={**AUTHENTICATED, **errors(403, 404)})


@router.get("/v1/view", response_model=Views)
def list_views(
    object_type: ViewObjectType,
    object_id: str = Query(min_length=1),
    view_type: str | None = None,
    view_name: str | None = None,
    ids: list[ObjectId] | None = Query(None, description="Only these views (their UUIDs)"),
    page: Page = Depends(paging),
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> Any:
    """A project's saved views, newest first (filter by `view_type`: `experiment` or `experiments`)."""
    found = views.list_views(
        svc,
        who,
        ViewRef(object_type=object_type, object_id=object_id),
        view_type=view_type,
        view_name=view_name,
        ids=ids,
        page=page,
    )
    return {"objects": found}


@router.post("/v1/view", response_model=View)
def create_view(body: CreateView, who: Principal = Depends(caller), svc: Services = Depends(services)) -> Any:
    """Create a view; if the project has a view of that type and name, it is returned unchanged."""
    return views.save(svc, who, body, "return")


@router.put("/v1/view", response_model=View)
def replace_view(
    body: CreateView, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    """Create a view, or replace the project's view of that type and name."""
    return views.save(svc, who, body, "replace")


@router.get("/v1/view/{view_id}", response_model=View)
def get_view(
    view_id: str,
    object_type: ViewObjectType,
    object_id: str = Query(min_length=1),
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> Any:
    return views.get_view(svc, who, view_id, ViewRef(object_type=object_type, object_id=object_id))


@router.patch("/v1/view/{view_id}", response_model=View)
def patch_view(
    view_id: str, body: PatchView, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    """Change a view: `view_data` and `options` are deep-merged, other fields replaced."""
    return views.patch_view(svc, who, view_id, body)


@router.delete("/v1/view/{view_id}", response_model=View)
def delete_view(
    view_id: str,
    body: ViewRef = Body(...),
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> Any:
    """Delete a view (the body names its project); returns the deleted view."""
    return views.delete_view(svc, who, view_id, body)


@router.get("/v1/view_default", response_model=ViewDefaults)
def get_defaults(
    object_type: ViewObjectType,
    object_id: str = Query(min_length=1),
    view_type: str = Query(min_length=1),
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> Any:
    """Assay: the project's and the organization's default views of a page."""
    return views.defaults(svc, who, ViewRef(object_type=object_type, object_id=object_id), view_type)


@router.put("/v1/view_default", response_model=ViewDefaults)
def set_default(
    body: SetViewDefault, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    """Assay: make a view the project default (needs project Update) or the organization default
    (needs Manage settings); a view that was the other kind of default stops being it."""
    return views.set_default(svc, who, body)


@router.delete("/v1/view_default", response_model=ViewDefaults)
def clear_default(
    body: ClearViewDefault = Body(...), who: Principal = Depends(caller), svc: Services = Depends(services)
) -> Any:
    """Assay: clear the project or organization default view of a page."""
    return views.clear_default(svc, who, body)


@router.get("/v1/permissions", response_model=Permissions)
def my_permissions(
    object_type: ViewObjectType,
    object_id: str = Query(min_length=1),
    who: Principal = Depends(caller),
    svc: Services = Depends(services),
) -> Any:
    """Assay: what you may do on a project (read, create, update, delete, manage), so a page can
    say why an action is unavailable before you try it."""
    found = views.permissions(svc, who, object_id)
    return {"object_type": object_type, "object_id": object_id, "permissions": found}

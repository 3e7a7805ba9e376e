"""`/v1/api_key`: a member's API keys (owners see and revoke every key of the organization)."""

from __future__ import annotations

from fastapi import Depends

from assay.api.deps import caller, services
from assay.api.models import AUTHENTICATED, errors
from assay.api.routing import api_router
from assay.model.accounts import ApiKey, ApiKeys, CreateApiKey, CreatedApiKey
from assay.model.errors import InvalidInput
from assay.services import people
from assay.services.auth import Principal
from assay.services.context import Services

router = api_router(tags=["api keys"], responses={**AUTHENTICATED, **errors(403, 404)})


@router.get("/v1/api_key", response_model=ApiKeys)
def list_keys(who: Principal = Depends(caller), svc: Services = Depends(services)) -> ApiKeys:
    """Your keys, newest first (an owner sees every key of the organization)."""
    return ApiKeys(objects=[ApiKey(**k) for k in people.list_keys(svc, who)])


@router.post("/v1/api_key", response_model=CreatedApiKey)
def create_key(
    body: CreateApiKey, who: Principal = Depends(caller), svc: Services = Depends(services)
) -> CreatedApiKey:
    """A new key with your permissions. The key is in the answer this one time only."""
    if body.org_name and body.org_name != who.org_name:
        raise InvalidInput(f"unknown organization {body.org_name!r} for this caller")
    return CreatedApiKey(**people.create_key(svc, who, body.name, body.user_id))


@router.get("/v1/api_key/{key_id}", response_model=ApiKey)
def get_key(key_id: str, who: Principal = Depends(caller), svc: Services = Depends(services)) -> ApiKey:
    return ApiKey(**people.get_key(svc, who, key_id))


@router.delete("/v1/api_key/{key_id}", response_model=ApiKey)
def revoke_key(key_id: str, who: Principal = Depends(caller), svc: Services = Depends(services)) -> ApiKey:
    """Revoke a key: the next request made with it is refused."""
    return ApiKey(**people.revoke_key(svc, who, key_id))

"""Resolving a query's FROM clause for a caller: `experiment('<name or id>')` → object ids it may read.

`assay.query` reads the references out of the tree (`source_refs`) and compiles against a
`Source`; this module is the step between, through the catalog and the access policy. A
reference is tried as an id (one lookup), then as a name in the caller's organization. A
reference the caller may not read is reported exactly like one that does not exist.
"""

from __future__ import annotations

from assay.model.errors import NotFound
from assay.model.objects import OBJECT_TYPES
from assay.query.errors import QueryError, error_at, position
from assay.query.sources import Ref, Source, SourceRefs
from assay.services import comparison_key
from assay.services.auth import Principal
from assay.services.catalog import rows_owner
from assay.services.context import Services


class SourceNotFound(QueryError):
    """A FROM reference naming nothing the caller may read: 404, exactly like an unknown id."""

    status_code = 404


def resolve(svc: Services, who: Principal, refs: SourceRefs) -> Source:
    """The readable object ids behind `refs` (in order, without repeats)."""
    ids = tuple(dict.fromkeys(_resolve_one(svc, who, refs.object_type, ref) for ref in refs.refs))
    compare_ids = tuple(_resolve_one(svc, who, refs.object_type, ref) for ref in refs.compare)
    key = comparison_key.of_object(svc, refs.object_type, ids[0]) if refs.shape == "summary" else None
    return Source(refs.object_type, ids, refs.shape, compare_ids, key)


def _resolve_one(svc: Services, who: Principal, object_type: str, ref: Ref) -> str:
    kind = OBJECT_TYPES[object_type].catalog_kind
    try:
        return str(rows_owner(svc, who, object_type, ref.text)["id"])
    except NotFound:
        pass
    found = svc.store.list_objects(kind, org_id=who.org_id, name=ref.text)
    if len(found) > 1:
        raise error_at(ref.node, f"{len(found)} {kind}s are named {ref.text!r}; pass the id instead")
    if found:
        try:
            return str(rows_owner(svc, who, object_type, found[0]["id"])["id"])
        except NotFound:
            pass
    raise SourceNotFound(f"{object_type}({ref.text!r}): no such {kind}", *position(ref.node))

"""Routing exported spans to a project's logs or an experiment, and writing them as one request.

Where a span goes, most specific first: its own `braintrust.parent` attribute, its resource's
`braintrust.parent` attribute, then the request's `x-bt-parent` header (the names the reference
product's OTLP endpoint uses). A value is `project_id:<id>`, `project_name:<name>` (created when
missing, like the SDK's loggers do) or `experiment_id:<id>`.

The rows go through the ordinary ingest service (`services/ingest.py`): the same validation, access
checks and one all-or-nothing store write per OTLP request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from assay.model.errors import InvalidInput
from assay.model.objects import CreateProject
from assay.services import catalog, ingest
from assay.services.auth import Principal
from assay.services.context import Services
from assay.services.otel.attributes import key_values
from assay.services.otel.spans import PARENT_ATTRIBUTE, MappedSpan, map_span

PARENT_HEADER = "x-bt-parent"
DESTINATION_KINDS = ("project_id", "project_name", "experiment_id")
FORMS = "project_id:<id>, project_name:<name> or experiment_id:<id>"


@dataclass(frozen=True)
class Destination:
    kind: str  # one of DESTINATION_KINDS
    value: str


def parse_destination(text: str, source: str) -> Destination:
    kind, sep, value = text.partition(":")
    kind, value = kind.strip(), value.strip()
    if not sep or kind not in DESTINATION_KINDS or not value:
        raise InvalidInput(f"{source} {text!r} names no destination: use {FORMS}")
    return Destination(kind, value)


def map_request(request: ExportTraceServiceRequest) -> list[MappedSpan]:
    out = []
    for i, resource_spans in enumerate(request.resource_spans):
        resource = key_values(resource_spans.resource.attributes)
        for j, scope_spans in enumerate(resource_spans.scope_spans):
            for k, span in enumerate(scope_spans.spans):
                out.append(map_span(span, resource, f"resourceSpans[{i}].scopeSpans[{j}].spans[{k}]"))
    return out


def _destination(span: MappedSpan, header: str | None) -> Destination:
    if span.parent is not None:
        return parse_destination(span.parent, f"{span.where}: {PARENT_ATTRIBUTE}")
    if header is not None:
        return parse_destination(header, f"the {PARENT_HEADER} header")
    raise InvalidInput(
        f"{span.where}: no destination: send the {PARENT_HEADER} header ({FORMS}) "
        f"or set a {PARENT_ATTRIBUTE} resource or span attribute"
    )


def _validate(span: MappedSpan) -> None:
    """The ingest service's field checks, with errors that name the span rather than a row number."""
    try:
        ingest.validate_fields(0, span.row)
    except InvalidInput as exc:
        detail = exc.message.removeprefix("row 0: ")
        raise InvalidInput(f"{span.where} ({span.row['span_attributes']['name']!r}): {detail}") from None


def _route(svc: Services, who: Principal, dest: Destination) -> dict[str, Any]:
    """The `/logs3` routing keys of a destination; a missing project named by name is created."""
    if dest.kind == "experiment_id":
        catalog.rows_owner(svc, who, "experiment", dest.value, "update")
        return {"experiment_id": dest.value}
    if dest.kind == "project_id":
        catalog.rows_owner(svc, who, "project_logs", dest.value, "update")
        return {"project_id": dest.value, "log_id": "g"}
    found = svc.store.list_objects("project", org_id=who.org_id, name=dest.value)
    project = found[0] if found else catalog.create_project(svc, who, CreateProject(name=dest.value))
    return {"project_id": project["id"], "log_id": "g"}


def export_traces(
    svc: Services, who: Principal, request: ExportTraceServiceRequest, header: str | None
) -> int:
    """Write every span of one export as one store request; returns how many spans it held."""
    mapped = map_request(request)
    if len(mapped) > ingest.MAX_ROWS:
        raise InvalidInput(f"too many spans in one request ({len(mapped)} > {ingest.MAX_ROWS})")
    destinations = [_destination(span, header) for span in mapped]
    for span in mapped:
        _validate(span)
    # Checked destinations first, created projects last: a refused request creates nothing.
    ordered = sorted(dict.fromkeys(destinations), key=lambda d: d.kind == "project_name")
    routes = {dest: _route(svc, who, dest) for dest in ordered}
    rows = [{**span.row, **routes[dest]} for span, dest in zip(mapped, destinations, strict=True)]
    if rows:
        ingest.write_rows(svc, who, rows)
    return len(rows)

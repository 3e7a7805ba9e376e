"""`POST /otel/v1/traces`: the OTLP/HTTP trace receiver (point an exporter's endpoint at `<url>/otel`).

Answers follow the OTLP/HTTP specification rather than Assay's JSON error shape, because exporters
and collectors read them: in the request's encoding, an `ExportTraceServiceResponse` on success
and a `google.rpc.Status` (code and message) on failure, with the HTTP status Assay uses elsewhere.
"""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response
from google.protobuf import json_format
from google.rpc.status_pb2 import Status
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from assay.api.deps import caller, services
from assay.api.routing import api_router
from assay.model.errors import AssayError
from assay.services.context import Services
from assay.services.otel import decode_export, export_traces
from assay.services.otel.decode import Encoding, encoding_of, inflate, reply_encoding
from assay.services.otel.ingest import PARENT_HEADER

router = api_router(tags=["opentelemetry"])

# HTTP status -> gRPC status code carried in the Status body (google/rpc/code.proto).
GRPC_CODES = {400: 3, 401: 16, 403: 7, 404: 5, 409: 6, 413: 8, 415: 3, 507: 8}
MEDIA = {"protobuf": "application/x-protobuf", "json": "application/json"}
BINARY = {"schema": {"type": "string", "format": "binary"}}


class OtlpStatus(BaseModel):
    """`google.rpc.Status`, the OTLP error body (binary protobuf for protobuf requests)."""

    code: int = Field(description="gRPC status code, e.g. 3 INVALID_ARGUMENT, 16 UNAUTHENTICATED")
    message: str = Field(description="What is wrong, naming the span or field")


class OtlpExportResponse(BaseModel):
    """`ExportTraceServiceResponse`: empty, as every span is written or none is."""


def _reply(encoding: Encoding, message: ExportTraceServiceResponse | Status, status: int = 200) -> Response:
    if encoding == "protobuf":
        body = message.SerializeToString()
    else:
        body = json_format.MessageToJson(message, indent=None).encode()
    return Response(body, status_code=status, media_type=MEDIA[encoding])


def _error_responses() -> dict[int | str, dict[str, object]]:
    described = {
        400: "Malformed OTLP, or spans that name no destination",
        401: "Missing or invalid API key",
        403: "The key may read the destination but not write to it",
        404: "The destination does not exist or the key may not see it",
        413: "Decompressed body over the size limit (a body over it as sent is refused earlier, "
        "in Assay's JSON error shape)",
        415: "Content-Type other than protobuf or JSON, or Content-Encoding other than gzip",
    }
    return {
        code: {
            "model": OtlpStatus,
            "description": text,
            "content": {"application/x-protobuf": BINARY},
        }
        for code, text in described.items()
    }


@router.post(
    "/otel/v1/traces",
    summary="Receive OpenTelemetry traces (OTLP/HTTP, protobuf or JSON, optionally gzip)",
    response_model=OtlpExportResponse,
    responses={200: {"content": {"application/x-protobuf": BINARY}}, **_error_responses()},
    openapi_extra={
        "parameters": [
            {
                "name": PARENT_HEADER,
                "in": "header",
                "required": False,
                "schema": {"type": "string"},
                "description": "Destination: project_id:<id>, project_name:<name> or experiment_id:<id> "
                "(a braintrust.parent resource or span attribute takes precedence)",
            }
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/x-protobuf": BINARY,
                "application/json": {
                    "schema": {
                        "type": "object",
                        "description": "ExportTraceServiceRequest in the OTLP/JSON encoding",
                        # null is the field's default, as protobuf's JSON mapping reads it
                        "properties": {
                            "resourceSpans": {
                                "anyOf": [{"type": "array", "items": {"type": "object"}}, {"type": "null"}]
                            }
                        },
                    }
                },
            },
        },
    },
)
async def export_trace_spans(request: Request, svc: Services = Depends(services)) -> Response:
    """Map each span to a row (GenAI and OpenInference attributes) and write them all, or none."""
    encoding = reply_encoding(request.headers.get("content-type"))
    try:
        who = caller(request)
        encoding = encoding_of(request.headers.get("content-type"))
        body = inflate(
            await request.body(), request.headers.get("content-encoding"), svc.settings.max_body_bytes
        )
        export = decode_export(body, encoding)
        await run_in_threadpool(export_traces, svc, who, export, request.headers.get(PARENT_HEADER))
    except AssayError as exc:
        status = Status(code=GRPC_CODES.get(exc.status_code, 2), message=exc.message)
        return _reply(encoding, status, exc.status_code)
    return _reply(encoding, ExportTraceServiceResponse())

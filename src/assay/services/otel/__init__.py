"""OpenTelemetry (OTLP/HTTP) trace ingest: decode an export, map its spans to rows, write them.

`decode` turns a request body into protobuf messages, `spans` maps one span to an Assay row (with
`messages` for the GenAI and OpenInference message formats), and `ingest` routes the rows to a
project's logs or an experiment and writes them through the ordinary ingest service.
"""

from assay.services.otel.decode import decode_export
from assay.services.otel.ingest import export_traces

__all__ = ["decode_export", "export_traces"]

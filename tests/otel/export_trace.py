"""Export one nested LLM trace with the real OpenTelemetry SDK and its OTLP/HTTP exporter.

Run as a separate process, configured only by the standard `OTEL_EXPORTER_OTLP_*` environment
variables, as a user's application would be. Prints the trace id (32 hex digits).

The trace: an agent (GenAI `invoke_agent`) that calls a model (GenAI attributes, asking for a
tool), runs the tool (GenAI `execute_tool`), looks something up in a cache that fails (an
exception), and calls a model again (OpenInference attributes).
"""

from __future__ import annotations

import json

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Status, StatusCode

QUESTION = "What is the weather in Paris?"
ANSWER = "It is rainy in Paris, 57°F."
CALL = {"type": "tool_call", "id": "call_1", "name": "get_weather", "arguments": {"city": "Paris"}}


def main() -> None:
    provider = TracerProvider(resource=Resource.create({"service.name": "weather-agent"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    tracer = provider.get_tracer("assay-tests")
    with tracer.start_as_current_span("invoke_agent weather") as root:
        root.set_attribute("gen_ai.operation.name", "invoke_agent")
        root.set_attribute("input.value", QUESTION)
        with tracer.start_as_current_span("chat gpt-4o-mini") as llm:
            llm.set_attributes(
                {
                    "gen_ai.operation.name": "chat",
                    "gen_ai.provider.name": "openai",
                    "gen_ai.request.model": "gpt-4o-mini",
                    "gen_ai.request.temperature": 0.2,
                    "gen_ai.usage.input_tokens": 42,
                    "gen_ai.usage.output_tokens": 12,
                    "gen_ai.system_instructions": json.dumps([{"type": "text", "content": "Be brief."}]),
                    "gen_ai.input.messages": json.dumps(
                        [{"role": "user", "parts": [{"type": "text", "content": QUESTION}]}]
                    ),
                    "gen_ai.output.messages": json.dumps(
                        [{"role": "assistant", "parts": [CALL], "finish_reason": "tool_call"}]
                    ),
                    "server.address": "api.openai.com",
                }
            )
        with tracer.start_as_current_span("execute_tool get_weather") as tool:
            tool.set_attributes(
                {
                    "gen_ai.operation.name": "execute_tool",
                    "gen_ai.tool.name": "get_weather",
                    "gen_ai.tool.call.id": "call_1",
                    "gen_ai.tool.call.arguments": json.dumps({"city": "Paris"}),
                    "gen_ai.tool.call.result": json.dumps({"sky": "rainy", "temperature_f": 57}),
                }
            )
        with tracer.start_as_current_span("cache lookup") as cache:
            try:
                raise KeyError("paris")
            except KeyError as exc:
                cache.record_exception(exc)
                cache.set_status(Status(StatusCode.ERROR, "cache miss"))
        with tracer.start_as_current_span("ChatCompletion") as llm2:
            llm2.set_attributes(
                {
                    "openinference.span.kind": "LLM",
                    "llm.model_name": "gpt-4o-mini",
                    "llm.provider": "openai",
                    "llm.token_count.prompt": 80,
                    "llm.token_count.completion": 9,
                    "llm.token_count.total": 89,
                    "llm.input_messages.0.message.role": "user",
                    "llm.input_messages.0.message.content": QUESTION,
                    "llm.input_messages.1.message.role": "assistant",
                    "llm.input_messages.1.message.tool_calls.0.tool_call.id": "call_1",
                    "llm.input_messages.1.message.tool_calls.0.tool_call.function.name": "get_weather",
                    "llm.input_messages.1.message.tool_calls.0.tool_call.function.arguments": '{"city": "Paris"}',
                    "llm.input_messages.2.message.role": "tool",
                    "llm.input_messages.2.message.tool_call_id": "call_1",
                    "llm.input_messages.2.message.content": '{"sky": "rainy", "temperature_f": 57}',
                    "llm.output_messages.0.message.role": "assistant",
                    "llm.output_messages.0.message.content": ANSWER,
                    "llm.invocation_parameters": json.dumps({"temperature": 0}),
                }
            )
        root.set_attribute("output.value", ANSWER)
    provider.shutdown()  # flushes the batch; raises nothing, so the test checks the server side
    print(format(root.get_span_context().trace_id, "032x"))


if __name__ == "__main__":
    main()

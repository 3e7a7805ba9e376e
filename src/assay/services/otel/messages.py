"""Chat messages from the shapes instrumentations record them in, as one shape: the OpenAI chat
format the reference SDK's wrappers log (`{"role", "content", "tool_calls", "tool_call_id"}`).

Sources: the GenAI conventions' `gen_ai.input.messages` / `gen_ai.output.messages` (messages of
typed `parts`), their older `gen_ai.prompt` / `gen_ai.completion` JSON and per-message span events,
OpenLLMetry's flattened `gen_ai.prompt.N.*`, and OpenInference's flattened
`llm.input_messages.N.message.*`.
"""

from __future__ import annotations

from typing import Any

from assay.services.otel.attributes import indexed, json_or_text

Message = dict[str, Any]


def _tool_call(call_id: Any, name: Any, arguments: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "function", "function": {"name": name, "arguments": arguments}}
    if call_id is not None:
        out["id"] = call_id
    return out


def _content(items: list[dict[str, Any]]) -> Any:
    """One text item as a plain string (the common case), several items as a list."""
    if len(items) == 1 and items[0].get("type") == "text":
        return items[0]["text"]
    return items or None


def _from_parts(message: dict[str, Any]) -> list[Message]:
    """A GenAI message of `parts`; its tool results become `tool` messages of their own."""
    items: list[dict[str, Any]] = []
    calls: list[dict[str, Any]] = []
    results: list[Message] = []
    for part in message.get("parts") or []:
        if not isinstance(part, dict):
            continue
        kind = part.get("type")
        if kind == "text":
            items.append({"type": "text", "text": part.get("content")})
        elif kind == "tool_call":
            calls.append(_tool_call(part.get("id"), part.get("name"), part.get("arguments")))
        elif kind == "tool_call_response":
            response = part.get("response", part.get("result"))
            results.append({"role": "tool", "tool_call_id": part.get("id"), "content": response})
        else:
            items.append(part)
    out: list[Message] = []
    if items or calls or not results:
        msg: Message = {"role": message.get("role"), "content": _content(items)}
        if calls:
            msg["tool_calls"] = calls
        for key in ("name", "finish_reason"):
            if message.get(key) is not None:
                msg[key] = message[key]
        out.append(msg)
    return out + results


def normalise(messages: Any) -> list[Message] | None:
    """A JSON list of messages (GenAI `parts` messages or chat messages already) as chat messages."""
    if isinstance(messages, dict):
        messages = [messages]
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        return None
    out: list[Message] = []
    for message in messages:
        out.extend(_from_parts(message) if "parts" in message else [message])
    return out


def system_message(instructions: Any) -> Message | None:
    """`gen_ai.system_instructions` (a list of parts, or text) as a leading system message."""
    if isinstance(instructions, str):
        return {"role": "system", "content": instructions}
    if isinstance(instructions, list):
        return _from_parts({"role": "system", "parts": instructions})[0]
    return None


def _flat_tool_calls(record: dict[str, Any], prefix: str, *, openinference: bool) -> list[dict[str, Any]]:
    calls = []
    for call in indexed(record, prefix):
        if openinference:
            fn_name, fn_args = call.get("tool_call.function.name"), call.get("tool_call.function.arguments")
            call_id = call.get("tool_call.id")
        else:
            fn_name, fn_args, call_id = call.get("name"), call.get("arguments"), call.get("id")
        calls.append(_tool_call(call_id, fn_name, json_or_text(fn_args)))
    return calls


def _oi_content(item: dict[str, Any]) -> dict[str, Any]:
    kind = item.get("message_content.type")
    if kind == "image":
        return {"type": "image_url", "image_url": {"url": item.get("message_content.image.image.url")}}
    return {"type": kind or "text", "text": item.get("message_content.text")}


def from_openinference(records: list[dict[str, Any]]) -> list[Message]:
    """OpenInference `llm.input_messages.N.*` records (`message.role`, `message.content`,
    `message.contents.M.message_content.*`, `message.tool_calls.M.tool_call.*`)."""
    out = []
    for record in records:
        msg: Message = {"role": record.get("message.role")}
        contents = indexed(record, "message.contents")
        msg["content"] = (
            _content([_oi_content(c) for c in contents]) if contents else record.get("message.content")
        )
        calls = _flat_tool_calls(record, "message.tool_calls", openinference=True)
        if calls:
            msg["tool_calls"] = calls
        for key in ("tool_call_id", "name"):
            if record.get(f"message.{key}") is not None:
                msg[key] = record[f"message.{key}"]
        out.append(msg)
    return out


def from_openllmetry(records: list[dict[str, Any]]) -> list[Message]:
    """OpenLLMetry's `gen_ai.prompt.N.*` / `gen_ai.completion.N.*` records (`role`, `content`,
    `tool_calls.M.{id,name,arguments}`, `tool_call_id`, `finish_reason`)."""
    out = []
    for record in records:
        msg: Message = {"role": record.get("role"), "content": json_or_text(record.get("content"))}
        calls = _flat_tool_calls(record, "tool_calls", openinference=False)
        if calls:
            msg["tool_calls"] = calls
        for key in ("tool_call_id", "name", "finish_reason"):
            if record.get(key) is not None:
                msg[key] = record[key]
        out.append(msg)
    return out


EVENT_ROLES = {
    "gen_ai.system.message": "system",
    "gen_ai.user.message": "user",
    "gen_ai.assistant.message": "assistant",
    "gen_ai.tool.message": "tool",
}


def from_event(name: str, attrs: dict[str, Any]) -> Message | None:
    """A deprecated per-message GenAI span event (`gen_ai.user.message`, `gen_ai.choice`, …)."""
    if name == "gen_ai.choice":
        message = json_or_text(attrs.get("message"))
        msg: Message = (
            dict(message) if isinstance(message, dict) else {"role": "assistant", "content": message}
        )
        msg.setdefault("role", "assistant")
        if attrs.get("finish_reason") is not None:
            msg["finish_reason"] = attrs["finish_reason"]
        return msg
    role = EVENT_ROLES.get(name)
    if role is None:
        return None
    msg = {"role": attrs.get("role") or role, "content": json_or_text(attrs.get("content"))}
    if attrs.get("tool_calls") is not None:
        msg["tool_calls"] = json_or_text(attrs["tool_calls"])
    if attrs.get("id") is not None and role == "tool":
        msg["tool_call_id"] = attrs["id"]
    return msg

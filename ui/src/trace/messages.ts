// Chat messages recognised in logged values: OpenAI chat (messages, choices, tool calls and tool
// results), Anthropic messages (content blocks: text, image, tool_use, tool_result) and plain
// strings, under the usual wrapper keys. Everything becomes one shape the views render.

export type Part =
  | { kind: "text"; text: string }
  | { kind: "tool_call"; id?: string; name: string; args: unknown }
  | { kind: "tool_result"; id?: string; content: unknown; isError?: boolean }
  | { kind: "image"; url?: string }
  | { kind: "json"; value: unknown };

export interface Message {
  role: string; // system | user | assistant | tool
  parts: Part[];
  name?: string;
}

const WRAPPERS = ["messages", "prompt", "input", "output", "choices", "result", "response"];
const ROLES = new Set(["system", "developer", "user", "assistant", "tool", "function", "model"]);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function parseArgs(v: unknown): unknown {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

function contentParts(content: unknown): Part[] | null {
  if (content == null) return [];
  if (typeof content === "string") return content ? [{ kind: "text", text: content }] : [];
  if (!Array.isArray(content)) return null;
  const parts: Part[] = [];
  for (const block of content) {
    if (typeof block === "string") parts.push({ kind: "text", text: block });
    else if (!isObj(block)) return null;
    else if (block.type === "text" || block.type === "input_text" || block.type === "output_text")
      parts.push({ kind: "text", text: String(block.text ?? "") });
    else if (block.type === "image_url") {
      const u = block.image_url;
      parts.push({ kind: "image", url: isObj(u) ? String(u.url ?? "") : typeof u === "string" ? u : undefined });
    } else if (block.type === "image") {
      const src = block.source;
      const url = isObj(src) && src.type === "url" ? String(src.url) : isObj(src) && src.type === "base64"
        ? `data:${String(src.media_type ?? "image/png")};base64,${String(src.data ?? "")}` : undefined;
      parts.push({ kind: "image", url });
    } else if (block.type === "tool_use")
      parts.push({ kind: "tool_call", id: block.id as string, name: String(block.name ?? "tool"), args: block.input });
    else if (block.type === "tool_result")
      parts.push({ kind: "tool_result", id: block.tool_use_id as string, content: flattenResult(block.content), isError: !!block.is_error });
    else parts.push({ kind: "json", value: block });
  }
  return parts;
}

function flattenResult(content: unknown): unknown {
  // Anthropic tool results often hold [{type: "text", text}]: show the text.
  if (Array.isArray(content) && content.every((b) => isObj(b) && b.type === "text"))
    return content.map((b) => String((b as Obj).text ?? "")).join("\n");
  return content;
}

// One message object (OpenAI or Anthropic), or null if `v` is not one.
export function toMessage(v: unknown): Message | null {
  if (!isObj(v) || typeof v.role !== "string" || !ROLES.has(v.role)) return null;
  const parts = contentParts(v.content);
  if (parts === null) return null;
  let role = v.role === "model" ? "assistant" : v.role === "developer" ? "system" : v.role;
  if (Array.isArray(v.tool_calls))
    for (const call of v.tool_calls) {
      if (!isObj(call)) continue;
      const fn = isObj(call.function) ? call.function : {};
      parts.push({ kind: "tool_call", id: call.id as string, name: String(fn.name ?? "tool"), args: parseArgs(fn.arguments) });
    }
  if (isObj(v.function_call))
    parts.push({ kind: "tool_call", name: String(v.function_call.name ?? "function"), args: parseArgs(v.function_call.arguments) });
  if (role === "tool" || role === "function") {
    const content = parts.length === 1 && parts[0].kind === "text" ? parseArgs(parts[0].text) : v.content;
    return { role: "tool", name: (v.name as string) ?? undefined, parts: [{ kind: "tool_result", id: v.tool_call_id as string, content }] };
  }
  // An Anthropic user turn made only of tool results is the tools answering.
  if (role === "user" && parts.length && parts.every((p) => p.kind === "tool_result")) role = "tool";
  return { role, parts, name: typeof v.name === "string" ? v.name : undefined };
}

// The messages held by a logged value, or null when none are recognised.
export function toMessages(v: unknown, depth = 0): Message[] | null {
  if (depth > 3 || v == null) return null;
  if (Array.isArray(v)) {
    if (!v.length) return null;
    const out: Message[] = [];
    for (const item of v) {
      const m = toMessage(item) ?? (isObj(item) && isObj(item.message) ? toMessage(item.message) : null); // OpenAI choices
      if (!m) return null;
      out.push(m);
    }
    return out;
  }
  if (isObj(v)) {
    const one = toMessage(v);
    if (one) return [one];
    for (const key of WRAPPERS) {
      if (key in v) {
        const inner = key === "prompt" && typeof v[key] === "string" ? [{ role: "user", content: v[key] }] : v[key];
        const found = toMessages(inner, depth + 1);
        if (found) {
          if (key === "messages" && typeof v.system === "string") return [{ role: "system", parts: [{ kind: "text", text: v.system }] }, ...found];
          return found;
        }
      }
    }
  }
  return null;
}

// Messages of a span's input or output, falling back to a plain string as one message of `role`.
export function spanMessages(v: unknown, role: "user" | "assistant"): Message[] | null {
  if (typeof v === "string" && v.trim()) return [{ role, parts: [{ kind: "text", text: v }] }];
  return toMessages(v);
}

export function messageKey(m: Message): string {
  return JSON.stringify([m.role, m.parts.map((p) => (p.kind === "tool_call" ? { ...p, args: typeof p.args === "string" ? p.args : JSON.stringify(p.args) } : p))]);
}

// The conversation of a trace: each LLM span's input then output, in time order, with messages
// already shown (a later call resends the history) left out.
export function thread(spans: { input?: unknown; output?: unknown }[]): Message[] {
  const seen = new Set<string>();
  const out: Message[] = [];
  for (const s of spans) {
    for (const m of [...(spanMessages(s.input, "user") ?? []), ...(spanMessages(s.output, "assistant") ?? [])]) {
      const key = messageKey(m);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(m);
    }
  }
  return out;
}

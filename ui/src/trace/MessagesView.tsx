// Chat messages drawn as a conversation: role, text (Markdown), tool calls with their arguments,
// tool results, images as links.
import { Bot, Cog, User, Wrench } from "lucide-react";
import type { Message, Part } from "./messages";
import { Pretty } from "./Pretty";
import { JsonTree } from "./JsonTree";

const ICONS: Record<string, typeof User> = { user: User, assistant: Bot, system: Cog, tool: Wrench };

export function MessagesView({ messages, term }: { messages: Message[]; term?: string }) {
  return (
    <ol className="messages" aria-label="Messages">
      {messages.map((m, i) => <MessageItem key={i} m={m} term={term} />)}
    </ol>
  );
}

export function MessageItem({ m, term }: { m: Message; term?: string }) {
  const Icon = ICONS[m.role] ?? Bot;
  return (
    <li className={`message role-${m.role}`} data-role={m.role}>
      <div className="message-role"><Icon aria-hidden />{m.role}{m.name ? ` · ${m.name}` : ""}</div>
      <div className="message-body">
        {m.parts.length === 0 && <span className="subtle">(empty)</span>}
        {m.parts.map((p, i) => <PartView key={i} p={p} term={term} />)}
      </div>
    </li>
  );
}

function PartView({ p, term }: { p: Part; term?: string }) {
  if (p.kind === "text") return <Pretty value={p.text} term={term} />;
  if (p.kind === "tool_call")
    return (
      <div className="tool-call" data-tool={p.name}>
        <div className="tool-head"><Wrench aria-hidden />Tool call <code>{p.name}</code>{p.id && <span className="subtle mono">{p.id}</span>}</div>
        <JsonTree value={p.args} term={term} />
      </div>
    );
  if (p.kind === "tool_result")
    return (
      <div className={`tool-result ${p.isError ? "failed" : ""}`}>
        <div className="tool-head">Tool result{p.id && <span className="subtle mono">{p.id}</span>}</div>
        <Pretty value={p.content} term={term} />
      </div>
    );
  if (p.kind === "image")
    return <a className="attachment" href={p.url?.startsWith("data:") ? undefined : p.url} target="_blank" rel="noopener noreferrer nofollow">image</a>;
  return <JsonTree value={p.value} term={term} />;
}

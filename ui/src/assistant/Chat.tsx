// The chat agent's side of the panel (only when the server has an LLM configured): each turn shows
// the tool calls the model made, its answer with the traces it cites as links, and, when it wants
// to run a tool that writes, asks the user to confirm or decline.
import { Fragment } from "react";
import { Check, Wrench, X } from "lucide-react";
import { Button } from "../ui";
import type { ChatAnswer, ChatMessage } from "./api";
import { TraceLink } from "./Evidence";

const CITATION = /\[trace:([A-Za-z0-9_.:-]{1,200})\]/g;

function AnswerText({ text, cited }: { text: string; cited: Set<string> }) {
  const parts: React.ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(CITATION)) {
    parts.push(text.slice(last, m.index));
    // Only ids a tool returned become links; anything else stays visible text.
    parts.push(cited.has(m[1]) ? <TraceLink key={m.index} rootSpanId={m[1]} /> : <code key={m.index}>{m[0]}</code>);
    last = (m.index ?? 0) + m[0].length;
  }
  parts.push(text.slice(last));
  return <p className="chat-text">{parts.map((p, i) => <Fragment key={i}>{p}</Fragment>)}</p>;
}

function ToolLine({ m }: { m: ChatMessage }) {
  return (
    <>
      {(m.tool_calls ?? []).map((c) => (
        <details key={c.id} className="tool-call">
          <summary><Wrench aria-hidden /> Called <code>{c.name}</code></summary>
          <pre className="code">{c.arguments}</pre>
        </details>
      ))}
    </>
  );
}

export function ChatTurns({ answer, busy, onConfirm }: { answer: ChatAnswer; busy: boolean; onConfirm: (ok: boolean) => void }) {
  const cited = new Set((answer.citations ?? []).map((c) => c.root_span_id));
  const messages = answer.messages;
  return (
    <>
      {messages.map((m, i) => {
        if (m.role === "user") return <p key={i} className="question">{m.content}</p>;
        if (m.role === "tool") {
          const declined = (m.content ?? "").includes('"declined"');
          return <p key={i} className="subtle tool-result">{declined ? `${m.name} declined` : `${m.name} answered`}</p>;
        }
        return (
          <div key={i} className="answer">
            <ToolLine m={m} />
            {m.content && <AnswerText text={m.content} cited={cited} />}
          </div>
        );
      })}
      {answer.pending && (
        <div className="confirm" role="group" aria-label="Confirm the action">
          <p>The assistant wants to run <code>{answer.pending.name}</code>, which writes:</p>
          <pre className="code">{answer.pending.arguments}</pre>
          <div className="row">
            <Button size="sm" variant="primary" icon={<Check />} disabled={busy} onClick={() => onConfirm(true)}>Confirm</Button>
            <Button size="sm" icon={<X />} disabled={busy} onClick={() => onConfirm(false)}>Decline</Button>
          </div>
        </div>
      )}
    </>
  );
}

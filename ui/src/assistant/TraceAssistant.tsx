// The assistant on one trace (offered when the trace is fullscreen or on its own page, as the
// reference offers it): without an LLM, answers computed from the trace's spans — a summary,
// where it failed, what took longest — each span one click away; with an LLM on the server, a
// typed question goes to the chat agent about this trace.
import { useEffect, useState } from "react";
import { Sparkles, X } from "lucide-react";
import { Button, ErrorMessage, IconButton, SkeletonRows } from "../ui";
import { fmtScore } from "../components/format";
import type { TraceRef } from "../trace/api";
import { duration, fmtCost, fmtDuration, fmtTokens, type TraceTree } from "../trace/model";
import { chat, type ChatAnswer } from "./api";
import { ChatTurns } from "./Chat";

type Kind = "summary" | "failures" | "slowest";
const QUESTIONS: [Kind, string][] = [
  ["summary", "Summarise this trace"],
  ["failures", "Where did it fail?"],
  ["slowest", "What took the longest?"],
];

export function TraceAssistant({ trace, tree, onSpan, onClose }: {
  trace: TraceRef; tree: TraceTree; onSpan: (spanId: string) => void; onClose: () => void;
}) {
  const [asked, setAsked] = useState<{ id: number; kind: Kind }[]>([]);
  const [llm, setLlm] = useState(false);
  const [draft, setDraft] = useState("");
  const [conversation, setConversation] = useState<ChatAnswer | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  useEffect(() => { chat.status().then((s) => setLlm(s.configured)).catch(() => setLlm(false)); }, []);

  async function send(body: { message?: string; confirm?: boolean }) {
    setBusy(true);
    setError("");
    try {
      setConversation(await chat.send(trace.objectId, { conversation_id: conversation?.conversation_id ?? null, ...body }));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }
  const canChat = llm && trace.objectType === "experiment";
  return (
    <aside className="details assistant trace-assistant" aria-label="Trace assistant">
      <header>
        <h2><Sparkles aria-hidden /> Assistant</h2>
        <IconButton label="Close the trace assistant" onClick={onClose}><X /></IconButton>
      </header>
      <p className="subtle">Answers computed from this trace's spans (no LLM){canChat ? "; typed questions go to the LLM, about this trace" : ""}.</p>
      <section className="suggestions" aria-label="Questions about this trace">
        {QUESTIONS.map(([kind, text]) => (
          <Button key={kind} size="sm" className="suggestion" onClick={() => setAsked((a) => [...a, { id: a.length + 1, kind }])}>{text}</Button>
        ))}
      </section>
      <div className="turns" aria-live="polite">
        {asked.map((a) => {
          const text = QUESTIONS.find(([k]) => k === a.kind)![1];
          return (
            <section key={a.id} className="turn" aria-label={text}>
              <p className="question">{text}</p>
              <div className="answer"><TraceAnswer kind={a.kind} tree={tree} onSpan={onSpan} /></div>
            </section>
          );
        })}
        {conversation && (
          <section className="turn chat" aria-label="Conversation with the LLM">
            <ChatTurns answer={conversation} busy={busy} onConfirm={(ok) => send({ confirm: ok })} />
          </section>
        )}
        {busy && <SkeletonRows rows={2} label="The assistant is working" />}
        <ErrorMessage>{error}</ErrorMessage>
      </div>
      {canChat && (
        <form className="ask" onSubmit={(e) => {
          e.preventDefault();
          const text = draft.trim();
          if (!text) return;
          // The agent works on the experiment; the message names the trace it is about.
          send({ message: conversation ? text : `About the trace [trace:${trace.rootSpanId}] only: ${text}` });
          setDraft("");
        }}>
          <input className="input" aria-label="Ask about this trace" value={draft} onChange={(e) => setDraft(e.target.value)}
            placeholder="Ask about this trace (answered by the LLM)" />
          <Button type="submit" variant="primary" disabled={!draft.trim() || busy || !!conversation?.pending}>Ask</Button>
        </form>
      )}
    </aside>
  );
}

function SpanButton({ tree, i, onSpan }: { tree: TraceTree; i: number; onSpan: (spanId: string) => void }) {
  const s = tree.skeleton.spans;
  return (
    <button className="link-btn" onClick={() => onSpan(tree.ids[i])} title={`Select span ${tree.ids[i]}`}>
      {s.name[i] ?? "(unnamed span)"}
    </button>
  );
}

function TraceAnswer({ kind, tree, onSpan }: { kind: Kind; tree: TraceTree; onSpan: (spanId: string) => void }) {
  const s = tree.skeleton.spans;
  const all = Array.from({ length: tree.n }, (_, i) => i);
  const root = tree.roots[0] ?? 0;
  if (kind === "failures") {
    const failed = all.filter((i) => s.error[i]);
    if (!failed.length) return <p>No span of this trace failed.</p>;
    return (
      <>
        <p>{failed.length} span{failed.length === 1 ? "" : "s"} failed, in start order:</p>
        <ul className="answer-list">
          {failed.map((i) => (
            <li key={i}><SpanButton tree={tree} i={i} onSpan={onSpan} /> <span className="subtle">({s.type[i] ?? "span"}{tree.parent[i] >= 0 ? `, under ${s.name[tree.parent[i]] ?? "a span"}` : ", the root"})</span></li>
          ))}
        </ul>
      </>
    );
  }
  if (kind === "slowest") {
    const timed = all.filter((i) => i !== root && duration(tree, i) != null).sort((a, b) => duration(tree, b)! - duration(tree, a)!);
    if (!timed.length) return <p>The spans of this trace carry no start and end times.</p>;
    const total = tree.end - tree.start;
    return (
      <>
        <p>The slowest spans (the whole trace took {fmtDuration(total)}):</p>
        <ol className="answer-list">
          {timed.slice(0, 5).map((i) => (
            <li key={i}><SpanButton tree={tree} i={i} onSpan={onSpan} /> {fmtDuration(duration(tree, i))}
              {total > 0 && <span className="subtle"> ({Math.round((duration(tree, i)! / total) * 100)}% of the trace)</span>}</li>
          ))}
        </ol>
      </>
    );
  }
  const llmCalls = all.filter((i) => s.type[i] === "llm").length;
  const failed = all.filter((i) => s.error[i]).length;
  const scores = new Map<string, number[]>();
  for (const i of all) for (const [k, v] of Object.entries(s.scores[i] ?? {})) if (v != null) scores.set(k, [...(scores.get(k) ?? []), v]);
  return (
    <ul className="answer-list trace-summary">
      <li>{tree.n.toLocaleString()} span{tree.n === 1 ? "" : "s"}{duration(tree, root) != null ? ` over ${fmtDuration(tree.end - tree.start)}` : ""}; {llmCalls} LLM call{llmCalls === 1 ? "" : "s"}</li>
      {tree.tokens[root] > 0 && <li>{fmtTokens(tree.tokens[root])} tokens{tree.cost[root] > 0 ? `, ${fmtCost(tree.cost[root])} estimated` : ""}</li>}
      <li>{failed ? `${failed} span${failed === 1 ? "" : "s"} failed (ask “Where did it fail?”)` : "No span failed"}</li>
      {[...scores].map(([name, values]) => (
        <li key={name}><strong>{name}</strong> {fmtScore(values.reduce((a, b) => a + b, 0) / values.length)}{values.length > 1 ? <span className="subtle"> (mean of {values.length} spans)</span> : null}</li>
      ))}
    </ul>
  );
}

// The thread: the conversation taken from the trace's LLM spans (and its root), deduplicated and
// in time order, then the scores in their own block. LLM spans are read a page at a time from the
// spans route; the skeleton says how many there are.
import { MessagesSquare } from "lucide-react";
import { useEffect, useState } from "react";
import { Button, EmptyState, ErrorMessage, SkeletonRows } from "../ui";
import { fmtScore } from "../components/format";
import { fetchSpan, fetchSpans, type SpanDetail, type TraceRef } from "./api";
import { MessagesView } from "./MessagesView";
import { Pretty } from "./Pretty";
import { thread, type Message } from "./messages";
import type { TraceTree } from "./model";
import { ScoreBar } from "./SpanDetail";

const PAGE = 200;

export function Thread({ trace, tree, term }: { trace: TraceRef; tree: TraceTree; term?: string }) {
  const [spans, setSpans] = useState<Record<string, any>[] | null>(null);
  const [total, setTotal] = useState(0);
  const [root, setRoot] = useState<SpanDetail | null>(null);
  const [error, setError] = useState("");
  const rootIndex = tree.roots[0] ?? 0;
  useEffect(() => {
    setSpans(null);
    fetchSpans(trace, 0, PAGE, ["llm"]).then((p) => { setSpans(p.spans); setTotal(p.total); }).catch((e) => setError(e.message));
    fetchSpan(trace, tree.ids[rootIndex]).then(setRoot).catch((e) => setError(e.message));
  }, [trace.objectType, trace.objectId, trace.rootSpanId]);
  function more() {
    fetchSpans(trace, spans!.length, PAGE, ["llm"]).then((p) => setSpans([...(spans ?? []), ...p.spans])).catch((e) => setError(e.message));
  }
  if (error) return <ErrorMessage>{error}</ErrorMessage>;
  if (!spans || !root) return <div className="thread"><SkeletonRows rows={8} label="Loading the conversation" /></div>;
  const rootSpan = root.span as Record<string, any>;
  // The LLM spans hold the conversation; a trace without any falls back to its root's input and
  // output (e.g. plain strings).
  const fromLlm: Message[] = thread(spans);
  const messages = fromLlm.length ? fromLlm : thread([rootSpan]);
  const hasLlm = messages.length > 0;
  const scores = root.score_spans;
  return (
    <div className="thread" aria-label="Thread">
      {hasLlm ? <MessagesView messages={messages} term={term} /> : (
        <EmptyState icon={<MessagesSquare />} title="No conversation recognised in this trace">
          The thread is read from the input and output of spans of type <code>llm</code> ({total} here) and of the
          root span: OpenAI chat messages (with tool calls and tool results), Anthropic messages (text,
          tool_use and tool_result blocks) and plain strings, also under the keys messages, prompt, input,
          output, choices, result or response. Use the Trace view to read this trace's spans.
        </EmptyState>
      )}
      {spans.length < total && <div className="row"><Button onClick={more}>Load {Math.min(PAGE, total - spans.length)} more LLM spans of {total - spans.length}</Button></div>}
      {scores.length > 0 && (
        <section className="thread-scores card" aria-label="Thread scores">
          <h3>Scores</h3>
          <ul className="score-list">
            {scores.map((s) => Object.entries(s.scores ?? { [s.name ?? "score"]: null }).map(([name, value]) => (
              <li key={s.span_id + name} className="score-item" data-score={name}>
                <div className="score-row"><span className="score-name">{name}</span><ScoreBar value={value} /><span className="score-value">{value == null ? "—" : fmtScore(value)}</span></div>
                {typeof s.metadata === "object" && s.metadata !== null && Object.keys(s.metadata).length > 0 && <div className="score-why"><Pretty value={s.metadata} term={term} /></div>}
                {s.error != null && <pre className="traceback">{String(typeof s.error === "string" ? s.error : JSON.stringify(s.error))}</pre>}
              </li>
            )))}
          </ul>
        </section>
      )}
    </div>
  );
}

// The selected span in full: timing, tokens and cost, error with its traceback, scores with their
// explanations, input, output, expected, metadata, tags, comments, and the raw JSON.
//
// `renderField` lets a caller replace how a field is drawn (the comparison view plugs a diff of the
// same field across experiments in here) while keeping the layout, formats and copy buttons.
import { AlertTriangle, Braces, Clock, Coins, Hash, MessageSquare, Tag } from "lucide-react";
import { useEffect, useState, type ReactNode } from "react";
import { Button, ErrorMessage, SkeletonRows } from "../ui";
import { fmtScore } from "../components/format";
import { labelsOf } from "../components/columns";
import { fetchSpan, forgetTrace, type SpanDetail as Detail, type TraceRef } from "./api";
import { ReviewPanel } from "../review/ReviewPanel";
import type { ReviewState } from "../review/api";
import { FieldView } from "./FieldView";
import { Highlight } from "./Highlight";
import { Pretty } from "./Pretty";
import { RawJson } from "./RawJson";
import { SpanIcon } from "./SpanIcon";
import { duration, fmtCost, fmtDuration, fmtTokens, type TraceTree } from "./model";

export type FieldRenderer = (field: string, value: unknown, view: ReactNode) => ReactNode;

// Human review in the scores panel: the project the trace belongs to, where its review scores are
// set up, and what to do once a review is saved.
export interface ReviewOptions {
  projectId: string;
  settingsHref?: string;
  onReviewed?: (s: ReviewState) => void;
}

const FIELDS: [string, string][] = [["input", "Input"], ["output", "Output"], ["expected", "Expected"], ["metadata", "Metadata"]];

export function SpanDetail({ trace, tree, index, term, renderField, review }: {
  trace: TraceRef; tree: TraceTree; index: number; term?: string; renderField?: FieldRenderer; review?: ReviewOptions;
}) {
  const spanId = tree.ids[index];
  const [detail, setDetail] = useState<Detail | null>(null);
  const [error, setError] = useState("");
  const [raw, setRaw] = useState(false);
  useEffect(() => {
    let live = true;
    setError("");
    fetchSpan(trace, spanId)
      .then((d) => live && setDetail(d))
      .catch((e) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [trace.objectType, trace.objectId, trace.rootSpanId, spanId]);
  const s = tree.skeleton.spans;
  const current = detail && detail.span.span_id === spanId ? detail : null;
  const span = current?.span as Record<string, any> | undefined;
  const dur = duration(tree, index);
  const own = s.cost[index];
  const rolled = tree.cost[index];
  return (
    <section className="span-detail" aria-label="Span details" data-span-id={spanId}>
      <header className="span-head">
        <SpanIcon type={s.type[index]} size={16} />
        <h3 className="span-title"><Highlight text={s.name[index] ?? "(unnamed span)"} term={term} /></h3>
        {s.type[index] && <span className="badge">{s.type[index]}</span>}
        {s.error[index] && <span className="badge danger"><AlertTriangle aria-hidden />error</span>}
        <span className="spacer" />
        <Button size="sm" variant="ghost" icon={<Braces />} onClick={() => setRaw(true)} disabled={!span}>Raw JSON</Button>
      </header>
      <dl className="span-metrics" aria-label="Timing and usage">
        <div><dt><Clock aria-hidden />Duration</dt><dd>{fmtDuration(dur) || "—"}</dd></div>
        <div><dt>Started</dt><dd>{s.start[index] != null ? fmtTime(s.start[index]!) : "—"}</dd></div>
        <div title={`${fmtTokens(s.prompt_tokens[index]) || 0} prompt, ${fmtTokens(s.completion_tokens[index]) || 0} completion`}>
          <dt><Hash aria-hidden />Tokens</dt>
          <dd>{tree.tokens[index] ? fmtTokens(tree.tokens[index]) : "—"}{s.tokens[index] == null && tree.tokens[index] ? <small>in children</small> : s.prompt_tokens[index] != null ? <small>{fmtTokens(s.prompt_tokens[index])} in · {fmtTokens(s.completion_tokens[index]) || 0} out</small> : null}</dd>
        </div>
        <div><dt><Coins aria-hidden />Estimated cost</dt><dd>{rolled ? fmtCost(rolled) : "—"}{rolled && !own ? <small>in children</small> : rolled && rolled !== own ? <small>{fmtCost(own)} own</small> : null}</dd></div>
      </dl>
      <ErrorMessage>{error}</ErrorMessage>
      {!span && !error && <SkeletonRows rows={6} label="Loading span" />}
      {span && (
        <div className="span-fields">
          {span.error != null && (
            <section className="field-view span-error" aria-label="Error">
              <header><span className="field-title danger"><AlertTriangle aria-hidden />Error</span></header>
              <pre className="traceback"><Highlight text={typeof span.error === "string" ? span.error : JSON.stringify(span.error, null, 2)} term={term} /></pre>
            </section>
          )}
          <Scores span={span} detail={current!} term={term} />
          {review && trace.objectType !== "dataset" && span.span_attributes?.type !== "review" && (
            <ReviewPanel target={{ rowsType: trace.objectType, objectId: trace.objectId, projectId: review.projectId, rowId: String(span.id), settingsHref: review.settingsHref }}
              onReviewed={(s) => { forgetTrace(trace); review.onReviewed?.(s); }} />
          )}
          {FIELDS.map(([field, label]) => {
            const value = span[field];
            if (value === undefined || value === null || (field === "metadata" && isEmpty(value))) return null;
            const view = <FieldView key={field} field={field} label={label} value={value} term={term} />;
            return renderField ? <div key={field}>{renderField(field, value, view)}</div> : view;
          })}
          {Array.isArray(span.tags) && span.tags.length > 0 && (
            <section className="field-view" aria-label="Tags">
              <header><span className="field-title"><Tag aria-hidden />Tags</span></header>
              <div className="field-body">{span.tags.map((t: string) => <span key={t} className="tag">{t}</span>)}</div>
            </section>
          )}
          {Array.isArray(span.comments) && span.comments.length > 0 && (
            <section className="field-view" aria-label="Comments">
              <header><span className="field-title"><MessageSquare aria-hidden />Comments</span></header>
              <ul className="comments field-body">
                {span.comments.map((c: any, i: number) => (
                  <li key={c.id ?? i}><Pretty value={c.comment?.text ?? c.comment ?? c.text ?? c} term={term} />
                    {c.created && <span className="subtle"> · {new Date(c.created).toLocaleString()}</span>}</li>
                ))}
              </ul>
            </section>
          )}
          {span.metrics && <FieldView field="metrics" label="Metrics" value={span.metrics} term={term} defaultOpen={false} />}
          <FieldView field="span_attributes" label="Span attributes" value={{ span_id: span.span_id, id: span.id, span_parents: span.span_parents, ...span.span_attributes }} term={term} defaultOpen={false} />
        </div>
      )}
      {span && <RawJson open={raw} onClose={() => setRaw(false)} trace={trace} span={span} />}
    </section>
  );
}

function fmtTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function isEmpty(v: unknown): boolean {
  return typeof v === "object" && v !== null && Object.keys(v).length === 0;
}

// The span's scores, each with its explanation: the score span's metadata (e.g. an LLM judge's
// rationale) and output, or the scorer's error.
function Scores({ span, detail, term }: { span: Record<string, any>; detail: Detail; term?: string }) {
  const own: Record<string, number | null> = span.scores ?? {};
  const fromSpans = detail.score_spans;
  const names = [...new Set([...Object.keys(own), ...fromSpans.flatMap((s) => Object.keys(s.scores ?? {}))])];
  if (!names.length && !fromSpans.length) return null;
  const isScorer = span.span_attributes?.type === "score";
  return (
    <section className="field-view scores" aria-label="Scores">
      <header><span className="field-title">Scores</span></header>
      <ul className="score-list field-body">
        {names.map((name) => {
          const by = fromSpans.find((s) => s.scores && name in s.scores);
          const value = by?.scores?.[name] ?? own[name] ?? null;
          const why = by ? explanation(by) : isScorer ? explanation(span as any) : null;
          return (
            <li key={name} className="score-item" data-score={name}>
              <div className="score-row">
                <span className="score-name">{name}</span>
                <ScoreBar value={value} />
                <span className="score-value">{value == null ? "—" : fmtScore(value)}</span>
              </div>
              {by?.error != null && <pre className="traceback">{typeof by.error === "string" ? by.error : JSON.stringify(by.error, null, 2)}</pre>}
              {why != null && <div className="score-why" aria-label={`Why ${name}`}><Pretty value={why} term={term} /></div>}
            </li>
          );
        })}
        {fromSpans.filter((s) => !s.scores || !Object.keys(s.scores).length).map((s) => {
          // A classifier's labels (the reference's `classifications`), a facet's summary, or nothing.
          const labels = Object.values(s.classifications ?? {}).flatMap(labelsOf);
          const facet = Object.values(s.facets ?? {}).join(" · ");
          const why = s.error == null && (labels.length || facet) ? explanation({ metadata: s.metadata }) : null;
          return (
            <li key={s.span_id} className="score-item" data-score={s.name ?? ""}>
              <div className="score-row">
                <span className="score-name">{s.name}</span>
                {labels.length > 0 ? (
                  <span className="labels" aria-label={`${s.name} labels`}>{labels.map((l, i) => <span key={i} className="badge label-chip">{l}</span>)}</span>
                ) : facet ? (
                  <span className="facet-text" aria-label={`${s.name} summary`}>{facet}</span>
                ) : (
                  <span className="score-value">—</span>
                )}
              </div>
              {s.error != null && <pre className="traceback">{typeof s.error === "string" ? s.error : JSON.stringify(s.error, null, 2)}</pre>}
              {why != null && <div className="score-why" aria-label={`Why ${s.name}`}><Pretty value={why} term={term} /></div>}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function explanation(s: { output?: unknown; metadata?: unknown }): unknown {
  const md = s.metadata && typeof s.metadata === "object" && Object.keys(s.metadata).length ? s.metadata : null;
  const out = s.output;
  const trivialOut = out == null || (typeof out === "object" && Object.keys(out as object).every((k) => k === "score"));
  if (md && !trivialOut) return { ...(md as object), output: out };
  return md ?? (trivialOut ? null : out);
}

export function ScoreBar({ value }: { value: number | null }) {
  const v = value == null ? 0 : Math.max(0, Math.min(1, value));
  const tone = value == null ? "" : v >= 0.75 ? "good" : v >= 0.4 ? "mid" : "bad";
  return <span className={`score-bar ${tone}`} aria-hidden><span style={{ width: `${v * 100}%` }} /></span>;
}

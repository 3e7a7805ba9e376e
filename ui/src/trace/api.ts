// The trace routes, with a small cache of span details so moving back and forth is instant.
import { api, type Schemas } from "../api/client";
import { foreground } from "../api/priority";

export type SpanDetail = Schemas["SpanDetail"];
export type TraceSkeleton = Schemas["TraceSkeleton"];
export type TraceSearch = Schemas["TraceSearch"];
export type TraceSpans = Schemas["TraceSpans"];

export interface TraceRef {
  objectType: "experiment" | "dataset" | "project_logs";
  objectId: string;
  rootSpanId: string;
}

export const traceBase = (t: TraceRef) =>
  `/v1/${t.objectType}/${encodeURIComponent(t.objectId)}/trace/${encodeURIComponent(t.rootSpanId)}`;

const details = new Map<string, Promise<SpanDetail>>();

export function fetchSkeleton(t: TraceRef): Promise<TraceSkeleton> {
  return foreground(api<TraceSkeleton>(traceBase(t)));
}

export function fetchSpan(t: TraceRef, spanId: string): Promise<SpanDetail> {
  const key = `${traceBase(t)}/${spanId}`;
  let p = details.get(key);
  if (!p) {
    p = api<SpanDetail>(`${traceBase(t)}/span/${encodeURIComponent(spanId)}`);
    p.catch(() => details.delete(key));
    details.set(key, p);
    if (details.size > 500) details.delete(details.keys().next().value!);
  }
  return p;
}

// Forget the cached spans of a trace (a review changed them).
export function forgetTrace(t: TraceRef) {
  const prefix = `${traceBase(t)}/`;
  for (const key of [...details.keys()]) if (key.startsWith(prefix)) details.delete(key);
}

export function searchTrace(t: TraceRef, q: string): Promise<TraceSearch> {
  return api<TraceSearch>(`${traceBase(t)}/search?q=${encodeURIComponent(q)}`);
}

export function fetchSpans(t: TraceRef, offset: number, limit: number, types?: string[]): Promise<TraceSpans> {
  const ty = (types ?? []).map((x) => `&type=${encodeURIComponent(x)}`).join("");
  return api<TraceSpans>(`${traceBase(t)}/spans?offset=${offset}&limit=${limit}${ty}`);
}

// A trace's skeleton turned into a tree the views can walk in linear time: children lists,
// depths, preorder, and costs/tokens rolled up from children. Built once per trace; a
// 30,000-span trace takes a few milliseconds.
import type { Schemas } from "../api/client";

export type Skeleton = Schemas["TraceSkeleton"];

export interface TraceTree {
  skeleton: Skeleton;
  n: number;
  ids: string[];
  index: Map<string, number>; // span_id -> index
  parent: Int32Array;
  children: number[][]; // in start order (the server sends spans by start time)
  roots: number[];
  depth: Int32Array;
  preorder: Int32Array; // every span, parents before children, siblings by start
  cost: Float64Array; // rolled up: the span's own cost plus its descendants'
  tokens: Float64Array; // rolled up
  ownCost: (number | null)[];
  hasErrorBelow: Uint8Array; // the span or a descendant failed
  start: number; // earliest start in the trace (seconds)
  end: number; // latest end
}

export function buildTree(sk: Skeleton): TraceTree {
  const s = sk.spans;
  const n = s.span_id.length;
  const parent = Int32Array.from(s.parent);
  const children: number[][] = Array.from({ length: n }, () => []);
  const roots: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = parent[i];
    if (p >= 0 && p < n) children[p].push(i);
    else roots.push(i);
  }
  const depth = new Int32Array(n);
  const preorder = new Int32Array(n);
  let k = 0;
  const stack: number[] = [];
  for (let r = roots.length - 1; r >= 0; r--) stack.push(roots[r]);
  while (stack.length) {
    const i = stack.pop()!;
    preorder[k++] = i;
    const kids = children[i];
    for (let c = kids.length - 1; c >= 0; c--) {
      depth[kids[c]] = depth[i] + 1;
      stack.push(kids[c]);
    }
  }
  const cost = new Float64Array(n);
  const tokens = new Float64Array(n);
  const err = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    cost[i] = s.cost[i] ?? 0;
    tokens[i] = s.tokens[i] ?? 0;
    err[i] = s.error[i] ? 1 : 0;
  }
  for (let j = k - 1; j >= 0; j--) {
    const i = preorder[j];
    const p = parent[i];
    if (p >= 0) {
      cost[p] += cost[i];
      tokens[p] += tokens[i];
      if (err[i]) err[p] = 1;
    }
  }
  let start = Infinity;
  let end = -Infinity;
  for (let i = 0; i < n; i++) {
    const a = s.start[i];
    const b = s.end[i];
    if (a != null && a < start) start = a;
    if (b != null && b > end) end = b;
    if (a != null && a > end) end = a;
  }
  const index = new Map<string, number>();
  s.span_id.forEach((id, i) => index.set(id, i));
  return {
    skeleton: sk, n, ids: s.span_id, index, parent, children, roots, depth, preorder, cost, tokens,
    ownCost: s.cost, hasErrorBelow: err, start: Number.isFinite(start) ? start : 0, end: Number.isFinite(end) ? end : 0,
  };
}

// The spans shown when `collapsed` spans hide their descendants, in preorder.
export function visibleSpans(t: TraceTree, collapsed: Set<number>, keep?: Uint8Array): number[] {
  const out: number[] = [];
  const stack: number[] = [];
  for (let r = t.roots.length - 1; r >= 0; r--) stack.push(t.roots[r]);
  while (stack.length) {
    const i = stack.pop()!;
    if (keep && !keep[i]) continue;
    out.push(i);
    if (collapsed.has(i)) continue;
    const kids = t.children[i];
    for (let c = kids.length - 1; c >= 0; c--) stack.push(kids[c]);
  }
  return out;
}

// The chain of ancestors of span i, nearest first.
export function ancestors(t: TraceTree, i: number): number[] {
  const out: number[] = [];
  for (let p = t.parent[i]; p >= 0; p = t.parent[p]) out.push(p);
  return out;
}

export function duration(t: TraceTree, i: number): number | null {
  const a = t.skeleton.spans.start[i];
  const b = t.skeleton.spans.end[i];
  return a != null && b != null ? b - a : null;
}

// Spans whose type is in `types`; with `hierarchy`, also every ancestor of one (so they stay nested).
export function typeFilter(t: TraceTree, types: Set<string>, hierarchy: boolean): Uint8Array {
  const keep = new Uint8Array(t.n);
  const ty = t.skeleton.spans.type;
  for (let i = 0; i < t.n; i++) {
    if (!types.has(ty[i] ?? "other")) continue;
    keep[i] = 1;
    if (hierarchy) for (let p = t.parent[i]; p >= 0 && !keep[p]; p = t.parent[p]) keep[p] = 1;
  }
  return keep;
}

export function fmtDuration(s: number | null | undefined): string {
  if (s == null || !Number.isFinite(s)) return "";
  if (s < 0.001) return `${Math.round(s * 1e6)}µs`;
  if (s < 1) return `${Math.round(s * 1000)}ms`;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m ${Math.round(s - m * 60)}s`;
}

export function fmtTokens(v: number | null | undefined): string {
  if (!v) return "";
  return v >= 10000 ? `${(v / 1000).toFixed(1)}k` : String(Math.round(v));
}

export function fmtCost(v: number | null | undefined): string {
  if (!v) return "";
  if (v < 0.0001) return "<$0.0001";
  return v < 0.01 ? `$${v.toFixed(4)}` : `$${v.toFixed(3)}`;
}

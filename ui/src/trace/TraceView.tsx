// The trace view: the span tree (or the timeline) beside the selected span's details, or the
// thread; find over this span or the whole trace; fullscreen, its own page, and close.
//
// Keys while it is open: n/p next/previous span, 1/2/3 trace/timeline/thread, f fullscreen,
// Ctrl+F find, Esc leave fullscreen or close. Arrow keys move inside the tree or timeline.
import { ArrowUpRight, Gauge, Maximize2, Minimize2, MoreHorizontal, Search, Sparkles, X } from "lucide-react";
import { useEffect, useMemo, useRef, useState } from "react";
import { Link } from "react-router-dom";
import { TraceAssistant } from "../assistant/TraceAssistant";
import { ErrorMessage, IconButton, Menu, MenuItem, MenuLabel, SkeletonRows, Spinner, Tooltip, useHotkeys } from "../ui";
import type { TraceMode } from "../state/trace";
import { fetchSkeleton, fetchSpan, searchTrace, type TraceRef } from "./api";
import { contains } from "./Highlight";
import { buildTree, typeFilter, visibleSpans, type TraceTree } from "./model";
import { SpanDetail, type FieldRenderer, type ReviewOptions } from "./SpanDetail";
import { SpanIcon } from "./SpanIcon";
import { SpanTree } from "./SpanTree";
import { Thread } from "./Thread";
import { Timeline, TimelineControls, type Scale } from "./Timeline";
import { fmtCost, fmtDuration, fmtTokens, duration } from "./model";

const METRICS_KEY = "assay.trace.metrics";

export interface TraceViewProps {
  trace: TraceRef;
  span: string;
  mode: TraceMode;
  onSpan: (spanId: string) => void;
  onMode: (m: TraceMode) => void;
  fullscreen?: boolean;
  onFullscreen?: (on: boolean) => void;
  onClose?: () => void;
  pageHref?: string; // "open in its own page"
  onScore?: () => void; // "score this trace" (retrospective scoring)
  onlyTraceMode?: boolean; // comparing experiments: timeline and thread are not offered
  assistant?: boolean; // offer the trace assistant (fullscreen, or the trace's own page)
  renderField?: FieldRenderer;
  review?: ReviewOptions; // human review in the scores panel (experiments and logs)
}

export function TraceView(props: TraceViewProps) {
  const { trace, mode, onlyTraceMode } = props;
  const [tree, setTree] = useState<TraceTree | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    let live = true;
    setTree(null);
    setError("");
    fetchSkeleton(trace)
      .then((sk) => live && setTree(buildTree(sk)))
      .catch((e) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [trace.objectType, trace.objectId, trace.rootSpanId]);
  const shownMode: TraceMode = onlyTraceMode ? "trace" : mode;
  // These keys work while the trace is still loading, too.
  useHotkeys({
    "1": () => props.onMode("trace"),
    "2": () => !onlyTraceMode && props.onMode("timeline"),
    "3": () => !onlyTraceMode && props.onMode("thread"),
    f: () => props.onFullscreen?.(!props.fullscreen),
    Escape: () => (props.fullscreen && props.onFullscreen ? props.onFullscreen(false) : props.onClose?.()),
  });
  return (
    <section className={`trace-view mode-${shownMode}`} aria-label="Trace" data-root-span-id={trace.rootSpanId}>
      {error ? (
        <>
          <TraceHeader {...props} tree={null} mode={shownMode} />
          <div className="trace-error"><ErrorMessage>{error}</ErrorMessage></div>
        </>
      ) : !tree ? (
        <>
          <TraceHeader {...props} tree={null} mode={shownMode} />
          <div className="trace-loading"><SkeletonRows rows={10} label="Loading the trace" /></div>
        </>
      ) : (
        <LoadedTrace {...props} tree={tree} mode={shownMode} />
      )}
    </section>
  );
}

function TraceHeader(props: TraceViewProps & { tree: TraceTree | null; children?: React.ReactNode; asking?: boolean; onAsk?: () => void }) {
  const { tree, mode, onlyTraceMode } = props;
  const root = tree?.roots[0];
  const s = tree?.skeleton.spans;
  const modes: [TraceMode, string, string][] = [["trace", "Trace", "1"], ["timeline", "Timeline", "2"], ["thread", "Thread", "3"]];
  return (
    <header className="trace-header">
      <div className="trace-title">
        {tree && root !== undefined ? <SpanIcon type={s!.type[root]} size={16} /> : <Spinner />}
        <h2>{tree && root !== undefined ? s!.name[root] ?? "Trace" : "Trace"}</h2>
        {tree && root !== undefined && (
          <span className="trace-stats">
            <span>{tree.n.toLocaleString()} span{tree.n === 1 ? "" : "s"}</span>
            {duration(tree, root) != null && <span>{fmtDuration(tree.end - tree.start)}</span>}
            {tree.tokens[root] > 0 && <span className="opt">{fmtTokens(tree.tokens[root])} tokens</span>}
            {tree.cost[root] > 0 && <span className="opt">{fmtCost(tree.cost[root])}</span>}
            {tree.skeleton.truncated && <span className="down">first {tree.n.toLocaleString()} only</span>}
          </span>
        )}
      </div>
      <div className="segmented" role="tablist" aria-label="Trace view">
        {modes.map(([m, label, key]) => {
          const disabled = onlyTraceMode && m !== "trace";
          const button = (
            <button key={m} role="tab" aria-selected={mode === m} data-state={mode === m ? "on" : "off"} disabled={disabled}
              onClick={() => props.onMode(m)}>{label}</button>
          );
          return disabled ? (
            <Tooltip key={m} content="Only the trace view is offered while comparing experiments"><span>{button}</span></Tooltip>
          ) : <Tooltip key={m} content={`${label} view`} shortcut={key}>{button}</Tooltip>;
        })}
      </div>
      {props.children}
      <span className="spacer" />
      {props.onAsk && (
        <IconButton label="Assistant on this trace" aria-pressed={props.asking} onClick={props.onAsk}><Sparkles /></IconButton>
      )}
      {props.onScore && <IconButton label="Score this trace" onClick={props.onScore}><Gauge /></IconButton>}
      {props.onFullscreen && (
        <IconButton label={props.fullscreen ? "Exit fullscreen" : "Fullscreen"} shortcut="f" onClick={() => props.onFullscreen!(!props.fullscreen)}>
          {props.fullscreen ? <Minimize2 /> : <Maximize2 />}
        </IconButton>
      )}
      {props.pageHref && (
        <Tooltip content="Open in its own page">
          <Link className="btn ghost icon" to={props.pageHref} aria-label="Open in its own page"><ArrowUpRight /></Link>
        </Tooltip>
      )}
      {props.onClose && <IconButton label="Close trace" shortcut="Esc" onClick={props.onClose}><X /></IconButton>}
    </header>
  );
}

function LoadedTrace(props: TraceViewProps & { tree: TraceTree }) {
  const { tree, trace, mode } = props;
  const [collapsed, setCollapsed] = useState<Set<number>>(() => new Set());
  const [metrics, setMetrics] = useState(() => {
    try {
      return { duration: true, tokens: true, cost: true, ...JSON.parse(localStorage.getItem(METRICS_KEY) ?? "{}") };
    } catch {
      return { duration: true, tokens: true, cost: true };
    }
  });
  const [scale, setScale] = useState<Scale>("duration");
  const [types, setTypes] = useState<Set<string> | null>(null);
  const [hierarchy, setHierarchy] = useState(true);
  const [find, setFind] = useState("");
  const [scope, setScope] = useState<"span" | "trace">("trace");
  const [matches, setMatches] = useState<Set<number> | null>(null);
  const [searching, setSearching] = useState(false);
  const findRef = useRef<HTMLInputElement>(null);
  const [asking, setAsking] = useState(false);
  const asks = asking && !!props.assistant;

  const selected = tree.index.get(props.span) ?? tree.roots[0] ?? 0;
  // Opening a span deep in a collapsed branch unfolds its ancestors.
  useEffect(() => {
    setCollapsed((prev) => {
      let changed = false;
      const next = new Set(prev);
      for (let p = tree.parent[selected]; p >= 0; p = tree.parent[p]) if (next.delete(p)) changed = true;
      return changed ? next : prev;
    });
  }, [selected, tree]);
  const keep = useMemo(() => (mode === "timeline" && types ? typeFilter(tree, types, hierarchy) : undefined), [mode, types, hierarchy, tree]);
  const rows = useMemo(() => {
    if (keep && !hierarchy) {
      const out: number[] = [];
      for (let k = 0; k < tree.n; k++) if (keep[tree.preorder[k]]) out.push(tree.preorder[k]);
      return out;
    }
    return visibleSpans(tree, collapsed, keep);
  }, [tree, collapsed, keep, hierarchy]);

  // Find over the whole trace runs in the database; over this span, in the fields on screen.
  useEffect(() => {
    if (!find.trim() || scope === "span") {
      setMatches(null);
      return;
    }
    setSearching(true);
    const t = window.setTimeout(() => {
      searchTrace(trace, find.trim())
        .then((r) => setMatches(new Set(r.span_ids.map((id) => tree.index.get(id)).filter((i): i is number => i !== undefined))))
        .catch(() => setMatches(new Set()))
        .finally(() => setSearching(false));
    }, 250);
    return () => window.clearTimeout(t);
  }, [find, scope, trace.rootSpanId, tree]);
  const select = (i: number) => {
    fetchSpan(trace, tree.ids[i]); // ask now, not once the URL change has re-rendered the page
    props.onSpan(tree.ids[i]);
  };
  function step(delta: number) {
    const at = rows.indexOf(selected);
    const to = at + delta;
    if (to >= 0 && to < rows.length) select(rows[to]);
  }
  function nextMatch(delta = 1) {
    if (!matches?.size) return;
    const order = tree.preorder;
    const pos = Array.prototype.indexOf.call(order, selected);
    for (let k = 1; k <= tree.n; k++) {
      const i = order[(pos + delta * k + tree.n * 2) % tree.n];
      if (matches.has(i)) {
        select(i);
        return;
      }
    }
  }
  function toggle(i: number, open?: boolean) {
    setCollapsed((prev) => {
      const next = new Set(prev);
      const close = open === undefined ? !next.has(i) : !open;
      if (close) next.add(i);
      else next.delete(i);
      return next;
    });
  }
  function setMetric(k: "duration" | "tokens" | "cost") {
    const next = { ...metrics, [k]: !metrics[k] };
    localStorage.setItem(METRICS_KEY, JSON.stringify(next));
    setMetrics(next);
  }
  useHotkeys({ n: () => step(1), p: () => step(-1) });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "f") {
        e.preventDefault();
        findRef.current?.focus();
        findRef.current?.select();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  const term = find.trim() || undefined;
  const spanTerm = term && (scope === "span" || matches?.has(selected)) ? term : undefined;
  const spanMatches = scope === "span" && term ? null : matches;
  return (
    <>
      <TraceHeader {...props} tree={tree} asking={asks} onAsk={props.assistant ? () => setAsking(!asking) : undefined}>
        <div className="trace-find" role="search">
          <Search aria-hidden />
          <input ref={findRef} className="input sm" type="search" aria-label="Find in trace" placeholder="Find in trace…"
            value={find} onChange={(e) => setFind(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") { e.preventDefault(); nextMatch(e.shiftKey ? -1 : 1); }
              if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); setFind(""); (e.target as HTMLInputElement).blur(); }
            }} />
          <select className="select sm" aria-label="Find scope" value={scope} onChange={(e) => setScope(e.target.value as "span" | "trace")}>
            <option value="trace">Full trace</option>
            <option value="span">This span</option>
          </select>
          {term && scope === "trace" && (
            <span className="find-count" role="status">{searching ? <Spinner size={12} /> : `${matches?.size ?? 0} span${matches?.size === 1 ? "" : "s"}`}</span>
          )}
          {term && scope === "span" && <span className="find-count" role="status">{contains(tree.skeleton.spans.name[selected], term) ? "in name" : "highlighted below"}</span>}
        </div>
      </TraceHeader>
      <div className={asks ? "trace-with-assistant" : "trace-main"}>
      {mode === "thread" ? (
        <div className="trace-body single"><Thread trace={trace} tree={tree} term={term} /></div>
      ) : (
        <div className="trace-body">
          <div className="trace-left">
            <div className="pane-toolbar">
              {mode === "trace" ? (
                <>
                  <span className="muted">{rows.length.toLocaleString()} of {tree.n.toLocaleString()} spans shown</span>
                  <span className="spacer" />
                  <Menu align="end" trigger={<IconButton size="sm" label="Metrics shown in the tree"><MoreHorizontal /></IconButton>}>
                    <MenuLabel>Show in the tree</MenuLabel>
                    <MenuItem checked={metrics.duration} onSelect={() => setMetric("duration")}>Duration</MenuItem>
                    <MenuItem checked={metrics.tokens} onSelect={() => setMetric("tokens")}>Total tokens</MenuItem>
                    <MenuItem checked={metrics.cost} onSelect={() => setMetric("cost")}>Estimated cost</MenuItem>
                  </Menu>
                </>
              ) : (
                <TimelineControls tree={tree} scale={scale} onScale={setScale} types={types} onTypes={setTypes} hierarchy={hierarchy} onHierarchy={setHierarchy} />
              )}
            </div>
            {mode === "trace" ? (
              <SpanTree tree={tree} rows={rows} collapsed={collapsed} selected={selected} matches={spanMatches}
                onSelect={select} onToggle={toggle} metrics={metrics} />
            ) : (
              <Timeline tree={tree} rows={rows} flat={!!keep && !hierarchy} selected={selected} onSelect={select} scale={scale} matches={spanMatches} />
            )}
          </div>
          <div className="trace-right">
            <SpanDetail trace={trace} tree={tree} index={selected} term={spanTerm} renderField={props.renderField} review={props.review} />
          </div>
        </div>
      )}
      {asks && <TraceAssistant trace={trace} tree={tree} onSpan={(id) => { if (mode === "thread") props.onMode("trace"); props.onSpan(id); }} onClose={() => setAsking(false)} />}
      </div>
    </>
  );
}

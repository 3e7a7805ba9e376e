// The timeline: one bar per span, nested like the tree and coloured by type. Bars are placed by
// metrics.start/end (scale "duration"), or sized by tokens or cost (rolled up from children).
// A span-type filter can keep the ancestors of matching spans so they stay nested.
import { useVirtualizer } from "@tanstack/react-virtual";
import { Filter } from "lucide-react";
import { useEffect, useMemo, useRef } from "react";
import { Button, Menu, MenuItem, MenuLabel, MenuSeparator } from "../ui";
import { SpanIcon, typeColor } from "./SpanIcon";
import { duration, fmtCost, fmtDuration, fmtTokens, type TraceTree } from "./model";

export type Scale = "duration" | "tokens" | "cost";
const ROW = 26;

export function TimelineControls({ tree, scale, onScale, types, onTypes, hierarchy, onHierarchy }: {
  tree: TraceTree; scale: Scale; onScale: (s: Scale) => void;
  types: Set<string> | null; onTypes: (t: Set<string> | null) => void; hierarchy: boolean; onHierarchy: (h: boolean) => void;
}) {
  const present = useMemo(() => [...new Set(tree.skeleton.spans.type.map((t) => t ?? "other"))].sort(), [tree]);
  return (
    <div className="row timeline-controls">
      <label className="row"><span className="muted">Scale by</span>
        <select className="select sm" aria-label="Scale by" value={scale} onChange={(e) => onScale(e.target.value as Scale)}>
          <option value="duration">Duration</option>
          <option value="tokens">Total tokens</option>
          <option value="cost">Estimated cost</option>
        </select>
      </label>
      <Menu trigger={<Button size="sm" icon={<Filter />} aria-label="Filter by span type">{types ? `${types.size} type${types.size === 1 ? "" : "s"}` : "All types"}</Button>}>
        <MenuLabel>Span types</MenuLabel>
        {present.map((t) => (
          <MenuItem key={t} icon={<SpanIcon type={t} />} checked={!types || types.has(t)} onSelect={() => {
            const next = new Set(types ?? present);
            if (next.has(t)) next.delete(t);
            else next.add(t);
            onTypes(next.size === present.length ? null : next);
          }}>{t}</MenuItem>
        ))}
        <MenuSeparator />
        <MenuItem checked={hierarchy} onSelect={() => onHierarchy(!hierarchy)}>Maintain hierarchy</MenuItem>
        {types && <MenuItem onSelect={() => onTypes(null)}>Show all types</MenuItem>}
      </Menu>
    </div>
  );
}

export function Timeline({ tree, rows, flat, selected, onSelect, scale, matches }: {
  tree: TraceTree; rows: number[]; flat: boolean; selected: number; onSelect: (i: number) => void; scale: Scale; matches: Set<number> | null;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 20 });
  const pos = rows.indexOf(selected);
  useEffect(() => {
    if (pos >= 0) v.scrollToIndex(pos, { align: "auto" });
  }, [pos]);
  const s = tree.skeleton.spans;
  const total = Math.max(tree.end - tree.start, 1e-9);
  const max = useMemo(() => {
    let m = 0;
    for (const i of rows) m = Math.max(m, scale === "tokens" ? tree.tokens[i] : scale === "cost" ? tree.cost[i] : 0);
    return m || 1;
  }, [rows, scale, tree]);
  function bar(i: number): { left: number; width: number; label: string } {
    if (scale === "duration") {
      const a = s.start[i] ?? tree.start;
      const b = s.end[i] ?? a;
      return { left: ((a - tree.start) / total) * 100, width: Math.max(((b - a) / total) * 100, 0.3), label: fmtDuration(duration(tree, i)) };
    }
    const value = scale === "tokens" ? tree.tokens[i] : tree.cost[i];
    return { left: 0, width: Math.max((value / max) * 100, value ? 0.5 : 0), label: scale === "tokens" ? fmtTokens(value) : fmtCost(value) };
  }
  function onKey(e: React.KeyboardEvent) {
    const to = e.key === "ArrowDown" ? pos + 1 : e.key === "ArrowUp" ? pos - 1 : null;
    if (to === null) return;
    e.preventDefault();
    e.stopPropagation();
    if (to >= 0 && to < rows.length) onSelect(rows[to]);
  }
  return (
    <div className="timeline" ref={scroller} role="listbox" aria-label="Timeline" tabIndex={0} onKeyDown={onKey}
      aria-activedescendant={selected >= 0 ? `bar-${selected}` : undefined}>
      <div className="timeline-axis" aria-hidden>
        <span className="axis-label">Span</span>
        <span className="axis-scale">
          {scale === "duration" ? [0, 0.25, 0.5, 0.75, 1].map((t) => <span key={t} style={{ left: `${t * 100}%` }}>{fmtDuration(t * total) || "0"}</span>)
            : <span style={{ left: 0 }}>{scale === "tokens" ? "tokens (with children)" : "cost (with children)"}</span>}
        </span>
      </div>
      <div style={{ height: v.getTotalSize(), position: "relative" }}>
        {v.getVirtualItems().map((item) => {
          const i = rows[item.index];
          const b = bar(i);
          return (
            <div key={i} id={`bar-${i}`} role="option" aria-selected={i === selected} data-span-id={tree.ids[i]}
              data-start={s.start[i] ?? ""} className={`timeline-row ${i === selected ? "selected" : ""} ${matches?.has(i) ? "match" : ""}`}
              style={{ transform: `translateY(${item.start}px)` }} onClick={() => onSelect(i)}>
              <span className="timeline-label" style={{ paddingLeft: 6 + (flat ? 0 : Math.min(tree.depth[i], 30) * 10) }}>
                <SpanIcon type={s.type[i]} size={12} />
                <span className="tree-name">{s.name[i] ?? "(unnamed)"}</span>
              </span>
              <span className="timeline-track">
                <span className={`timeline-bar ${s.error[i] ? "failed" : ""}`} data-type={s.type[i] ?? "other"}
                  style={{ left: `${b.left}%`, width: `${b.width}%`, background: typeColor(s.type[i]) }} />
              </span>
              <span className="timeline-value">{b.label}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}

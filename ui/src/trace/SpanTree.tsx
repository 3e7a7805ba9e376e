// The span tree, virtualised: only the rows in view exist in the page, so a 30,000-span trace
// scrolls like a 10-span one. Arrow keys move (Left/Right fold), each row shows type, name,
// error, duration, tokens and cost (rolled up from children); find matches are highlighted.
import { useVirtualizer } from "@tanstack/react-virtual";
import { AlertTriangle, ChevronDown, ChevronRight } from "lucide-react";
import { useEffect, useRef } from "react";
import { SpanIcon } from "./SpanIcon";
import { duration, fmtCost, fmtDuration, fmtTokens, type TraceTree } from "./model";

const ROW = 28;

export function SpanTree({ tree, rows, collapsed, selected, matches, onSelect, onToggle, metrics }: {
  tree: TraceTree;
  rows: number[]; // visible spans, in order
  collapsed: Set<number>;
  selected: number;
  matches: Set<number> | null;
  onSelect: (i: number) => void;
  onToggle: (i: number, open?: boolean) => void;
  metrics: { duration: boolean; tokens: boolean; cost: boolean };
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 20 });
  const pos = rows.indexOf(selected);
  useEffect(() => {
    if (pos >= 0) v.scrollToIndex(pos, { align: "auto" });
  }, [pos]);
  const s = tree.skeleton.spans;
  function onKey(e: React.KeyboardEvent) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const at = Math.max(0, pos);
    const move = (to: number) => {
      e.preventDefault();
      e.stopPropagation();
      if (to >= 0 && to < rows.length) onSelect(rows[to]);
    };
    if (e.key === "ArrowDown") move(at + 1);
    else if (e.key === "ArrowUp") move(at - 1);
    else if (e.key === "Home") move(0);
    else if (e.key === "End") move(rows.length - 1);
    else if (e.key === "ArrowRight" && selected >= 0) {
      e.preventDefault();
      e.stopPropagation();
      if (tree.children[selected].length && collapsed.has(selected)) onToggle(selected, true);
      else if (tree.children[selected].length) onSelect(tree.children[selected][0]);
    } else if (e.key === "ArrowLeft" && selected >= 0) {
      e.preventDefault();
      e.stopPropagation();
      if (tree.children[selected].length && !collapsed.has(selected)) onToggle(selected, false);
      else if (tree.parent[selected] >= 0) onSelect(tree.parent[selected]);
    }
  }
  const maxDepth = 60; // deeper spans keep the last indentation so names stay readable
  return (
    <div className="span-tree" ref={scroller} role="tree" aria-label="Span tree" tabIndex={0} onKeyDown={onKey}
      aria-activedescendant={selected >= 0 ? `span-${selected}` : undefined} data-span-count={tree.n}>
      <div style={{ height: v.getTotalSize(), position: "relative" }}>
        {v.getVirtualItems().map((item) => {
          const i = rows[item.index];
          const kids = tree.children[i].length;
          const depth = Math.min(tree.depth[i], maxDepth);
          const d = duration(tree, i);
          return (
            <div key={i} id={`span-${i}`} role="treeitem" aria-level={tree.depth[i] + 1} aria-selected={i === selected}
              aria-expanded={kids ? !collapsed.has(i) : undefined} data-span-id={tree.ids[i]} data-depth={tree.depth[i]}
              className={`tree-row ${i === selected ? "selected" : ""} ${matches?.has(i) ? "match" : ""}`}
              style={{ transform: `translateY(${item.start}px)`, paddingLeft: 6 + depth * 14 }}
              onClick={() => onSelect(i)}>
              {kids ? (
                <button className="tree-toggle" tabIndex={-1} aria-label={collapsed.has(i) ? "Expand" : "Collapse"}
                  onClick={(e) => { e.stopPropagation(); onToggle(i); }}>
                  {collapsed.has(i) ? <ChevronRight aria-hidden /> : <ChevronDown aria-hidden />}
                </button>
              ) : <span className="tree-toggle" />}
              <SpanIcon type={s.type[i]} />
              <span className="tree-name">{s.name[i] ?? "(unnamed)"}</span>
              {s.error[i] ? <AlertTriangle className="tree-error" aria-label="error" />
                : tree.hasErrorBelow[i] ? <span className="tree-error-below" title="A span below failed" /> : null}
              {kids > 0 && collapsed.has(i) && <span className="tree-count">{kids}</span>}
              <span className="tree-metrics">
                {metrics.duration && <span className="m-duration">{fmtDuration(d)}</span>}
                {metrics.tokens && tree.tokens[i] > 0 && <span className="m-tokens" title="tokens (with children)">{fmtTokens(tree.tokens[i])} tok</span>}
                {metrics.cost && tree.cost[i] > 0 && <span className="m-cost" title="estimated cost (with children)">{fmtCost(tree.cost[i])}</span>}
              </span>
            </div>
          );
        })}
      </div>
    </div>
  );
}

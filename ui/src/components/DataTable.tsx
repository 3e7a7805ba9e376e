import { useEffect, useMemo, useRef, useState } from "react";
import {
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type ColumnOrderState,
  type VisibilityState,
} from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { ArrowDown, ArrowUp, FilterX, Inbox } from "lucide-react";
import { api, type PageQuery, type Row, type Summary } from "../api/client";
import { Button, EmptyState, ErrorMessage } from "../ui";
import { cellText, fmtDiff, fmtMetric, fmtScore } from "./format";
import { pick, type ColumnSpec } from "./columns";
import type { SortKey } from "../state/url";

const PAGE = 100;

export interface DataTableProps {
  experimentId: string;
  query: Omit<PageQuery, "offset" | "limit" | "with_total">;
  columns: ColumnSpec[]; // in display order, already filtered for visibility
  pinned: string[];
  sort: SortKey[];
  onSort: (sort: SortKey[]) => void;
  summary: Summary | null;
  showComparison: boolean;
  rowHeight: "compact" | "tall";
  height?: number | string;
  label?: string;
  onFirstPage?: () => void;
  filtered?: boolean; // filters or a view are applied (the empty state offers to clear them)
  onClearFilters?: () => void;
}

// Rows arrive in pages from the server as the user scrolls; only the visible window is rendered, so an
// experiment of any size costs the browser a few pages of memory.
export function DataTable(props: DataTableProps) {
  const { experimentId, query, columns, pinned, sort, onSort, summary, showComparison, rowHeight } = props;
  const key = JSON.stringify([experimentId, query]);
  const [pages, setPages] = useState<Map<number, Row[]>>(new Map());
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState("");
  const loading = useRef<Set<number>>(new Set());
  const generation = useRef(0);
  const scroller = useRef<HTMLDivElement>(null);

  useEffect(() => {
    generation.current += 1;
    loading.current = new Set();
    setPages(new Map());
    setTotal(null);
    setError("");
    scroller.current?.scrollTo({ top: 0 });
  }, [key]);

  function load(page: number) {
    if (loading.current.has(page)) return;
    loading.current.add(page);
    const gen = generation.current;
    // Rows first: the total is counted by a separate request sent once the first page is in.
    api<{ rows: Row[]; total: number | null }>(`/v1/experiment/${experimentId}/table`, {
      method: "POST",
      json: { ...query, offset: page * PAGE, limit: PAGE, with_total: false },
    })
      .then((r) => {
        if (gen !== generation.current) return;
        setPages((prev) => new Map(prev).set(page, r.rows));
        if (page === 0) props.onFirstPage?.();
        if (page === 0 && r.rows.length < PAGE) setTotal(r.rows.length);
        else if (page === 0)
          api<{ total: number }>(`/v1/experiment/${experimentId}/table/count`, { method: "POST", json: query })
            .then((c) => gen === generation.current && setTotal(c.total))
            .catch((e) => gen === generation.current && setError(e.message));
      })
      .catch((e) => {
        if (gen === generation.current) setError(e.message);
      });
  }

  const rowPx = rowHeight === "tall" ? 96 : 34;
  const virtualizer = useVirtualizer({
    count: total ?? pages.get(0)?.length ?? 0, // the first page shows while the total is counted
    getScrollElement: () => scroller.current,
    estimateSize: () => rowPx,
    overscan: 10,
  });
  useEffect(() => virtualizer.measure(), [rowPx, virtualizer]);
  const items = virtualizer.getVirtualItems();

  useEffect(() => {
    if (total === null) {
      if (!pages.has(0)) load(0);
      return;
    }
    const first = items[0]?.index ?? 0;
    const last = items[items.length - 1]?.index ?? 0;
    for (let p = Math.floor(first / PAGE); p <= Math.floor(last / PAGE); p++) if (!pages.has(p)) load(p);
  });

  // TanStack Table owns the column model: order, visibility and left pinning.
  const columnDefs = useMemo<ColumnDef<Row>[]>(
    () => columns.map((c) => ({ id: c.id, header: c.label, accessorFn: (r: Row) => pick(r, c), size: width(c) })),
    [columns],
  );
  const table = useReactTable<Row>({
    data: [],
    columns: columnDefs,
    getCoreRowModel: getCoreRowModel(),
    state: {
      columnOrder: columns.map((c) => c.id) as ColumnOrderState,
      columnPinning: { left: pinned.filter((p) => columns.some((c) => c.id === p)) },
      columnVisibility: {} as VisibilityState,
    },
  });
  const leafs = [...table.getLeftLeafColumns(), ...table.getCenterLeafColumns()];
  const specs = leafs.map((l) => columns.find((c) => c.id === l.id)!);
  const lefts: number[] = [];
  let acc = 0;
  for (const l of leafs) {
    lefts.push(acc);
    acc += l.getSize();
  }
  const pinnedCount = table.getLeftLeafColumns().length;
  const gridTemplate = leafs.map((l) => `${l.getSize()}px`).join(" ");

  function toggleSort(id: string) {
    const cur = sort.find((s) => s.column === id);
    if (!cur) onSort([{ column: id, desc: false, nulls_last: false }]);
    else if (!cur.desc) onSort([{ column: id, desc: true, nulls_last: false }]);
    else onSort([]);
  }

  return (
    <div className="datatable" aria-label={props.label ?? "Experiment rows"} role="grid"
      aria-rowcount={total ?? -1} data-total={total ?? ""}>
      <ErrorMessage className="table-error">{error}</ErrorMessage>
      <div className="scroller" ref={scroller} style={props.height ? { height: props.height, flex: "none" } : undefined}>
        <div className="thead" role="row" style={{ gridTemplateColumns: gridTemplate, width: acc }}>
          {specs.map((c, i) => {
            const s = sort.find((k) => k.column === c.id);
            return (
              <div key={c.id} role="columnheader" data-column={c.id}
                aria-sort={s ? (s.desc ? "descending" : "ascending") : "none"}
                className={`th ${i < pinnedCount ? "pinned" : ""}`}
                style={i < pinnedCount ? { left: lefts[i] } : undefined}>
                <button className="th-btn" onClick={() => toggleSort(c.id)} title={`Sort by ${c.label}`}>
                  <span className="th-label">{c.label}</span>
                  {s && (s.desc ? <ArrowDown aria-hidden /> : <ArrowUp aria-hidden />)}
                </button>
                <HeaderStats col={c} summary={summary} showComparison={showComparison} />
              </div>
            );
          })}
        </div>
        <div style={{ height: virtualizer.getTotalSize(), position: "relative", width: acc }}>
          {items.map((v) => {
            const row = pages.get(Math.floor(v.index / PAGE))?.[v.index % PAGE];
            return (
              <div key={v.key} role="row" aria-rowindex={v.index + 1} className={`tr ${rowHeight}`}
                data-row-id={row?.id ?? ""}
                style={{ transform: `translateY(${v.start}px)`, height: rowPx, gridTemplateColumns: gridTemplate }}>
                {specs.map((c, i) => (
                  <div key={c.id} role="gridcell" data-column={c.id}
                    className={`td ${c.kind} ${i < pinnedCount ? "pinned" : ""}`}
                    style={i < pinnedCount ? { left: lefts[i] } : undefined}>
                    {row ? <Cell col={c} value={pick(row, c)} /> : <span className="skeleton" />}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
        {total === 0 && (
          props.filtered ? (
            <EmptyState icon={<FilterX />} title="No rows match"
              actions={props.onClearFilters && <Button onClick={props.onClearFilters}>Clear filters and search</Button>}>
              Nothing matches the current view, filters and search. Loosen a filter or clear them.
            </EmptyState>
          ) : (
            <EmptyState icon={<Inbox />} title="No rows yet">
              Rows appear here as the SDK logs them (an <code>Eval()</code> run or <code>experiment.log()</code>).
            </EmptyState>
          )
        )}
      </div>
      <div className="table-footer" aria-live="polite">
        {total === null ? "Loading…" : `${total.toLocaleString()} ${query.row_type === "spans" ? "spans" : "traces"}`}
      </div>
    </div>
  );
}

function width(c: ColumnSpec): number {
  if (c.kind === "field") return 260;
  if (c.kind === "score" || c.kind === "metric") return 150;
  if (c.kind === "created") return 180;
  return 160;
}

function Cell({ col, value }: { col: ColumnSpec; value: unknown }) {
  if (col.kind === "score") return <span className="num">{fmtScore(value as number)}</span>;
  if (col.kind === "metric") return <span className="num">{fmtMetric(col.id.slice(8), value as number)}</span>;
  if (col.kind === "created" && typeof value === "string") return <span>{new Date(value).toLocaleString()}</span>;
  if (col.kind === "tags" && Array.isArray(value))
    return <span>{value.map((t) => <span key={String(t)} className="tag">{String(t)}</span>)}</span>;
  return <span className="text" title={cellText(value)}>{cellText(value)}</span>;
}

export function HeaderStats({ col, summary, showComparison }: { col: ColumnSpec; summary: Summary | null; showComparison: boolean }) {
  if (!summary) return null;
  if (col.kind === "score") {
    const s = summary.scores?.[col.label];
    if (!s) return null;
    return (
      <div className="hstats" data-testid={`score-header-${col.label}`}>
        <span className="avg">{fmtScore(s.score)}</span>
        {showComparison && s.diff !== undefined && (
          <span className={s.diff >= 0 ? "up" : "down"}>{fmtDiff(s.diff)}</span>
        )}
        {showComparison && (
          <span className="counts">
            <span className="up" title="improvements">▲{s.improvements}</span>
            <span className="down" title="regressions">▼{s.regressions}</span>
          </span>
        )}
      </div>
    );
  }
  if (col.kind === "metric") {
    const name = col.id.slice(8);
    const m = summary.metrics?.[name];
    if (!m) return null;
    return (
      <div className="hstats">
        <span className="avg">{fmtMetric(name, m.metric)}</span>
        {showComparison && m.diff !== undefined && <span className={m.diff <= 0 ? "up" : "down"}>{fmtDiff(m.diff, false)}</span>}
      </div>
    );
  }
  return null;
}

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
import { Button, EmptyState, ErrorMessage, Kbd, useHotkeys } from "../ui";
import { cellText, fmtDiff, fmtMetric, fmtScore } from "./format";
import { labelsOf, pick, type ColumnSpec } from "./columns";
import { SpanIcon } from "../trace/SpanIcon";
import type { SortKey } from "../state/url";
import { CompareCell } from "../compare/CompareCell";
import { CompareHeader } from "../compare/CompareHeader";
import { compareCount, comparedOf, comparePage, compareRowPx, type CompareTableMode } from "../compare/table";

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
  // Opening rows (the trace view): `openKey` is the key of the row shown now (highlighted),
  // `onOpen` is called on click and Enter, and on j/k or arrow keys while a row is open.
  rowKey?: (row: Row) => string;
  openKey?: string;
  onOpen?: (row: Row) => void;
  keyboard?: boolean; // j/k move between rows anywhere on the page (the page's main table)
  // Row selection (scoring rows): a checkbox per row, by row id; x toggles the row under the cursor.
  selected?: Set<string>;
  onSelect?: (ids: string[], on: boolean) => void;
  refresh?: number; // bump to load the rows again (e.g. after new scores were written)
  onTotal?: (total: number | null) => void;
  compare?: CompareTableMode; // comparison mode: every compared experiment's test case in each row
}

const SELECT_PX = 36;

// Rows arrive in pages from the server as the user scrolls; only the visible window is rendered, so an
// experiment of any size costs the browser a few pages of memory.
export function DataTable(props: DataTableProps) {
  const { experimentId, query, columns, pinned, sort, onSort, summary, showComparison, rowHeight } = props;
  const compare = props.compare;
  const key = JSON.stringify([experimentId, query, props.refresh ?? 0, compare?.comparison.ids, compare?.change]);
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
    const rows = compare
      ? comparePage(compare, query, page * PAGE, PAGE)
      : api<{ rows: Row[] }>(`/v1/experiment/${experimentId}/table`, {
          method: "POST",
          json: { ...query, offset: page * PAGE, limit: PAGE, with_total: false },
        }).then((r) => r.rows);
    const counted = () =>
      compare
        ? compareCount(compare, query)
        : api<{ total: number }>(`/v1/experiment/${experimentId}/table/count`, { method: "POST", json: query }).then((c) => c.total);
    rows
      .then((found) => {
        if (gen !== generation.current) return;
        setPages((prev) => new Map(prev).set(page, found));
        if (page === 0) props.onFirstPage?.();
        if (page === 0 && found.length < PAGE) setTotal(found.length);
        else if (page === 0)
          counted()
            .then((n) => gen === generation.current && setTotal(n))
            .catch((e) => gen === generation.current && setError(e.message));
      })
      .catch((e) => {
        if (gen === generation.current) setError(e.message);
      });
  }

  useEffect(() => props.onTotal?.(total), [total]);

  const rowPx = compare ? compareRowPx(compare, rowHeight === "tall") : rowHeight === "tall" ? 96 : 34;
  const virtualizer = useVirtualizer({
    count: total ?? pages.get(0)?.length ?? 0, // the first page shows while the total is counted
    getScrollElement: () => scroller.current,
    estimateSize: () => rowPx,
    overscan: 10,
  });
  useEffect(() => virtualizer.measure(), [rowPx, virtualizer]);
  const items = virtualizer.getVirtualItems();

  // Spans rows name their parent: from the rows loaded, else asked for by id (a parent is often
  // on another page).
  const [asked, setAsked] = useState<Map<string, string>>(new Map());
  const spanNames = useMemo(() => {
    const m = new Map(asked);
    if (query.row_type !== "spans") return m;
    for (const rows of pages.values()) for (const r of rows) if (r.span_id) m.set(r.span_id, r.span_attributes?.name ?? "");
    return m;
  }, [pages, asked, query.row_type]);
  useEffect(() => {
    if (query.row_type !== "spans") return;
    const missing = new Set<string>();
    for (const rows of pages.values())
      for (const r of rows) {
        const p = Array.isArray(r.span_parents) ? r.span_parents[0] : undefined;
        if (p && !spanNames.has(p)) missing.add(p);
      }
    if (!missing.size) return;
    const ids = [...missing].slice(0, 1000);
    setAsked((prev) => new Map([...prev, ...ids.map((id) => [id, ""] as [string, string])]));
    api<{ names: Record<string, { name: string | null }> }>(`/v1/experiment/${experimentId}/span_names`, { method: "POST", json: { span_ids: ids } })
      .then((r) => setAsked((prev) => new Map([...prev, ...Object.entries(r.names).map(([id, v]) => [id, v.name ?? ""] as [string, string])])))
      .catch(() => undefined); // the parent's id is shown instead
  }, [pages, query.row_type]);

  // The row cursor: where j/k and arrow keys are; it follows the open row.
  const [cursor, setCursor] = useState(-1);
  const rowAt = (i: number) => pages.get(Math.floor(i / PAGE))?.[i % PAGE];
  const count = total ?? pages.get(0)?.length ?? 0;
  useEffect(() => {
    if (!props.openKey || !props.rowKey) return;
    for (const [p, rows] of pages) {
      const j = rows.findIndex((r) => props.rowKey!(r) === props.openKey);
      if (j >= 0) {
        setCursor(p * PAGE + j);
        return;
      }
    }
  }, [props.openKey, pages]);
  function moveTo(i: number, open: boolean) {
    if (i < 0 || i >= count) return;
    setCursor(i);
    virtualizer.scrollToIndex(i, { align: "auto" });
    const row = rowAt(i);
    if (open && row) props.onOpen?.(row);
    window.requestAnimationFrame(() => {
      const el = scroller.current?.querySelector<HTMLElement>(`[aria-rowindex="${i + 1}"]`);
      if (el && !el.contains(document.activeElement) && !props.openKey) el.focus({ preventScroll: true });
    });
  }
  const step = (delta: number) => moveTo(Math.max(0, cursor + delta), !!props.openKey);
  useHotkeys({ j: () => step(1), k: () => step(-1) }, !!props.keyboard && !!props.onOpen);
  const selectable = !!props.onSelect;
  function toggleAt(i: number) {
    const row = rowAt(i);
    if (row && props.onSelect) props.onSelect([String(row.id)], !props.selected?.has(String(row.id)));
  }
  useHotkeys({ x: () => cursor >= 0 && toggleAt(cursor) }, !!props.keyboard && selectable);
  const loaded = [...pages.values()].flat();
  const allLoaded = selectable && loaded.length > 0 && loaded.every((r) => props.selected?.has(String(r.id)));
  function onKey(e: React.KeyboardEvent) {
    if (!props.onOpen || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      step(e.key === "ArrowDown" ? 1 : -1);
    } else if (e.key === "Enter" && cursor >= 0 && (e.target as HTMLElement).getAttribute("role") === "row") {
      e.preventDefault();
      const row = rowAt(cursor);
      if (row) props.onOpen(row);
    }
  }

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
    () => columns.map((c) => ({ id: c.id, header: c.label, accessorFn: (r: Row) => pick(r, c), size: width(c, !!compare) })),
    [columns, !!compare],
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
  let acc = selectable ? SELECT_PX : 0;
  for (const l of leafs) {
    lefts.push(acc);
    acc += l.getSize();
  }
  const pinnedCount = table.getLeftLeafColumns().length;
  const gridTemplate = [...(selectable ? [`${SELECT_PX}px`] : []), ...leafs.map((l) => `${l.getSize()}px`)].join(" ");

  function toggleSort(id: string) {
    const cur = sort.find((s) => s.column === id);
    if (!cur) onSort([{ column: id, desc: false, nulls_last: false }]);
    else if (!cur.desc) onSort([{ column: id, desc: true, nulls_last: false }]);
    else onSort([]);
  }

  return (
    <div className="datatable" aria-label={props.label ?? "Experiment rows"} role="grid"
      aria-rowcount={total ?? -1} data-total={total ?? ""} onKeyDown={onKey}>
      <ErrorMessage className="table-error">{error}</ErrorMessage>
      <div className="scroller" ref={scroller} style={props.height ? { height: props.height, flex: "none" } : undefined}>
        <div className="thead" role="row" style={{ gridTemplateColumns: gridTemplate, width: acc }}>
          {selectable && (
            <div className="th select pinned" style={{ left: 0 }}>
              <input type="checkbox" aria-label="Select all loaded rows" checked={allLoaded}
                onChange={(e) => props.onSelect!(loaded.map((r) => String(r.id)), e.target.checked)} />
            </div>
          )}
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
                {compare && (c.kind === "score" || c.kind === "metric") ? (
                  <CompareHeader kind={c.kind} name={c.kind === "score" ? c.label : c.id.slice(8)} summary={compare.summary}
                    histograms={compare.histograms} change={compare.change} onChange={compare.onChange} />
                ) : (
                  <HeaderStats col={c} summary={summary} showComparison={showComparison} />
                )}
              </div>
            );
          })}
        </div>
        <div style={{ height: virtualizer.getTotalSize(), position: "relative", width: acc }}>
          {items.map((v) => {
            const row = rowAt(v.index);
            const open = !!row && !!props.openKey && props.rowKey?.(row) === props.openKey;
            return (
              <div key={v.key} role="row" aria-rowindex={v.index + 1} className={`tr ${rowHeight} ${open ? "selected" : ""} ${row && props.selected?.has(String(row.id)) ? "checked" : ""}`}
                data-row-id={row?.id ?? ""} aria-selected={props.onOpen ? open : undefined}
                tabIndex={props.onOpen ? (v.index === Math.max(cursor, 0) ? 0 : -1) : undefined}
                onClick={() => { if (row && props.onOpen) { setCursor(v.index); props.onOpen(row); } }}
                onFocus={() => setCursor(v.index)}
                style={{ transform: `translateY(${v.start}px)`, height: rowPx, gridTemplateColumns: gridTemplate }}>
                {selectable && (
                  <div role="gridcell" className="td select pinned" style={{ left: 0 }} onClick={(e) => e.stopPropagation()}>
                    {row && (
                      <input type="checkbox" aria-label={`Select row ${row.id}`} tabIndex={-1}
                        checked={!!props.selected?.has(String(row.id))}
                        onChange={(e) => props.onSelect!([String(row.id)], e.target.checked)} />
                    )}
                  </div>
                )}
                {specs.map((c, i) => (
                  <div key={c.id} role="gridcell" data-column={c.id}
                    className={`td ${c.kind} ${i < pinnedCount ? "pinned" : ""}`}
                    style={i < pinnedCount ? { left: lefts[i] } : undefined}>
                    {!row ? <span className="skeleton" />
                      : compare && comparedOf(row) && (c.kind === "score" || c.kind === "metric")
                        ? <CompareCell row={comparedOf(row)!} kind={c.kind} name={c.kind === "score" ? c.label : c.id.slice(8)} table={compare.comparison.table} />
                        : <Cell col={c} value={pick(row, c)} row={row} names={spanNames} />}
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
      <div className="table-footer">
        <span aria-live="polite">{total === null ? "Loading…" : `${total.toLocaleString()} ${query.row_type === "spans" ? "span" : "trace"}${total === 1 ? "" : "s"}`}</span>
        {props.onOpen && props.keyboard && (
          <span className="keys" aria-hidden><Kbd>j</Kbd><Kbd>k</Kbd> move <Kbd>Enter</Kbd> open {selectable && <><Kbd>x</Kbd> select </>}<Kbd>Esc</Kbd> close</span>
        )}
      </div>
    </div>
  );
}

// In comparison mode the score columns hold a line per experiment; the text columns give up width
// so that two of them fit beside input, output, expected and error at 1280 px.
function width(c: ColumnSpec, compare = false): number {
  if (c.kind === "field") return compare ? (c.id === "error" ? 120 : 190) : 260;
  if (c.kind === "score" || c.kind === "metric") return compare ? 230 : 150;
  if (c.kind === "created") return 180;
  return 160;
}

// The Error cell says why a row failed: the error's last line (a traceback ends with the exception),
// else on a trace row the scorers that failed and their messages (the SDK records them in the
// root's metadata.scorer_errors), else how many score spans failed.
export function errorSummary(row: Row): string {
  const lastLine = (t: string) => t.trim().split("\n").filter((l) => l.trim()).pop() ?? t;
  if (row.error != null && row.error !== "") return lastLine(typeof row.error === "string" ? row.error : JSON.stringify(row.error));
  const failed = row.metadata?.scorer_errors;
  if (failed && typeof failed === "object" && Object.keys(failed).length)
    return Object.entries(failed).map(([name, tb]) => `Scorer ${name} failed: ${lastLine(String(tb))}`).join("; ");
  const n = row.metrics?.scorer_errors;
  if (n) return `${n} scorer${n === 1 ? "" : "s"} failed (open the trace for the traceback)`;
  return "";
}

function Cell({ col, value, row, names }: { col: ColumnSpec; value: unknown; row: Row; names: Map<string, string> }) {
  if (col.id === "error") {
    const text = errorSummary(row);
    const full = row.error != null ? cellText(row.error) : text;
    return <span className="text error-text" title={full}>{text}</span>;
  }
  if (col.kind === "span")
    return <span className="span-name text" title={cellText(value)}><SpanIcon type={row.span_attributes?.type} />{cellText(value)}</span>;
  if (col.kind === "spantype") return value ? <span className="badge">{cellText(value)}</span> : null;
  if (col.kind === "parent") {
    const parent = Array.isArray(value) ? (value[0] as string | undefined) : undefined;
    if (!parent) return <span className="subtle">— root</span>;
    const name = names.get(parent);
    return <span className="text" title={parent}>{name || <code>{parent.slice(0, 10)}…</code>}</span>;
  }
  if (col.kind === "score") return <span className="num">{fmtScore(value as number)}</span>;
  if (col.kind === "metric") return <span className="num">{fmtMetric(col.id.slice(8), value as number)}</span>;
  if (col.kind === "created" && typeof value === "string") return <span>{new Date(value).toLocaleString()}</span>;
  if (col.kind === "classification") {
    const labels = labelsOf(value);
    return <span className="labels" title={labels.join(", ")}>{labels.map((l, i) => <span key={i} className="badge label-chip">{l}</span>)}</span>;
  }
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
        {showComparison && s.diff != null && (
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
        {showComparison && m.diff != null && <span className={m.diff <= 0 ? "up" : "down"}>{fmtDiff(m.diff, false)}</span>}
      </div>
    );
  }
  return null;
}

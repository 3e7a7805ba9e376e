// The List layout in comparison mode: what DataTable needs to page rows with every compared
// experiment's test case, and to draw score and metric cells and headers for them.
import { api, type Row } from "../api/client";
import { compareBody, type ChangeFilter, type CompareRow, type CompareRowsPage, type Comparison, type ComparisonHistograms, type ComparisonSummary } from "./api";

export interface CompareTableMode {
  comparison: Comparison;
  change: ChangeFilter | null;
  summary: ComparisonSummary | null;
  histograms: ComparisonHistograms | null;
  onChange: (change: ChangeFilter | null) => void;
}

const COMPARED = "__compare"; // where a table row keeps its comparison (the API's CompareRow)

export function comparedOf(row: Row | undefined): CompareRow | undefined {
  return row?.[COMPARED] as CompareRow | undefined;
}

/** One page of rows for DataTable: the table row's fields, with its CompareRow attached. */
export async function comparePage(mode: CompareTableMode, query: object, offset: number, limit: number): Promise<Row[]> {
  const page = await api<CompareRowsPage>(`/v1/experiment/${mode.comparison.table}/compare/rows`, {
    method: "POST",
    json: { ...compareBody(mode.comparison, query, mode.change), offset, limit, with_total: false },
  });
  return page.rows.map((r) => ({ ...(r.row as Row), [COMPARED]: r }));
}

export async function compareCount(mode: CompareTableMode, query: object): Promise<number> {
  const r = await api<{ total: number }>(`/v1/experiment/${mode.comparison.table}/compare/count`, {
    method: "POST",
    json: compareBody(mode.comparison, query, mode.change),
  });
  return r.total;
}

/** Rows are as tall as the stack of experiments in a score cell. */
export function compareRowPx(mode: CompareTableMode, tall: boolean): number {
  const stacked = 16 * mode.comparison.ids.length + 16;
  return Math.max(tall ? 96 : 34, stacked);
}

// The comparison routes of the public API, typed from the server's OpenAPI schema (docs/compare.md).
import { api, type CustomColumn, type Filter, type Schemas } from "../api/client";

export type ComparisonSummary = Schemas["ComparisonSummary"];
export type MeasureComparison = Schemas["MeasureComparison"];
export type MeasureOfExperiment = Schemas["MeasureOfExperiment"];
export type PairedStatistics = Schemas["PairedStatistics"];
export type ComparedExperiment = Schemas["ComparedExperiment"];
export type ComparisonHistograms = Schemas["ComparisonHistograms"];
export type ScoreHistogram = Schemas["ScoreHistogram"];
export type CompareRowsPage = Schemas["CompareRowsPage"];
export type CompareRow = Schemas["CompareRow"];
export type ComparedCase = Schemas["ComparedCase"];
export type CompareGroups = Schemas["CompareGroups"];
export type ChangeFilter = Schemas["ChangeFilter"];
export type CompareQuery = Schemas["CompareQuery"];

/** The experiments of one comparison: `ids` in display order (the base first) and the base. */
export interface Comparison {
  table: string; // the experiment whose rows the table lists (the page's experiment)
  base: string;
  others: string[]; // compared with the base, in order (the table's experiment among them unless it is the base)
  ids: string[]; // base first, then `others`
}

export function comparisonOf(table: string, compared: string[], base: string): Comparison | null {
  const list = compared.filter((id, i) => id !== table && compared.indexOf(id) === i);
  if (!list.length) return null;
  const chosen = base && (base === table || list.includes(base)) ? base : list[0];
  const others = [table, ...list].filter((id) => id !== chosen);
  return { table, base: chosen, others, ids: [chosen, ...others] };
}

/** The table state a comparison's statistics follow: the same filters, search and custom columns. */
export interface ComparisonFilters {
  row_type?: "traces" | "spans";
  filters?: Filter[];
  search?: string | null;
  custom_columns?: CustomColumn[];
}

function summaryBody(c: Comparison, query: ComparisonFilters) {
  const { row_type, filters, search, custom_columns } = query;
  return { row_type, filters, search, custom_columns, experiment_ids: c.ids.filter((id) => id !== c.table), base_experiment_id: c.base };
}

/** Every compared experiment's scores and metrics over the traces the table's filters keep. */
export function fetchSummary(c: Comparison, query: ComparisonFilters): Promise<ComparisonSummary> {
  return api<ComparisonSummary>(`/v1/experiment/${c.table}/compare/summary`, { method: "POST", json: summaryBody(c, query) });
}

export function fetchHistograms(c: Comparison, query: ComparisonFilters, bins = 10): Promise<ComparisonHistograms> {
  return api<ComparisonHistograms>(`/v1/experiment/${c.table}/compare/histograms`, { method: "POST", json: { ...summaryBody(c, query), bins } });
}

/** What a summary depends on, for effects: the experiments and the table state's filters. */
export function summaryKey(c: Comparison | null, query: ComparisonFilters): string {
  return c ? JSON.stringify([c.ids, c.table, query.row_type, query.filters, query.search, query.custom_columns]) : "";
}

/** The body shared by the rows, count and groups routes. */
export function compareBody(c: Comparison, query: object, change: ChangeFilter | null): CompareQuery {
  return {
    ...(query as CompareQuery),
    experiment_ids: c.ids.filter((id) => id !== c.table),
    base_experiment_id: c.base,
    change,
  };
}

/** A score or metric of one experiment in a summary (undefined when it lacks it). */
export function measureOf(summary: ComparisonSummary | null, kind: "score" | "metric", name: string, experimentId: string) {
  const list = kind === "score" ? summary?.scores : summary?.metrics;
  return list?.find((m) => m.name === name)?.experiments.find((e) => e.experiment_id === experimentId);
}

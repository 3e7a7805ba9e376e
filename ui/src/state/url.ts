// The table state lives in the page URL: a reload or a shared link shows the same table, and a saved
// view (a later issue) will be a named copy of these parameters.
import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router-dom";
import type { CustomColumn, Filter } from "../api/client";
import type { ChangeFilter } from "../compare/api";

export type Layout = "list" | "grid" | "summary" | "summary_table";

export interface SortKey {
  column: string;
  desc: boolean;
  nulls_last: boolean;
}

export interface TableState {
  rowType: "traces" | "spans";
  view: string;
  filters: Filter[];
  search: string;
  sort: SortKey[];
  groupBy: string;
  groupCompare: boolean;
  comparisons: string[]; // experiments compared with the page's (ids, up to 7)
  base: string; // the base of the comparison (default: the first of `comparisons`)
  change: ChangeFilter | null; // only the rows that improved or regressed (a header count clicked)
  diff: boolean; // diff mode (comparisons only)
  diffMode: "experiments" | "expected";
  layout: Layout;
  rowHeight: "compact" | "tall";
  hidden: string[];
  order: string[];
  pinned: string[];
  custom: CustomColumn[];
  orderByRegressions: boolean;
  regressionScore: string;
  details: boolean;
  assistant: boolean;
}

export const DEFAULT_STATE: TableState = {
  rowType: "traces",
  view: "default",
  filters: [],
  search: "",
  sort: [],
  groupBy: "",
  groupCompare: false,
  comparisons: [],
  base: "",
  change: null,
  diff: false,
  diffMode: "experiments",
  layout: "list",
  rowHeight: "compact",
  hidden: [],
  order: [],
  pinned: [],
  custom: [],
  orderByRegressions: false,
  regressionScore: "",
  details: false,
  assistant: false,
};

// URL parameter name for each field; arrays and objects are JSON.
const PARAMS: Record<keyof TableState, string> = {
  rowType: "rt",
  view: "view",
  filters: "f",
  search: "search",
  sort: "sort",
  groupBy: "group",
  groupCompare: "gc",
  comparisons: "c",
  base: "base",
  change: "chg",
  diff: "diff",
  diffMode: "dm",
  layout: "layout",
  rowHeight: "rh",
  hidden: "hide",
  order: "order",
  pinned: "pin",
  custom: "cc",
  orderByRegressions: "obr",
  regressionScore: "rs",
  details: "details",
  assistant: "assistant",
};

function decode(params: URLSearchParams): TableState {
  const out: any = { ...DEFAULT_STATE };
  for (const [field, name] of Object.entries(PARAMS) as [keyof TableState, string][]) {
    const raw = params.get(name);
    if (raw === null) continue;
    const dflt = DEFAULT_STATE[field];
    try {
      if (typeof dflt === "boolean") out[field] = raw === "1";
      else if (typeof dflt === "string") out[field] = raw;
      else if (field === "comparisons" && !raw.startsWith("[")) out[field] = raw.split(",").filter(Boolean); // c=<id>,<id>
      else out[field] = JSON.parse(raw);
    } catch {
      /* a damaged parameter falls back to its default */
    }
  }
  return out as TableState;
}

function encode(state: TableState, keep: URLSearchParams): URLSearchParams {
  const params = new URLSearchParams();
  for (const [k, v] of keep) if (!Object.values(PARAMS).includes(k)) params.set(k, v);
  for (const [field, name] of Object.entries(PARAMS) as [keyof TableState, string][]) {
    const value = state[field];
    if (JSON.stringify(value) === JSON.stringify(DEFAULT_STATE[field])) continue;
    if (field === "comparisons") params.set(name, (value as string[]).join(","));
    else if (typeof value === "boolean") params.set(name, value ? "1" : "0");
    else if (typeof value === "string") params.set(name, value);
    else params.set(name, JSON.stringify(value));
  }
  return params;
}

export function useTableState(): [TableState, (patch: Partial<TableState>) => void] {
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => decode(params), [params]);
  const update = useCallback(
    (patch: Partial<TableState>) => {
      setParams((prev) => encode({ ...decode(prev), ...patch }, prev));
    },
    [setParams],
  );
  return [state, update];
}

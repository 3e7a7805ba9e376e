// Saved views: a named copy of a page's URL state, stored with the reference's views API
// (`view_data.search` for filters, search and sort; `options` for the table's layout), so a view
// copied to another project with `GET /v1/view` + `POST /v1/view` opens with the same state.
import { api, q } from "../api/client";
import { background } from "../api/priority";
import { DEFAULT_STATE, type TableState } from "./url";

export type ViewType = "experiment" | "experiments";

export interface SavedView {
  id: string;
  object_type: string;
  object_id: string;
  view_type: string | null;
  name: string;
  created?: string | null;
  view_data: { search?: { filter?: any[] | null; tag?: any[] | null; match?: any[] | null; sort?: any[] | null } | null } | null;
  options: Record<string, any> | null;
  user_id?: string | null;
}

export interface Defaults {
  project: SavedView | null;
  organization: SavedView | null;
}

export interface ViewPayload {
  view_data: SavedView["view_data"];
  options: Record<string, any>;
}

// The experiment table's state as a view. The built-in view's filter, if one is chosen, is folded
// into the filters, so the saved view means the same thing anywhere.
export function tableToView(state: TableState, builtinFilter: string | null): ViewPayload {
  const filters = [...(builtinFilter ? [builtinFilter] : []), ...state.filters];
  return {
    view_data: { search: { filter: filters, tag: null, match: state.search ? [state.search] : null, sort: state.sort } },
    options: {
      columnVisibility: Object.fromEntries(state.hidden.map((c) => [c, false])),
      columnOrder: state.order,
      grouping: state.groupBy || null,
      rowHeight: state.rowHeight,
      layout: state.layout,
      queryShape: state.rowType,
      // Assay's own, beside the reference's fields:
      columnPinning: state.pinned,
      customColumns: state.custom,
      comparisonExperimentIds: state.comparisons,
      baseExperimentId: state.base || null,
      diff: state.diff,
      diffMode: state.diffMode,
      groupComparisons: state.groupCompare,
      orderByRegressions: state.orderByRegressions,
      regressionScore: state.regressionScore || null,
    },
  };
}

const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const str = (v: unknown, dflt: string): string => (typeof v === "string" ? v : dflt);

// A view back into the experiment table's state (anything missing or odd falls back to the default).
export function viewToTable(view: SavedView): TableState {
  const s = view.view_data?.search ?? {};
  const o = view.options ?? {};
  const visibility = (o.columnVisibility && typeof o.columnVisibility === "object") ? o.columnVisibility : {};
  return {
    ...DEFAULT_STATE,
    view: view.id,
    // SQL text (the reference's) or a structured condition (the filter builder's)
    filters: arr(s.filter).filter((f) => typeof f === "string" || (f && typeof f.column === "string" && typeof f.op === "string")),
    search: typeof arr(s.match)[0] === "string" ? arr(s.match)[0] : "",
    sort: arr(s.sort).filter((k) => k && typeof k.column === "string"),
    hidden: Object.entries(visibility).filter(([, v]) => v === false).map(([k]) => k),
    order: arr(o.columnOrder).filter((c) => typeof c === "string"),
    groupBy: str(o.grouping, ""),
    rowHeight: o.rowHeight === "tall" ? "tall" : "compact",
    layout: ["list", "grid", "summary", "summary_table"].includes(o.layout) ? o.layout : "list",
    rowType: o.queryShape === "spans" ? "spans" : "traces",
    pinned: arr(o.columnPinning).filter((c) => typeof c === "string"),
    custom: arr(o.customColumns).filter((c) => c && typeof c.name === "string" && typeof c.expr === "string"),
    // a view saved before comparisons of several experiments named one
    comparisons: (Array.isArray(o.comparisonExperimentIds) ? arr(o.comparisonExperimentIds) : [o.comparisonExperimentId])
      .filter((c) => typeof c === "string" && c).slice(0, 7),
    base: str(o.baseExperimentId, ""),
    diff: o.diff === true,
    diffMode: o.diffMode === "expected" ? "expected" : "experiments",
    groupCompare: o.groupComparisons === true,
    orderByRegressions: o.orderByRegressions === true,
    regressionScore: str(o.regressionScore, ""),
  };
}

const where = (projectId: string) => `object_type=project&object_id=${q(projectId)}`;

export function listViews(projectId: string, viewType: ViewType): Promise<SavedView[]> {
  return background(() => api<{ objects: SavedView[] }>(`/v1/view?${where(projectId)}&view_type=${viewType}`).then((r) => r.objects));
}

export function saveView(method: "POST" | "PUT", projectId: string, viewType: ViewType, name: string, payload: ViewPayload): Promise<SavedView> {
  return api<SavedView>("/v1/view", { method, json: { object_type: "project", object_id: projectId, view_type: viewType, name, ...payload } });
}

export function deleteView(projectId: string, id: string): Promise<SavedView> {
  return api<SavedView>(`/v1/view/${id}`, { method: "DELETE", json: { object_type: "project", object_id: projectId } });
}

export function getDefaults(projectId: string, viewType: ViewType): Promise<Defaults> {
  return background(() => api<Defaults>(`/v1/view_default?${where(projectId)}&view_type=${viewType}`));
}

export function setDefault(projectId: string, viewType: ViewType, scope: "project" | "organization", viewId: string): Promise<Defaults> {
  return api<Defaults>("/v1/view_default", { method: "PUT", json: { object_type: "project", object_id: projectId, view_type: viewType, scope, view_id: viewId } });
}

export function clearDefault(projectId: string, viewType: ViewType, scope: "project" | "organization"): Promise<Defaults> {
  return api<Defaults>("/v1/view_default", { method: "DELETE", json: { object_type: "project", object_id: projectId, view_type: viewType, scope } });
}

// The personal default is kept in this browser only, as the reference does.
const personalKey = (projectId: string, viewType: ViewType) => `assay.default_view.${projectId}.${viewType}`;
export function personalDefault(projectId: string, viewType: ViewType): string | null {
  return localStorage.getItem(personalKey(projectId, viewType));
}
export function setPersonalDefault(projectId: string, viewType: ViewType, viewId: string | null) {
  if (viewId) localStorage.setItem(personalKey(projectId, viewType), viewId);
  else localStorage.removeItem(personalKey(projectId, viewType));
}

export function projectPermissions(projectId: string): Promise<string[]> {
  return background(() => api<{ permissions: string[] }>(`/v1/permissions?${where(projectId)}`).then((r) => r.permissions));
}

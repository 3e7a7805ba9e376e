// The only door to the server: the public REST API, signed in by the session cookie (HttpOnly, so
// scripts never see it). Writes carry the session's CSRF token, which `GET /api/session` gives.
import type { components } from "./schema";

export type Schemas = components["schemas"];
export type PageQuery = Schemas["PageQuery"];
export type GroupQuery = Schemas["GroupQuery"];
export type ExportQuery = Schemas["ExportQuery"];
export type CustomColumn = Schemas["CustomColumn"];
export type Condition = Schemas["Condition"];
export type CheckResult = Schemas["CheckResult"];
// A table filter: a structured condition (point and click) or query-language text (typed).
export type Filter = string | Condition;
export type Row = Record<string, any>;

let csrf: string | null = null;

export function setCsrf(token: string | null) {
  csrf = token;
}

function headersFor(method: string, json: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  if (json) headers["Content-Type"] = "application/json";
  if (!["GET", "HEAD"].includes(method.toUpperCase()) && csrf) headers["X-CSRF-Token"] = csrf;
  return headers;
}

export class ApiError extends Error {
  constructor(public status: number, message: string) {
    super(message);
  }
}

export async function api<T = any>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const headers = headersFor(init.method ?? "GET", init.json !== undefined);
  const resp = await fetch(path, {
    ...init,
    credentials: "same-origin",
    headers: { ...headers, ...(init.headers as Record<string, string>) },
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
  if (!resp.ok) {
    let message = resp.statusText;
    try {
      const body = await resp.json();
      message = body?.error?.message ?? JSON.stringify(body);
    } catch {
      /* not JSON */
    }
    if (resp.status === 401) window.dispatchEvent(new Event("assay:unauthorized"));
    throw new ApiError(resp.status, message);
  }
  return (await resp.json()) as T;
}

export async function download(path: string, body: unknown): Promise<Blob> {
  const resp = await fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: headersFor("POST", true),
    body: JSON.stringify(body),
  });
  if (!resp.ok) throw new ApiError(resp.status, await resp.text());
  return await resp.blob();
}

export interface Experiment {
  id: string;
  name: string;
  created: string;
  project_id: string;
  dataset_id?: string | null;
  dataset_name?: string | null;
  metadata?: Record<string, any> | null;
  tags?: string[] | null;
  base_exp_id?: string | null;
  row_count: number;
  scores: Record<string, number>;
  metrics: Record<string, number>;
  description?: string | null;
}

export interface Project {
  id: string;
  name: string;
  created: string;
}

export interface SummaryItem {
  name: string;
  score?: number;
  metric?: number;
  unit?: string;
  diff?: number | null;
  improvements?: number | null;
  regressions?: number | null;
}

export interface Summary {
  experiment_name?: string;
  comparison_experiment_name: string | null;
  scores: Record<string, SummaryItem> | null;
  metrics: Record<string, SummaryItem> | null;
  experiment_url?: string;
}

export interface TableView {
  id: string;
  name: string;
  filter: string | null;
  description: string;
}

export interface Fields {
  scores: string[];
  metrics: string[];
  metadata: string[];
  classifications: string[]; // classifier and topic names: `classifications.<name>.label`
  facets: string[]; // facet names: `facets.<name>`
  default_comparison_experiment_id: string | null;
}

// A classifier's result: the reference's `classifications` record, `{name: [{id, label, metadata}]}`.
export interface ClassificationItem {
  id: string;
  label?: string;
  metadata?: Record<string, unknown>;
}

export interface GroupItem {
  group: any;
  count: number;
  scores: Record<string, number | null>;
  metrics: Record<string, number | null>;
  comparison?: GroupItem | null;
}

export const q = (v: string) => encodeURIComponent(v);

// How a filter reads in a chip: the text as typed, or the condition spelled out (display only).
export function describeFilter(f: Filter): string {
  if (typeof f === "string") return f;
  if (f.op === "is null" || f.op === "is not null") return `${f.column} ${f.op}`;
  return `${f.column} ${f.op} ${JSON.stringify(f.value)}`;
}

// The table state a summary is asked for: the same filters, search and custom columns as the rows.
export interface TableFilters {
  row_type?: "traces" | "spans";
  filters?: Filter[];
  search?: string | null;
  custom_columns?: CustomColumn[];
}

// Score and metric averages over the rows the filters keep (what the header statistics and the
// Summary layouts show), with a comparison experiment's figures over the same filters.
export function tableSummary(experimentId: string, query: TableFilters, comparisonId?: string | null) {
  const { row_type, filters, search, custom_columns } = query;
  return api<Summary>(`/v1/experiment/${experimentId}/table/summary`, {
    method: "POST",
    json: { row_type, filters, search, custom_columns, comparison_experiment_id: comparisonId ?? null },
  });
}

// Check a SQL filter or a custom column expression on its own; nothing is run.
export function checkExpression(experimentId: string, rowType: string, kind: "filter" | "column", text: string) {
  return api<CheckResult>(`/v1/experiment/${experimentId}/table/check`, {
    method: "POST",
    json: { row_type: rowType, kind, text },
  });
}

// A check's message with where it is: "line 2, column 5: unknown field 'x'".
export function located(r: CheckResult): string {
  const where = r.line != null && r.column != null ? `line ${r.line}, column ${r.column}: ` : "";
  return where + (r.message ?? "");
}

export interface OrgPermissions {
  manage_settings: boolean;
  invite_members: boolean;
  remove_members: boolean;
  manage_access: boolean;
  create_projects: boolean;
}

export interface SessionInfo {
  user: { id: string; email: string; name: string };
  org: { id: string; name: string };
  orgs: { id: string; name: string }[];
  csrf_token: string | null;
  permissions: OrgPermissions;
}

// Who is signed in (null when nobody is); keeps the CSRF token for the writes that follow.
export async function loadSession(): Promise<SessionInfo | null> {
  try {
    const s = await api<SessionInfo>("/api/session");
    setCsrf(s.csrf_token);
    return s;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

export async function signIn(body: { email: string; password: string } | { api_key: string }): Promise<SessionInfo> {
  const s = await api<SessionInfo>("/api/session", { method: "POST", json: body });
  setCsrf(s.csrf_token);
  return s;
}

export async function signOut(everywhere = false): Promise<void> {
  await api(`/api/session${everywhere ? "?everywhere=true" : ""}`, { method: "DELETE" });
  setCsrf(null);
}

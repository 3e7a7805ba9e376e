// The experiment table's columns as data: id, label, kind and how to read a cell from a row.
import type { ClassificationItem, CustomColumn, Fields, Row } from "../api/client";

export type ColumnKind =
  | "field" | "score" | "metric" | "metadata" | "tags" | "created" | "custom"
  | "classification" | "facet" // classifier / topic labels, facet summaries (docs/scoring.md)
  | "span" | "spantype" | "parent"; // spans rows: what the span is and where it sits

export interface ColumnSpec {
  id: string; // also the sort/filter path sent to the server
  label: string;
  kind: ColumnKind;
  name?: string; // a classification's or facet's name, as stored
}

export const METRIC_LABELS: Record<string, string> = {
  duration: "Duration",
  llm_duration: "LLM duration",
  total_tokens: "Tokens",
  prompt_tokens: "Prompt tokens",
  completion_tokens: "Completion tokens",
  estimated_cost: "Estimated cost",
  llm_calls: "LLM calls",
  errors: "Errors",
};

export function quotePart(name: string): string {
  return /^[A-Za-z_]\w*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

export function buildColumns(fields: Fields | null, custom: CustomColumn[], rowType: "traces" | "spans" = "traces"): ColumnSpec[] {
  const cols: ColumnSpec[] = [
    ...(rowType === "spans"
      ? ([
          { id: "span_attributes.name", label: "Span", kind: "span" },
          { id: "span_attributes.type", label: "Type", kind: "spantype" },
          { id: "span_parents", label: "Parent", kind: "parent" },
        ] as ColumnSpec[])
      : []),
    { id: "input", label: "Input", kind: "field" },
    { id: "output", label: "Output", kind: "field" },
    { id: "expected", label: "Expected", kind: "field" },
    { id: "error", label: "Error", kind: "field" },
  ];
  for (const s of fields?.scores ?? []) cols.push({ id: `scores.${quotePart(s)}`, label: s, kind: "score" });
  // A classification sorts, filters and groups by its labels joined as one text (the server's
  // `classifications.<name>.label`); a facet by its summary.
  for (const c of fields?.classifications ?? [])
    cols.push({ id: `classifications.${quotePart(c)}.label`, label: c, kind: "classification", name: c });
  for (const f of fields?.facets ?? []) cols.push({ id: `facets.${quotePart(f)}`, label: f, kind: "facet", name: f });
  for (const m of fields?.metrics ?? [])
    cols.push({ id: `metrics.${m}`, label: METRIC_LABELS[m] ?? m, kind: "metric" });
  for (const k of fields?.metadata ?? [])
    cols.push({ id: `metadata.${quotePart(k)}`, label: `metadata.${k}`, kind: "metadata" });
  cols.push({ id: "tags", label: "Tags", kind: "tags" });
  cols.push({ id: "created", label: "Created", kind: "created" });
  for (const c of custom) cols.push({ id: c.name, label: c.name, kind: "custom" });
  return cols;
}

export function splitPath(path: string): string[] {
  const parts: string[] = [];
  let buf = "";
  let quoted = false;
  for (const ch of path) {
    if (ch === '"') quoted = !quoted;
    else if (ch === "." && !quoted) {
      parts.push(buf);
      buf = "";
    } else buf += ch;
  }
  parts.push(buf);
  return parts;
}

export function pick(row: Row | undefined, col: ColumnSpec): unknown {
  if (!row) return undefined;
  if (col.kind === "classification") return row.classifications?.[col.name!];
  if (col.kind === "facet") return row.facets?.[col.name!];
  if (col.kind === "custom" || col.id in row) return row[col.id];
  let v: any = row;
  for (const p of splitPath(col.id)) {
    if (v === null || typeof v !== "object") return undefined;
    v = v[p];
  }
  return v;
}

export function scoreName(col: ColumnSpec): string {
  return col.kind === "score" ? col.label : "";
}

// A classification's items as the labels to show (`label`, else `id`, as the reference reads them).
export function labelsOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return (value as ClassificationItem[])
    .filter((i) => i && typeof i === "object")
    .map((i) => String(i.label ?? i.id ?? ""))
    .filter(Boolean);
}

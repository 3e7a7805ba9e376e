// Number formatting shared by headers, cells, summaries and the PDF.
export function fmtScore(v: number | null | undefined): string {
  return v === null || v === undefined || Number.isNaN(v) ? "" : `${(v * 100).toFixed(2)}%`;
}

export function fmtMetric(name: string, v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "";
  if (name === "duration" || name === "llm_duration") return `${v.toFixed(2)}s`;
  if (name === "estimated_cost") return `$${v.toFixed(5)}`;
  if (Number.isInteger(v)) return String(v);
  return v.toFixed(2);
}

export function fmtDiff(v: number | null | undefined, percent = true): string {
  if (v === null || v === undefined) return "";
  const s = percent ? `${(v * 100).toFixed(2)}%` : v.toFixed(2);
  return v >= 0 ? `+${s}` : s;
}

export function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

// A timestamp as a list shows it: "Dec 2, 06:23", with the year only when it is not this year.
export function fmtWhen(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const sameYear = d.getFullYear() === new Date().getFullYear();
  return d.toLocaleString(undefined, {
    month: "short", day: "numeric", ...(sameYear ? {} : { year: "numeric" }),
    hour: "2-digit", minute: "2-digit", hour12: false,
  });
}

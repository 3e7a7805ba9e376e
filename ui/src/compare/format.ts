// How comparison numbers read: scores as percentages (changes in percentage points, "+5.00%"),
// metrics in their units; a missing value is an en dash, as the reference shows an unmatched case.
import { fmtMetric, fmtScore } from "../components/format";
import type { PairedStatistics } from "./api";

export const MISSING = "\u2013";

export type Kind = "score" | "metric";

export function fmtValue(kind: Kind, name: string, v: number | null | undefined): string {
  if (v === null || v === undefined) return MISSING;
  return kind === "score" ? fmtScore(v) : fmtMetric(name, v);
}

const ZERO = 1e-9; // float noise in a difference of means is no change

export function fmtChange(kind: Kind, name: string, v: number | null | undefined): string {
  if (v === null || v === undefined) return MISSING;
  const sign = v < -ZERO ? "-" : "+";
  const a = Math.abs(v) < ZERO ? 0 : Math.abs(v);
  if (kind === "score") return `${sign}${(a * 100).toFixed(2)}%`;
  return `${sign}${fmtMetric(name, a)}`;
}

/** "up" when the change is an improvement, "down" a regression, "" none (scores: higher is better). */
export function direction(kind: Kind, v: number | null | undefined): "up" | "down" | "" {
  if (v === null || v === undefined || Math.abs(v) < ZERO) return "";
  return (kind === "score") === v > 0 ? "up" : "down";
}

export function fmtP(p: number | null | undefined): string {
  if (p === null || p === undefined) return "";
  if (p < 0.001) return "p<0.001";
  return `p=${p < 0.01 ? p.toFixed(3) : p.toFixed(2)}`;
}

/** "[+1.20, +7.40] p=0.01 n=60": the paired test in one line (scores in percentage points). */
export function fmtPaired(kind: Kind, name: string, p: PairedStatistics | null | undefined): string {
  if (!p || !p.n) return "no matched test cases";
  if (p.ci_low === null || p.ci_low === undefined) return `n=${p.n}`;
  return `[${fmtChange(kind, name, p.ci_low)}, ${fmtChange(kind, name, p.ci_high)}] ${fmtP(p.p_value)} n=${p.n}`;
}

/** Whether the 95% interval excludes no change. */
export function significant(p: PairedStatistics | null | undefined): boolean {
  return !!p && p.p_value !== null && p.p_value !== undefined && p.p_value < 0.05;
}

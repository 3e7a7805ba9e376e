// Text with every case-insensitive occurrence of `term` marked (find in trace).
import { Fragment } from "react";

export function Highlight({ text, term }: { text: string; term?: string }) {
  if (!term) return <>{text}</>;
  const lower = text.toLowerCase();
  const needle = term.toLowerCase();
  const out: React.ReactNode[] = [];
  let at = 0;
  let i = lower.indexOf(needle);
  let k = 0;
  while (i >= 0 && k < 500) {
    if (i > at) out.push(<Fragment key={k++}>{text.slice(at, i)}</Fragment>);
    out.push(<mark key={k++}>{text.slice(i, i + needle.length)}</mark>);
    at = i + needle.length;
    i = lower.indexOf(needle, at);
  }
  out.push(<Fragment key={k++}>{text.slice(at)}</Fragment>);
  return <>{out}</>;
}

export function contains(value: unknown, term: string): boolean {
  if (!term) return false;
  const text = typeof value === "string" ? value : JSON.stringify(value ?? "");
  return text.toLowerCase().includes(term.toLowerCase());
}

// One field of a span (input, output, expected, metadata…) with its format switch — Pretty,
// JSON (collapsible) or LLM (chat messages, offered when the value holds them) — and a copy
// button. The chosen format is remembered per field name.
import { ChevronDown, ChevronRight } from "lucide-react";
import { useMemo, useState, type ReactNode } from "react";
import { CopyButton } from "../ui";
import { JsonTree } from "./JsonTree";
import { MessagesView } from "./MessagesView";
import { Pretty } from "./Pretty";
import { toMessages } from "./messages";

export type Format = "pretty" | "json" | "llm";
const KEY = "assay.trace.format.";

function remembered(field: string): Format | null {
  const v = localStorage.getItem(KEY + field);
  return v === "pretty" || v === "json" || v === "llm" ? v : null;
}

export function FieldView({ field, label, value, term, extra, defaultOpen = true }: {
  field: string; label: string; value: unknown; term?: string; extra?: ReactNode; defaultOpen?: boolean;
}) {
  const messages = useMemo(() => (typeof value === "string" ? null : toMessages(value)), [value]);
  const [format, setFormat] = useState<Format | null>(remembered(field));
  const [open, setOpen] = useState(defaultOpen);
  const shown: Format = format === "llm" && !messages ? "pretty" : (format ?? (messages ? "llm" : "pretty"));
  function choose(f: Format) {
    localStorage.setItem(KEY + field, f);
    setFormat(f);
  }
  const text = () => (typeof value === "string" ? value : JSON.stringify(value, null, 2));
  const options: [Format, string][] = [["pretty", "Pretty"], ["json", "JSON"], ...(messages ? [["llm", "LLM"] as [Format, string]] : [])];
  return (
    <section className="field-view" aria-label={label} data-field={field}>
      <header>
        <button className="field-title" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? <ChevronDown aria-hidden /> : <ChevronRight aria-hidden />}{label}
        </button>
        {extra}
        <span className="spacer" />
        {open && (
          <div className="segmented sm" role="group" aria-label={`${label} format`}>
            {options.map(([f, name]) => (
              <button key={f} data-state={shown === f ? "on" : "off"} aria-pressed={shown === f} onClick={() => choose(f)}>{name}</button>
            ))}
          </div>
        )}
        <CopyButton text={text} label={`Copy ${label.toLowerCase()}`} />
      </header>
      {open && (
        <div className="field-body">
          {shown === "json" && <JsonTree value={value} term={term} />}
          {shown === "pretty" && <Pretty value={value} term={term} />}
          {shown === "llm" && messages && <MessagesView messages={messages} term={term} />}
        </div>
      )}
    </section>
  );
}

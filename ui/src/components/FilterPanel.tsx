import { useState } from "react";
import * as Tabs from "@radix-ui/react-tabs";
import { Code2, Filter, MousePointerClick } from "lucide-react";
import { api, type CustomColumn } from "../api/client";
import { Button, ErrorMessage, Popover } from "../ui";
import type { ColumnSpec } from "./columns";

const OPS = ["=", "!=", ">", ">=", "<", "<=", "contains", "is null", "is not null", "includes"] as const;

function literal(v: string): string {
  return v !== "" && !Number.isNaN(Number(v)) ? v : `'${v.replace(/'/g, "''")}'`;
}

// Basic (point and click) or SQL: either way the result is one expression of the query language,
// checked by the server before it is applied; a mistake is shown under the editor.
export function FilterPanel(props: {
  experimentId: string;
  rowType: string;
  columns: ColumnSpec[];
  custom: CustomColumn[];
  count?: number; // filters applied now (shown on the button)
  onAdd: (expr: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const [sql, setSql] = useState("");
  const [error, setError] = useState("");
  const [col, setCol] = useState(props.columns[0]?.id ?? "input");
  const [op, setOp] = useState<(typeof OPS)[number]>("=");
  const [value, setValue] = useState("");
  const [path, setPath] = useState("");
  const [min, setMin] = useState("");
  const [max, setMax] = useState("");

  function exprOf(colId: string): string {
    const c = props.custom.find((x) => x.name === colId);
    return c ? `(${c.expr})` : colId;
  }
  async function apply(expr: string) {
    setError("");
    try {
      await api(`/v1/experiment/${props.experimentId}/table`, {
        method: "POST",
        json: { row_type: props.rowType, filters: [expr], custom_columns: props.custom, limit: 1 },
      });
      props.onAdd(expr);
      setOpen(false);
      setSql("");
    } catch (e) {
      setError((e as Error).message);
    }
  }
  function basic(): string {
    const target = exprOf(col === "__path" ? path : col);
    if (op === "is null") return `${target} IS NULL`;
    if (op === "is not null") return `${target} IS NOT NULL`;
    if (op === "contains") return `to_string(${target}) ILIKE ${literal(`%${value}%`)}`;
    if (op === "includes") return `${target} INCLUDES ${literal(value)}`;
    return `${target} ${op} ${literal(value)}`;
  }
  const scores = props.columns.filter((c) => c.kind === "score");
  const [rangeScore, setRangeScore] = useState(scores[0]?.id ?? "");
  return (
    <Popover open={open} onOpenChange={setOpen} className="filter-panel" label="Filters"
      trigger={
        <Button aria-label="Filter" icon={<Filter />}>
          Filter{props.count ? <span className="count" aria-hidden>{props.count}</span> : null}
        </Button>
      }>
      <Tabs.Root defaultValue="basic">
        <Tabs.List aria-label="Filter mode" className="tabs">
          <Tabs.Trigger value="basic"><MousePointerClick aria-hidden />Basic</Tabs.Trigger>
          <Tabs.Trigger value="sql"><Code2 aria-hidden />SQL</Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content value="basic" className="tab-body">
          <fieldset className="panel-section">
            <legend>Column</legend>
            <div className="panel-row">
              <select className="select sm" aria-label="Filter column" value={col} onChange={(e) => setCol(e.target.value)}>
                {props.columns.map((c) => <option key={c.id} value={c.id}>{c.label}</option>)}
                <option value="__path">Metadata path…</option>
              </select>
              {col === "__path" && (
                <input className="input sm mono" aria-label="Metadata path" placeholder="metadata.category" value={path}
                  onChange={(e) => setPath(e.target.value)} />
              )}
              <select className="select sm" aria-label="Filter operator" value={op} onChange={(e) => setOp(e.target.value as any)}>
                {OPS.map((o) => <option key={o}>{o}</option>)}
              </select>
              {!op.startsWith("is") && (
                <input className="input sm" aria-label="Filter value" placeholder="value" value={value} onChange={(e) => setValue(e.target.value)} />
              )}
              <Button size="sm" variant="primary" onClick={() => apply(basic())}>Add filter</Button>
            </div>
          </fieldset>
          {scores.length > 0 && (
            <fieldset className="panel-section">
              <legend>Score range</legend>
              <div className="panel-row">
                <select className="select sm" aria-label="Range score" value={rangeScore} onChange={(e) => setRangeScore(e.target.value)}>
                  {scores.map((c) => <option key={c.id} value={c.id}>{c.label}</option>)}
                </select>
                <input className="input sm" aria-label="Minimum score" placeholder="min (0-1)" size={7} value={min} onChange={(e) => setMin(e.target.value)} />
                <input className="input sm" aria-label="Maximum score" placeholder="max (0-1)" size={7} value={max} onChange={(e) => setMax(e.target.value)} />
                <Button size="sm" onClick={() => apply([min && `${rangeScore} >= ${Number(min)}`, max && `${rangeScore} <= ${Number(max)}`].filter(Boolean).join(" AND ") || "true")}>
                  Add range
                </Button>
              </div>
            </fieldset>
          )}
          <fieldset className="panel-section">
            <legend>Tag</legend>
            <div className="panel-row">
              <TagFilter onApply={(t) => apply(`tags INCLUDES ${literal(t)}`)} />
            </div>
          </fieldset>
        </Tabs.Content>
        <Tabs.Content value="sql" className="tab-body stack">
          <label htmlFor="sql-filter" className="label">WHERE</label>
          <textarea id="sql-filter" className="textarea" aria-label="SQL filter" rows={4} value={sql}
            aria-invalid={!!error} aria-describedby="sql-error"
            placeholder="scores.Levenshtein < 0.5 AND metadata.category = 'capitals'"
            onChange={(e) => { setSql(e.target.value); setError(""); }} />
          <div className="panel-row">
            <Button size="sm" variant="primary" onClick={() => apply(sql)} disabled={!sql.trim()}>Apply</Button>
          </div>
        </Tabs.Content>
      </Tabs.Root>
      <ErrorMessage id="sql-error" className="editor-error">{error}</ErrorMessage>
    </Popover>
  );
}

function TagFilter({ onApply }: { onApply: (t: string) => void }) {
  const [t, setT] = useState("");
  return (
    <>
      <input className="input sm" aria-label="Tag" placeholder="tag" value={t} onChange={(e) => setT(e.target.value)} />
      <Button size="sm" onClick={() => t && onApply(t)}>Add tag filter</Button>
    </>
  );
}

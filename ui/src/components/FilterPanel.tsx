import { useState } from "react";
import * as Popover from "@radix-ui/react-popover";
import * as Tabs from "@radix-ui/react-tabs";
import { api, type CustomColumn } from "../api/client";
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
    <Popover.Root open={open} onOpenChange={setOpen}>
      <Popover.Trigger asChild>
        <button aria-label="Filter">Filter</button>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content className="popover filter-panel" align="start" sideOffset={4}>
          <Tabs.Root defaultValue="basic">
            <Tabs.List aria-label="Filter mode" className="tabs">
              <Tabs.Trigger value="basic">Basic</Tabs.Trigger>
              <Tabs.Trigger value="sql">SQL</Tabs.Trigger>
            </Tabs.List>
            <Tabs.Content value="basic" className="tab-body">
              <fieldset>
                <legend>Column</legend>
                <select aria-label="Filter column" value={col} onChange={(e) => setCol(e.target.value)}>
                  {props.columns.map((c) => <option key={c.id} value={c.id}>{c.label}</option>)}
                  <option value="__path">Metadata path…</option>
                </select>
                {col === "__path" && (
                  <input aria-label="Metadata path" placeholder="metadata.category" value={path}
                    onChange={(e) => setPath(e.target.value)} />
                )}
                <select aria-label="Filter operator" value={op} onChange={(e) => setOp(e.target.value as any)}>
                  {OPS.map((o) => <option key={o}>{o}</option>)}
                </select>
                {!op.startsWith("is") && (
                  <input aria-label="Filter value" value={value} onChange={(e) => setValue(e.target.value)} />
                )}
                <button onClick={() => apply(basic())}>Add filter</button>
              </fieldset>
              {scores.length > 0 && (
                <fieldset>
                  <legend>Score range</legend>
                  <select aria-label="Range score" value={rangeScore} onChange={(e) => setRangeScore(e.target.value)}>
                    {scores.map((c) => <option key={c.id} value={c.id}>{c.label}</option>)}
                  </select>
                  <input aria-label="Minimum score" placeholder="min (0-1)" size={6} value={min} onChange={(e) => setMin(e.target.value)} />
                  <input aria-label="Maximum score" placeholder="max (0-1)" size={6} value={max} onChange={(e) => setMax(e.target.value)} />
                  <button onClick={() => apply([min && `${rangeScore} >= ${Number(min)}`, max && `${rangeScore} <= ${Number(max)}`].filter(Boolean).join(" AND ") || "true")}>
                    Add range
                  </button>
                </fieldset>
              )}
              <fieldset>
                <legend>Tag</legend>
                <TagFilter onApply={(t) => apply(`tags INCLUDES ${literal(t)}`)} />
              </fieldset>
            </Tabs.Content>
            <Tabs.Content value="sql" className="tab-body">
              <label htmlFor="sql-filter">WHERE</label>
              <textarea id="sql-filter" aria-label="SQL filter" rows={4} value={sql}
                aria-invalid={!!error} aria-describedby="sql-error"
                placeholder="scores.Levenshtein < 0.5 AND metadata.category = 'capitals'"
                onChange={(e) => { setSql(e.target.value); setError(""); }} />
              <button onClick={() => apply(sql)} disabled={!sql.trim()}>Apply</button>
            </Tabs.Content>
          </Tabs.Root>
          {error && <p id="sql-error" role="alert" className="error editor-error">{error}</p>}
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}

function TagFilter({ onApply }: { onApply: (t: string) => void }) {
  const [t, setT] = useState("");
  return (
    <>
      <input aria-label="Tag" value={t} onChange={(e) => setT(e.target.value)} />
      <button onClick={() => t && onApply(t)}>Add tag filter</button>
    </>
  );
}

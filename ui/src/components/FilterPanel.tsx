import { useState } from "react";
import * as Tabs from "@radix-ui/react-tabs";
import { Code2, Filter, MousePointerClick } from "lucide-react";
import { api, checkExpression, located, type Condition, type CustomColumn, type Filter as TableFilter } from "../api/client";
import { Button, ErrorMessage, Popover } from "../ui";
import type { ColumnSpec } from "./columns";

const OPS = ["=", "!=", ">", ">=", "<", "<=", "contains", "is null", "is not null", "includes"] as const;

// A typed value: what looks like a number is compared as one. Values are sent as they are and
// become literals on the server; nothing here quotes anything.
function valueOf(v: string): string | number {
  return v.trim() !== "" && !Number.isNaN(Number(v)) ? Number(v) : v;
}

// Basic (point and click) sends structured conditions; SQL sends the text, checked by the server
// before it is applied, and a mistake is shown under the editor with its line and column.
export function FilterPanel(props: {
  experimentId: string;
  rowType: string;
  columns: ColumnSpec[];
  custom: CustomColumn[];
  count?: number; // filters applied now (shown on the button)
  onAdd: (filters: TableFilter[]) => void;
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

  function done(filters: TableFilter[]) {
    props.onAdd(filters);
    setOpen(false);
    setSql("");
  }
  // Conditions are checked by asking for one row with them: an unknown column is a clear error.
  async function applyConditions(conditions: Condition[]) {
    setError("");
    if (!conditions.length) return;
    try {
      await api(`/v1/experiment/${props.experimentId}/table`, {
        method: "POST",
        json: { row_type: props.rowType, filters: conditions, custom_columns: props.custom, limit: 1, with_total: false },
      });
      done(conditions);
    } catch (e) {
      setError((e as Error).message);
    }
  }
  async function applySql(text: string) {
    setError("");
    try {
      const checked = await checkExpression(props.experimentId, props.rowType, "filter", text);
      if (!checked.valid) return setError(located(checked));
      done([text]);
    } catch (e) {
      setError((e as Error).message);
    }
  }
  function basic(): Condition {
    const column = col === "__path" ? path.trim() : col;
    if (op === "is null" || op === "is not null") return { column, op };
    return { column, op, value: op === "contains" || op === "includes" ? value : valueOf(value) };
  }
  function range(): Condition[] {
    const out: Condition[] = [];
    if (min.trim()) out.push({ column: rangeScore, op: ">=", value: Number(min) });
    if (max.trim()) out.push({ column: rangeScore, op: "<=", value: Number(max) });
    return out;
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
              <Button size="sm" variant="primary" onClick={() => applyConditions([basic()])}>Add filter</Button>
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
                <Button size="sm" onClick={() => applyConditions(range())}>
                  Add range
                </Button>
              </div>
            </fieldset>
          )}
          <fieldset className="panel-section">
            <legend>Tag</legend>
            <div className="panel-row">
              <TagFilter onApply={(t) => applyConditions([{ column: "tags", op: "includes", value: t }])} />
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
            <Button size="sm" variant="primary" onClick={() => applySql(sql)} disabled={!sql.trim()}>Apply</Button>
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

import { useState } from "react";
import * as Popover from "@radix-ui/react-popover";
import type { Fields } from "../api/client";
import type { ColumnSpec } from "./columns";
import type { Layout, TableState } from "../state/url";

const LAYOUTS: [Layout, string][] = [
  ["list", "List"],
  ["grid", "Grid"],
  ["summary", "Summary"],
  ["summary_table", "Summary table"],
];

// Display: row type, row height, layout, group by, and the column settings.
export function DisplayPanel(props: {
  state: TableState;
  update: (p: Partial<TableState>) => void;
  columns: ColumnSpec[]; // every column, in the current order
  fields: Fields | null;
}) {
  const { state, update } = props;
  return (
    <Popover.Root>
      <Popover.Trigger asChild>
        <button aria-label="Display">Display</button>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content className="popover display-panel" align="end" sideOffset={4}>
          <Radio label="Row type" value={state.rowType} onChange={(v) => update({ rowType: v as any })}
            options={[["traces", "Traces"], ["spans", "Spans"]]} />
          <Radio label="Row height" value={state.rowHeight} onChange={(v) => update({ rowHeight: v as any })}
            options={[["compact", "Compact"], ["tall", "Tall"]]} />
          <Radio label="Layout" value={state.layout} onChange={(v) => update({ layout: v as Layout })} options={LAYOUTS} />
          <fieldset>
            <legend>Group by</legend>
            <select aria-label="Group by" value={state.groupBy} onChange={(e) => update({ groupBy: e.target.value })}>
              <option value="">None</option>
              {(props.fields?.metadata ?? []).map((k) => <option key={k} value={`metadata.${k}`}>metadata.{k}</option>)}
              {state.custom.map((c) => <option key={c.name} value={c.name}>{c.name}</option>)}
            </select>
            <label>
              <input type="checkbox" checked={state.groupCompare} onChange={(e) => update({ groupCompare: e.target.checked })} />
              Include comparisons in group
            </label>
          </fieldset>
          <ColumnsEditor {...props} />
          <label>
            <input type="checkbox" checked={state.orderByRegressions}
              onChange={(e) => update({ orderByRegressions: e.target.checked })} />
            Order by regressions
          </label>
          {state.orderByRegressions && (
            <select aria-label="Regressions of score" value={state.regressionScore}
              onChange={(e) => update({ regressionScore: e.target.value })}>
              <option value="">(columns only)</option>
              {(props.fields?.scores ?? []).map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          )}
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}

function Radio(props: { label: string; value: string; options: [string, string][]; onChange: (v: string) => void }) {
  return (
    <fieldset role="radiogroup" aria-label={props.label}>
      <legend>{props.label}</legend>
      {props.options.map(([v, l]) => (
        <label key={v}>
          <input type="radio" name={props.label} checked={props.value === v} onChange={() => props.onChange(v)} />
          {l}
        </label>
      ))}
    </fieldset>
  );
}

// Show/hide, drag (or move buttons) to reorder, pin to the left; add custom columns.
function ColumnsEditor({ state, update, columns, fields }: Parameters<typeof DisplayPanel>[0]) {
  const [dragging, setDragging] = useState<string | null>(null);
  const ids = columns.map((c) => c.id);
  function move(id: string, to: number) {
    const rest = ids.filter((x) => x !== id);
    rest.splice(Math.max(0, Math.min(to, rest.length)), 0, id);
    update({ order: rest });
  }
  return (
    <fieldset className="columns-editor">
      <legend>Columns</legend>
      <ul aria-label="Columns">
        {columns.map((c, i) => (
          <li key={c.id} draggable data-column={c.id}
            onDragStart={() => setDragging(c.id)}
            onDragOver={(e) => e.preventDefault()}
            onDrop={(e) => { e.preventDefault(); if (dragging && dragging !== c.id) move(dragging, i); setDragging(null); }}>
            <span className="grip" aria-hidden>⋮⋮</span>
            <label>
              <input type="checkbox" aria-label={`Show ${c.label}`} checked={!state.hidden.includes(c.id)}
                onChange={(e) => update({ hidden: e.target.checked ? state.hidden.filter((h) => h !== c.id) : [...state.hidden, c.id] })} />
              {c.label}
            </label>
            <button className="icon" aria-label={`Move ${c.label} up`} onClick={() => move(c.id, i - 1)}>↑</button>
            <button className="icon" aria-label={`Move ${c.label} down`} onClick={() => move(c.id, i + 1)}>↓</button>
            <label className="pin">
              <input type="checkbox" aria-label={`Pin ${c.label}`} checked={state.pinned.includes(c.id)}
                onChange={(e) => update({ pinned: e.target.checked ? [...state.pinned, c.id] : state.pinned.filter((p) => p !== c.id) })} />
              Pin
            </label>
            {c.kind === "custom" && (
              <button className="icon" aria-label={`Remove ${c.label}`}
                onClick={() => update({ custom: state.custom.filter((x) => x.name !== c.id) })}>✕</button>
            )}
          </li>
        ))}
      </ul>
      <CustomColumnForm fields={fields} onAdd={(c) => update({ custom: [...state.custom.filter((x) => x.name !== c.name), c] })} />
    </fieldset>
  );
}

function CustomColumnForm({ fields, onAdd }: { fields: Fields | null; onAdd: (c: { name: string; expr: string }) => void }) {
  const [name, setName] = useState("");
  const [expr, setExpr] = useState("");
  const inferred = [
    ...(fields?.metadata ?? []).map((k) => `metadata.${k}`),
    ...(fields?.scores ?? []).map((s) => `scores.${/^[A-Za-z_]\w*$/.test(s) ? s : `"${s}"`}`),
    ...(fields?.metrics ?? []).map((m) => `metrics.${m}`),
    "span_attributes.name",
  ];
  return (
    <div className="custom-column">
      <strong>+ Add custom column</strong>
      <input aria-label="Custom column name" placeholder="Name" value={name} onChange={(e) => setName(e.target.value)} />
      <select aria-label="Inferred field" value="" onChange={(e) => setExpr(e.target.value)}>
        <option value="">Inferred field…</option>
        {inferred.map((f) => <option key={f} value={f}>{f}</option>)}
      </select>
      <input aria-label="Custom column expression" placeholder="SQL expression" value={expr}
        onChange={(e) => setExpr(e.target.value)} />
      <button disabled={!name.trim() || !expr.trim()} onClick={() => { onAdd({ name: name.trim(), expr: expr.trim() }); setName(""); setExpr(""); }}>
        Add column
      </button>
    </div>
  );
}

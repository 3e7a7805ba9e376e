import { useState } from "react";
import { ArrowDown, ArrowUp, GripVertical, SlidersHorizontal, X } from "lucide-react";
import { checkExpression, located, type Fields } from "../api/client";
import { quotePart, type ColumnSpec } from "./columns";
import type { Layout, TableState } from "../state/url";
import { Button, ErrorMessage, IconButton, Popover, Segmented } from "../ui";

const LAYOUTS: (readonly [Layout, string])[] = [
  ["list", "List"],
  ["grid", "Grid"],
  ["summary", "Summary"],
  ["summary_table", "Summary table"],
];

// Display: row type, row height, layout, group by, and the column settings.
export function DisplayPanel(props: {
  experimentId: string;
  state: TableState;
  update: (p: Partial<TableState>) => void;
  columns: ColumnSpec[]; // every column, in the current order
  fields: Fields | null;
}) {
  const { state, update } = props;
  return (
    <Popover className="display-panel" align="end" label="Display options"
      trigger={<Button aria-label="Display" icon={<SlidersHorizontal />}>Display</Button>}>
      <div className="panel-section">
        <div className="panel-grid">
          <span className="label">Row type</span>
          <Segmented label="Row type" value={state.rowType} onChange={(v) => update({ rowType: v })}
            options={[["traces", "Traces"], ["spans", "Spans"]] as const} />
          <span className="label">Row height</span>
          <Segmented label="Row height" value={state.rowHeight} onChange={(v) => update({ rowHeight: v })}
            options={[["compact", "Compact"], ["tall", "Tall"]] as const} />
          <span className="label">Layout</span>
          <Segmented label="Layout" value={state.layout} onChange={(v) => update({ layout: v })} options={LAYOUTS} />
        </div>
      </div>
      <fieldset className="panel-section">
        <legend>Group by</legend>
        <div className="panel-row">
          <select className="select" aria-label="Group by" value={state.groupBy} onChange={(e) => update({ groupBy: e.target.value })}>
            <option value="">None</option>
            {(props.fields?.metadata ?? []).map((k) => <option key={k} value={`metadata.${k}`}>metadata.{k}</option>)}
            {(props.fields?.classifications ?? []).map((c) => (
              <option key={`c:${c}`} value={`classifications.${quotePart(c)}.label`}>{c} (labels)</option>
            ))}
            {(props.fields?.facets ?? []).map((f) => <option key={`f:${f}`} value={`facets.${quotePart(f)}`}>{f} (facet)</option>)}
            {state.custom.map((c) => <option key={c.name} value={c.name}>{c.name}</option>)}
          </select>
          <label className="check">
            <input type="checkbox" checked={state.groupCompare} onChange={(e) => update({ groupCompare: e.target.checked })} />
            Include comparisons in group
          </label>
        </div>
      </fieldset>
      <ColumnsEditor {...props} />
      <div className="panel-section">
        <div className="panel-row">
          <label className="check">
            <input type="checkbox" checked={state.orderByRegressions}
              onChange={(e) => update({ orderByRegressions: e.target.checked })} />
            Order by regressions
          </label>
          {state.orderByRegressions && (
            <select className="select sm" aria-label="Regressions of score" value={state.regressionScore}
              onChange={(e) => update({ regressionScore: e.target.value })}>
              <option value="">(columns only)</option>
              {(props.fields?.scores ?? []).map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          )}
        </div>
      </div>
    </Popover>
  );
}

// Show/hide, drag (or move buttons) to reorder, pin to the left; add custom columns.
function ColumnsEditor({ experimentId, state, update, columns, fields }: Parameters<typeof DisplayPanel>[0]) {
  const [dragging, setDragging] = useState<string | null>(null);
  const ids = columns.map((c) => c.id);
  function move(id: string, to: number) {
    const rest = ids.filter((x) => x !== id);
    rest.splice(Math.max(0, Math.min(to, rest.length)), 0, id);
    update({ order: rest });
  }
  return (
    <fieldset className="panel-section columns-editor">
      <legend>Columns</legend>
      <ul aria-label="Columns">
        {columns.map((c, i) => (
          <li key={c.id} draggable data-column={c.id} className={dragging === c.id ? "dragging" : undefined}
            onDragStart={() => setDragging(c.id)}
            onDragOver={(e) => e.preventDefault()}
            onDrop={(e) => { e.preventDefault(); if (dragging && dragging !== c.id) move(dragging, i); setDragging(null); }}>
            <span className="grip" aria-hidden><GripVertical /></span>
            <label className="check">
              <input type="checkbox" aria-label={`Show ${c.label}`} checked={!state.hidden.includes(c.id)}
                onChange={(e) => update({ hidden: e.target.checked ? state.hidden.filter((h) => h !== c.id) : [...state.hidden, c.id] })} />
              {c.label}
            </label>
            <IconButton size="sm" label={`Move ${c.label} up`} disabled={i === 0} onClick={() => move(c.id, i - 1)}><ArrowUp /></IconButton>
            <IconButton size="sm" label={`Move ${c.label} down`} disabled={i === columns.length - 1} onClick={() => move(c.id, i + 1)}><ArrowDown /></IconButton>
            <label className="check pin">
              <input type="checkbox" aria-label={`Pin ${c.label}`} checked={state.pinned.includes(c.id)}
                onChange={(e) => update({ pinned: e.target.checked ? [...state.pinned, c.id] : state.pinned.filter((p) => p !== c.id) })} />
              Pin
            </label>
            {c.kind === "custom" && (
              <IconButton size="sm" label={`Remove ${c.label}`}
                onClick={() => update({ custom: state.custom.filter((x) => x.name !== c.id) })}><X /></IconButton>
            )}
          </li>
        ))}
      </ul>
      <CustomColumnForm experimentId={experimentId} rowType={state.rowType} fields={fields} onAdd={(c) => update({ custom: [...state.custom.filter((x) => x.name !== c.name), c] })} />
    </fieldset>
  );
}

function CustomColumnForm({ experimentId, rowType, fields, onAdd }: {
  experimentId: string; rowType: string; fields: Fields | null; onAdd: (c: { name: string; expr: string }) => void;
}) {
  const [name, setName] = useState("");
  const [expr, setExpr] = useState("");
  const [error, setError] = useState("");
  const inferred = [
    ...(fields?.metadata ?? []).map((k) => `metadata.${quotePart(k)}`),
    ...(fields?.scores ?? []).map((s) => `scores.${quotePart(s)}`),
    ...(fields?.metrics ?? []).map((m) => `metrics.${m}`),
    ...(fields?.classifications ?? []).map((c) => `classifications.${quotePart(c)}.label`),
    ...(fields?.facets ?? []).map((f) => `facets.${quotePart(f)}`),
    "span_attributes.name",
  ];
  // The expression is checked by the server before the column is added, so a mistake shows here,
  // at the editor, and the table keeps its rows.
  async function add() {
    setError("");
    try {
      const checked = await checkExpression(experimentId, rowType, "column", expr.trim());
      if (!checked.valid) return setError(located(checked));
      onAdd({ name: name.trim(), expr: expr.trim() });
      setName("");
      setExpr("");
    } catch (e) {
      setError((e as Error).message);
    }
  }
  return (
    <div className="custom-column">
      <span className="label full">Add a custom column</span>
      <input className="input sm" aria-label="Custom column name" placeholder="Name" value={name} onChange={(e) => setName(e.target.value)} />
      <select className="select sm" aria-label="Inferred field" value="" onChange={(e) => { setExpr(e.target.value); setError(""); }}>
        <option value="">Inferred field…</option>
        {inferred.map((f) => <option key={f} value={f}>{f}</option>)}
      </select>
      <input className="input sm full mono" aria-label="Custom column expression" placeholder="SQL expression, e.g. metrics.total_tokens * 2"
        aria-invalid={!!error} aria-describedby="custom-column-error"
        value={expr} onChange={(e) => { setExpr(e.target.value); setError(""); }} />
      <ErrorMessage id="custom-column-error" className="editor-error full">{error}</ErrorMessage>
      <Button size="sm" variant="primary" className="full" disabled={!name.trim() || !expr.trim()} onClick={add}>
        Add column
      </Button>
    </div>
  );
}

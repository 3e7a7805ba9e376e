// Collapsible JSON: objects and arrays fold, long arrays show a page at a time, values are coloured
// by type. Everything is text: logged markup is never interpreted.
import { ChevronDown, ChevronRight } from "lucide-react";
import { useState } from "react";
import { Highlight } from "./Highlight";

const PAGE = 100;

export function JsonTree({ value, term, openDepth = 2 }: { value: unknown; term?: string; openDepth?: number }) {
  return (
    <div className="json-tree" role="tree">
      <Node value={value} depth={0} openDepth={openDepth} term={term} />
    </div>
  );
}

function Node({ name, value, depth, openDepth, term, last = true }: {
  name?: string | number; value: unknown; depth: number; openDepth: number; term?: string; last?: boolean;
}) {
  const composite = typeof value === "object" && value !== null;
  const [open, setOpen] = useState(depth < openDepth);
  const [shown, setShown] = useState(PAGE);
  const label = name !== undefined && (
    <span className="jt-key">{typeof name === "number" ? name : <Highlight text={JSON.stringify(name)} term={term} />}: </span>
  );
  const comma = last ? "" : ",";
  if (!composite) return <div className="jt-line" role="treeitem">{label}<Scalar value={value} term={term} />{comma}</div>;
  const isArray = Array.isArray(value);
  const entries: [string | number, unknown][] = isArray ? (value as unknown[]).map((v, i) => [i, v]) : Object.entries(value as object);
  const [l, r] = isArray ? ["[", "]"] : ["{", "}"];
  if (!entries.length) return <div className="jt-line" role="treeitem">{label}<span className="jt-punct">{l}{r}</span>{comma}</div>;
  return (
    <div role="treeitem" aria-expanded={open}>
      <div className="jt-line">
        <button className="jt-toggle" onClick={() => setOpen(!open)} aria-label={open ? "Collapse" : "Expand"}>
          {open ? <ChevronDown aria-hidden /> : <ChevronRight aria-hidden />}
        </button>
        {label}<span className="jt-punct">{l}</span>
        {!open && <button className="jt-more" onClick={() => setOpen(true)}>{entries.length} {isArray ? "items" : "keys"}</button>}
        {!open && <span className="jt-punct">{r}{comma}</span>}
      </div>
      {open && (
        <div className="jt-children" role="group">
          {entries.slice(0, shown).map(([k, v], i) => (
            <Node key={k} name={isArray ? undefined : k} value={v} depth={depth + 1} openDepth={openDepth} term={term}
              last={i === Math.min(shown, entries.length) - 1 && shown >= entries.length} />
          ))}
          {entries.length > shown && (
            <button className="jt-more" onClick={() => setShown(shown + PAGE)}>Show {Math.min(PAGE, entries.length - shown)} more of {entries.length - shown}</button>
          )}
        </div>
      )}
      {open && <div className="jt-line"><span className="jt-punct">{r}{comma}</span></div>}
    </div>
  );
}

function Scalar({ value, term }: { value: unknown; term?: string }) {
  if (value === null || value === undefined) return <span className="jt-null">null</span>;
  if (typeof value === "string") return <span className="jt-string"><Highlight text={JSON.stringify(value)} term={term} /></span>;
  if (typeof value === "number") return <span className="jt-number">{String(value)}</span>;
  if (typeof value === "boolean") return <span className="jt-bool">{String(value)}</span>;
  return <span>{String(value)}</span>;
}

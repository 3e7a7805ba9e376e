// Word-level diff of text and structural diff of JSON, marked with <ins>/<del> (jsdiff, `diff` on npm).
// JSON is compared as canonical, indented JSON (keys sorted), so a moved key is no change and each
// changed value shows on its own line.
import { diffJson, diffWords, type Change } from "diff";
import { cellText } from "../components/format";

export const MAX_DIFF_CHARS = 20_000; // longer fields are shown side by side, not diffed

function isStructured(v: unknown): boolean {
  return v !== null && typeof v === "object";
}

export function changes(before: unknown, after: unknown): Change[] | null {
  if (isStructured(before) && isStructured(after)) {
    const a = JSON.stringify(before, null, 2) ?? "";
    const b = JSON.stringify(after, null, 2) ?? "";
    if (a.length + b.length > MAX_DIFF_CHARS) return null;
    return diffJson(before as object, after as object);
  }
  const a = cellText(before);
  const b = cellText(after);
  if (a.length + b.length > MAX_DIFF_CHARS) return null;
  return diffWords(a, b);
}

/** `after` with what changed against `before`: insertions and deletions marked inline. */
export function DiffText({ before, after, label }: { before: unknown; after: unknown; label?: string }) {
  const parts = changes(before, after);
  if (parts === null)
    return <div className="diff-text" aria-label={label}><span className="subtle">(too long to diff) </span>{cellText(after)}</div>;
  const same = parts.every((p) => !p.added && !p.removed);
  return (
    <div className={`diff-text ${same ? "same" : ""}`} aria-label={label} data-changed={same ? "0" : "1"}>
      {parts.map((p, i) =>
        p.added ? <ins key={i} className="diff-add">{p.value}</ins>
          : p.removed ? <del key={i} className="diff-del">{p.value}</del>
          : <span key={i}>{p.value}</span>,
      )}
    </div>
  );
}

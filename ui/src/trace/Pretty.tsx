// "Pretty": strings as Markdown (plain text when they hold markup or while finding), JSON held in
// strings parsed, objects as labelled sections, attachments as files.
import { Markdown } from "./Markdown";
import { Highlight } from "./Highlight";
import { JsonTree } from "./JsonTree";
import { Attachment, isAttachment } from "./Attachment";

const LOOKS_LIKE_HTML = /<\/?[a-zA-Z!][^>]*>/;

export function parseJsonString(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const t = v.trim();
  if (!(t.startsWith("{") || t.startsWith("["))) return v;
  try {
    return JSON.parse(t);
  } catch {
    return v;
  }
}

export function Pretty({ value, term, depth = 0 }: { value: unknown; term?: string; depth?: number }) {
  const v = parseJsonString(value);
  if (v === null || v === undefined) return <span className="subtle">null</span>;
  if (typeof v === "string") {
    if (term || LOOKS_LIKE_HTML.test(v)) return <div className="plain-text"><Highlight text={v} term={term} /></div>;
    return <Markdown text={v} />;
  }
  if (typeof v !== "object") return <span className="mono">{String(v)}</span>;
  if (isAttachment(v)) return <Attachment value={v} />;
  if (depth >= 3) return <JsonTree value={v} term={term} openDepth={1} />;
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x !== "object" || x === null)) return <JsonTree value={v} term={term} />;
    return (
      <ol className="pretty-list">
        {v.map((item, i) => <li key={i}><Pretty value={item} term={term} depth={depth + 1} /></li>)}
      </ol>
    );
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (!entries.length) return <span className="subtle">{"{}"}</span>;
  return (
    <dl className="pretty-object">
      {entries.map(([k, item]) => (
        <div key={k}>
          <dt><Highlight text={k} term={term} /></dt>
          <dd><Pretty value={item} term={term} depth={depth + 1} /></dd>
        </div>
      ))}
    </dl>
  );
}

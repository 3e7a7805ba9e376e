// Evidence: links that open a trace beside the table (the `tr` URL parameter, so a link can also be
// opened in a new tab or shared), and a button that shows a slice's rows in the table.
import { Link, useLocation } from "react-router-dom";
import { fmtScore } from "../components/format";

export function TraceLink({ rootSpanId, children }: { rootSpanId: string; children?: React.ReactNode }) {
  const { search } = useLocation();
  const params = new URLSearchParams(search);
  params.set("tr", rootSpanId);
  params.delete("sp");
  return (
    <Link className="evidence-link mono" to={{ search: `?${params}` }} title={`Open trace ${rootSpanId}`}>
      {children ?? rootSpanId.slice(0, 8)}
    </Link>
  );
}

export function ScoreExamples({ items, label }: {
  items: { id: string; root_span_id: string; score?: number | null; base_score?: number }[]; label: string;
}) {
  if (!items.length) return null;
  return (
    <div className="evidence" aria-label={label}>
      <span className="subtle">{label}:</span>
      {items.map((e) => (
        <TraceLink key={e.id} rootSpanId={e.root_span_id}>
          {e.root_span_id.slice(0, 8)}
          {e.score !== undefined && e.score !== null && (
            <span className="subtle"> {e.base_score !== undefined ? `${fmtScore(e.base_score)} → ` : ""}{fmtScore(e.score)}</span>
          )}
        </TraceLink>
      ))}
    </div>
  );
}

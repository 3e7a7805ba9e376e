// Review mode: the rows of the current table filter one at a time, the scores panel beside the
// trace, keyboard first: n / p move to the next and previous row, c marks the review complete and
// moves on, Escape leaves. The rows are taken once when review mode opens, so reviewing a row of
// "Unreviewed" does not shift the ones still to come.
import { ArrowLeft, ArrowRight, CheckCheck, X } from "lucide-react";
import { useEffect, useState } from "react";
import { api, type Row, type TableFilters } from "../api/client";
import { Button, EmptyState, ErrorMessage, IconButton, Kbd, SkeletonRows, toast, useHotkeys } from "../ui";
import { TraceView } from "../trace/TraceView";
import { forgetTrace } from "../trace/api";
import type { TraceMode } from "../state/trace";
import { ReviewPanel } from "./ReviewPanel";
import { postReview } from "./api";

const MAX_ROWS = 1000;

export function ReviewMode({ experimentId, projectId, query, settingsHref, onReviewed, onClose }: {
  experimentId: string; projectId: string; query: TableFilters & { sort?: unknown }; settingsHref: string;
  onReviewed: () => void; onClose: () => void;
}) {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState("");
  const [at, setAt] = useState(0);
  const [span, setSpan] = useState("");
  const [mode, setMode] = useState<TraceMode>("trace");
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    // The table's rows as it shows them: traces (a review of the root span) or spans.
    api<{ rows: Row[]; total: number | null }>(`/v1/experiment/${experimentId}/table`, {
      method: "POST",
      json: { ...query, limit: MAX_ROWS, offset: 0, with_total: true },
    })
      .then((r) => { setRows(r.rows); setTotal(r.total); })
      .catch((e) => setError(e.message));
  }, []);
  const row = rows?.[at];
  const go = (step: number) => {
    if (!rows?.length) return;
    setAt((i) => Math.max(0, Math.min(rows.length - 1, i + step)));
  };
  // The reviewed span is selected in the trace (a trace row's is its root).
  useEffect(() => setSpan(row && row.span_id !== row.root_span_id ? String(row.span_id) : ""), [row?.id]);
  async function completeAndContinue() {
    if (!row || busy) return;
    setBusy(true);
    try {
      await postReview("experiment", experimentId, { id: String(row.id), complete: true });
      forgetTrace({ objectType: "experiment", objectId: experimentId, rootSpanId: String(row.root_span_id) });
      onReviewed();
      if (rows && at < rows.length - 1) go(1);
      else toast("success", "Review complete", "That was the last row of this filter.");
    } catch (e) {
      toast("error", "Could not mark the review complete", (e as Error).message);
    } finally {
      setBusy(false);
    }
  }
  useHotkeys({ n: () => go(1), p: () => go(-1), c: () => void completeAndContinue() });
  const trace = row ? { objectType: "experiment" as const, objectId: experimentId, rootSpanId: String(row.root_span_id) } : null;
  return (
    <section className="review-mode" aria-label="Review mode">
      <header className="review-mode-bar">
        <h2>Review</h2>
        <span className="muted" aria-live="polite">
          {rows ? (rows.length ? `Row ${at + 1} of ${rows.length}${total != null && total > rows.length ? ` (first ${rows.length} of ${total})` : ""}` : "No rows") : "Loading rows"}
        </span>
        <span className="spacer" />
        <Button icon={<ArrowLeft />} onClick={() => go(-1)} disabled={!rows || at === 0} title="Previous row (p)">Previous <Kbd>p</Kbd></Button>
        <Button icon={<ArrowRight />} onClick={() => go(1)} disabled={!rows || at >= rows.length - 1} title="Next row (n)">Next <Kbd>n</Kbd></Button>
        <Button variant="primary" icon={<CheckCheck />} onClick={() => void completeAndContinue()} disabled={!row || busy}>
          Mark complete and continue <Kbd>c</Kbd>
        </Button>
        <IconButton label="Leave review mode" shortcut="Esc" onClick={onClose}><X /></IconButton>
      </header>
      <ErrorMessage>{error}</ErrorMessage>
      {!rows && !error && <SkeletonRows rows={6} label="Loading rows to review" />}
      {rows && rows.length === 0 && (
        <EmptyState title="Nothing to review" actions={<Button onClick={onClose}>Back to the table</Button>}>
          No rows match the current filter.
        </EmptyState>
      )}
      {row && trace && (
        <div className="review-mode-body" data-row-id={String(row.id)}>
          <aside className="review-mode-scores">
            <ReviewPanel key={String(row.id)} target={{ rowsType: "experiment", objectId: experimentId, projectId, rowId: String(row.id), settingsHref }}
              onReviewed={() => { forgetTrace(trace); onReviewed(); }} compact />
          </aside>
          <div className="review-mode-trace">
            <TraceView key={trace.rootSpanId} trace={trace} span={span} mode={mode} onSpan={setSpan} onMode={setMode} onClose={onClose} />
          </div>
        </div>
      )}
    </section>
  );
}

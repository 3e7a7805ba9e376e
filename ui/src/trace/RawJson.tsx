// The raw JSON of the span, and of the whole trace a page of spans at a time (the browser never
// holds every span's fields at once).
import * as Tabs from "@radix-ui/react-tabs";
import { useEffect, useState } from "react";
import { Button, CopyButton, Dialog, ErrorMessage, SkeletonRows } from "../ui";
import { fetchSpans, type TraceRef, type TraceSpans } from "./api";
import { JsonTree } from "./JsonTree";

const PAGE = 100;

export function RawJson({ open, onClose, trace, span }: { open: boolean; onClose: () => void; trace: TraceRef; span: unknown }) {
  const [tab, setTab] = useState("span");
  const [page, setPage] = useState<TraceSpans | null>(null);
  const [offset, setOffset] = useState(0);
  const [error, setError] = useState("");
  useEffect(() => {
    if (!open || tab !== "trace") return;
    setPage(null);
    fetchSpans(trace, offset, PAGE).then(setPage).catch((e) => setError(e.message));
  }, [open, tab, offset, trace.rootSpanId]);
  return (
    <Dialog open={open} onClose={onClose} title="Raw JSON">
      <Tabs.Root value={tab} onValueChange={setTab}>
        <Tabs.List className="tabs" aria-label="Raw JSON of">
          <Tabs.Trigger value="span">This span</Tabs.Trigger>
          <Tabs.Trigger value="trace">Full trace</Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content value="span">
          <div className="row raw-actions"><CopyButton iconOnly={false} label="Copy span JSON" text={() => JSON.stringify(span, null, 2)} /></div>
          <JsonTree value={span} openDepth={3} />
        </Tabs.Content>
        <Tabs.Content value="trace">
          <ErrorMessage>{error}</ErrorMessage>
          {!page && !error && <SkeletonRows rows={6} label="Loading spans" />}
          {page && (
            <>
              <div className="row raw-actions">
                <span className="muted">Spans {page.offset + 1}–{page.offset + page.spans.length} of {page.total.toLocaleString()}</span>
                <span className="spacer" />
                <Button size="sm" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Previous</Button>
                <Button size="sm" disabled={offset + PAGE >= page.total} onClick={() => setOffset(offset + PAGE)}>Next</Button>
                <CopyButton iconOnly={false} label="Copy page JSON" text={() => JSON.stringify(page.spans, null, 2)} />
              </div>
              <JsonTree value={page.spans} openDepth={1} />
            </>
          )}
        </Tabs.Content>
      </Tabs.Root>
    </Dialog>
  );
}

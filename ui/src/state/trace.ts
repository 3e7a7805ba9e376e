// The open trace lives in the page URL beside the table state: `tr` (root span id), `sp` (the
// selected span), `tvt` (view: trace, timeline or thread, the reference's parameter) and `tfs=1`
// (fullscreen). A reload or a shared link opens the same trace, span and view.
import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router-dom";

export type TraceMode = "trace" | "timeline" | "thread";

export interface TraceParams {
  trace: string;
  span: string;
  mode: TraceMode;
  fullscreen: boolean;
}

const NAMES = { trace: "tr", span: "sp", mode: "tvt", fullscreen: "tfs" } as const;

export function readTraceParams(p: URLSearchParams): TraceParams {
  const mode = p.get(NAMES.mode);
  return {
    trace: p.get(NAMES.trace) ?? "",
    span: p.get(NAMES.span) ?? "",
    mode: mode === "timeline" || mode === "thread" ? mode : "trace",
    fullscreen: p.get(NAMES.fullscreen) === "1",
  };
}

export function useTraceParams(): [TraceParams, (patch: Partial<TraceParams>, replace?: boolean) => void] {
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => readTraceParams(params), [params]);
  const update = useCallback(
    (patch: Partial<TraceParams>, replace = true) => {
      setParams((prev) => {
        const next = new URLSearchParams(prev);
        const merged = { ...readTraceParams(prev), ...patch };
        const set = (k: string, v: string) => (v ? next.set(k, v) : next.delete(k));
        set(NAMES.trace, merged.trace);
        set(NAMES.span, merged.trace ? merged.span : "");
        set(NAMES.mode, merged.trace && merged.mode !== "trace" ? merged.mode : "");
        set(NAMES.fullscreen, merged.trace && merged.fullscreen ? "1" : "");
        return next;
      }, { replace });
    },
    [setParams],
  );
  return [state, update];
}

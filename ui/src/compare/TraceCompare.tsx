// The trace view of a compared test case: above the trace, the case's scores (with changes against
// the base) and timing in every experiment; in the span detail, each of input, output, expected and
// metadata followed by its diff across the experiments (through the trace view's `renderField`).
import { useEffect, useState, type ReactNode } from "react";
import { ErrorMessage, SkeletonRows } from "../ui";
import type { CompareRow, ComparedExperiment, Comparison } from "./api";
import { CaseScores, DIFFED_FIELDS, FieldDiff } from "./CaseDiff";
import { fetchRows } from "./rows";

export interface ComparedCase {
  row: CompareRow | null;
  experiments: ComparedExperiment[];
  error: string;
}

/** The compared test case of one trace of the table's experiment (its fields included). */
export function useComparedCase(comparison: Comparison | null, rootSpanId: string): ComparedCase {
  const [found, setFound] = useState<ComparedCase>({ row: null, experiments: [], error: "" });
  const key = comparison ? `${comparison.ids.join(",")}|${comparison.table}|${rootSpanId}` : "";
  useEffect(() => {
    if (!comparison || !rootSpanId) return setFound({ row: null, experiments: [], error: "" });
    let live = true;
    const filters = [{ column: "root_span_id", op: "=", value: rootSpanId }];
    fetchRows(comparison, { row_type: "traces", filters }, null, 0, 1, true)
      .then((p) => live && setFound({ row: p.rows[0] ?? null, experiments: p.experiments, error: "" }))
      .catch((e) => live && setFound({ row: null, experiments: [], error: e.message }));
    return () => {
      live = false;
    };
  }, [key]);
  return found;
}

export function TraceCompare({ found }: { found: ComparedCase }) {
  if (found.error) return <ErrorMessage>{found.error}</ErrorMessage>;
  if (!found.row) return <div className="cmp-trace"><SkeletonRows rows={2} label="Loading the comparison" /></div>;
  return (
    <section className="cmp-trace" aria-label="Comparison of this test case">
      <CaseScores row={found.row} experiments={found.experiments} />
    </section>
  );
}

/** The trace view's field renderer in comparison mode: the field, then its diff across experiments. */
export function diffFields(found: ComparedCase) {
  const row = found.row;
  if (!row) return undefined;
  return (field: string, _value: unknown, view: ReactNode) => (
    <>
      {view}
      {(DIFFED_FIELDS as readonly string[]).includes(field) && <FieldDiff row={row} experiments={found.experiments} field={field} />}
    </>
  );
}

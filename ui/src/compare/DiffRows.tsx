// Diff mode: each test case expands into one sub-row per compared experiment (the base first), so
// outputs, scores and metadata read inline. "Experiments" diffs each output against the base's;
// "Output vs expected" diffs each experiment's output against its expected value.
import { useState } from "react";
import { Button, EmptyState, ErrorMessage, SkeletonRows } from "../ui";
import { cellText } from "../components/format";
import type { ChangeFilter, CompareRow, CompareRowsPage, Comparison } from "./api";
import { expColor } from "./colors";
import { DiffText } from "./Diff";
import { direction, fmtChange, fmtValue, MISSING } from "./format";
import { useCompareRows } from "./rows";

export type DiffMode = "experiments" | "expected";

export function DiffRows({ comparison, query, change, mode, onOpen }: {
  comparison: Comparison;
  query: object;
  change: ChangeFilter | null;
  mode: DiffMode;
  onOpen?: (row: CompareRow) => void;
}) {
  const [limit, setLimit] = useState(25);
  const { page, error } = useCompareRows(comparison, query, change, limit);
  if (error) return <ErrorMessage>{error}</ErrorMessage>;
  if (!page) return <SkeletonRows rows={6} label="Loading the diff" />;
  return (
    <div className="cmp-diff" aria-label="Diff mode">
      {page.rows.map((r) => <DiffCase key={String(r.row.id)} row={r} page={page} mode={mode} onOpen={onOpen} />)}
      {!page.rows.length && <EmptyState title="No rows match">Nothing matches the current view, filters and search.</EmptyState>}
      {page.rows.length >= limit && <div className="row"><Button onClick={() => setLimit(limit + 25)}>Load more</Button></div>}
    </div>
  );
}

/** The scores some experiment has for this test case, in name order. */
export function caseScores(row: CompareRow): string[] {
  const names = new Set<string>();
  for (const e of row.experiments) for (const [k, v] of Object.entries(e.scores)) if (v !== null && v !== undefined) names.add(k);
  return [...names].sort();
}

function DiffCase({ row, page, mode, onOpen }: { row: CompareRow; page: CompareRowsPage; mode: DiffMode; onOpen?: (row: CompareRow) => void }) {
  const base = row.experiments[0];
  const scores = caseScores(row);
  return (
    <section className="card cmp-case" aria-label={`Test case ${cellText(row.row.input).slice(0, 80)}`} data-row-id={String(row.row.id)}>
      <header>
        <button className="link-btn cmp-case-input" onClick={() => onOpen?.(row)} title="Open the trace with its diff">
          {cellText(row.row.input)}
        </button>
      </header>
      <table className="cmp-subrows">
        <tbody>
          {row.experiments.map((e, i) => {
            const exp = page.experiments.find((x) => x.id === e.experiment_id);
            const output = e.fields?.output;
            const against = mode === "expected" ? e.fields?.expected : base.fields?.output;
            const diffed = e.traces > 0 && (mode === "expected" ? e.fields?.expected !== undefined && e.fields?.expected !== null : i > 0 && base.traces > 0);
            return (
              <tr key={e.experiment_id} className="cmp-subrow" data-experiment={exp?.name}>
                <th scope="row"><span className="dot" style={{ background: expColor(i) }} aria-hidden />{exp?.name}{i === 0 ? " (base)" : ""}</th>
                <td className="cmp-output">
                  {e.traces === 0 ? <span className="subtle">{MISSING} no test case with this key</span>
                    : diffed ? <DiffText before={against} after={output} label={`Output of ${exp?.name}`} />
                    : <div className="diff-text" aria-label={`Output of ${exp?.name}`}>{cellText(output)}</div>}
                </td>
                <td className="cmp-scores">
                  {scores.map((k) => (
                    <div key={k} className="cmp-score">
                      <span className="name">{k}</span>
                      <span className="v">{e.traces ? fmtValue("score", k, e.scores[k]) : MISSING}</span>
                      <span className={`chg ${direction("score", e.score_deltas[k])}`}>{i > 0 && e.traces ? fmtChange("score", k, e.score_deltas[k]) : ""}</span>
                    </div>
                  ))}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

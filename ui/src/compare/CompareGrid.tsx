// Grid: for each test case, every compared experiment's output side by side (the base first), paired
// by the project's comparison key, with its scores and their changes against the base.
import { useState } from "react";
import { Button, EmptyState, ErrorMessage, SkeletonRows } from "../ui";
import { cellText } from "../components/format";
import type { ChangeFilter, Comparison } from "./api";
import { expColor } from "./colors";
import { direction, fmtChange, fmtValue, MISSING } from "./format";
import { useCompareRows } from "./rows";
import { caseScores } from "./DiffRows";

export function CompareGrid({ comparison, query, change }: { comparison: Comparison; query: object; change: ChangeFilter | null }) {
  const [limit, setLimit] = useState(50);
  const { page, error } = useCompareRows(comparison, query, change, limit);
  if (error) return <ErrorMessage>{error}</ErrorMessage>;
  if (!page) return <SkeletonRows rows={6} label="Loading the grid" />;
  const exps = page.experiments;
  return (
    <div className="grid-layout cmp-grid">
      <div className="table-card">
        <table className="list" aria-label="Grid layout">
          <thead>
            <tr>
              <th>Input</th>
              <th>Expected</th>
              {exps.map((e, i) => (
                <th key={e.id}><span className="dot" style={{ background: expColor(i) }} aria-hidden />{e.name}{i === 0 ? " (base)" : ""}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {page.rows.map((r) => (
              <tr key={String(r.row.id)} data-row-id={String(r.row.id)}>
                <td className="grid-text">{cellText(r.row.input)}</td>
                <td className="grid-text">{cellText(r.row.expected)}</td>
                {r.experiments.map((e, i) => (
                  <td key={e.experiment_id} className="grid-output" data-experiment-id={e.experiment_id}>
                    {e.traces ? (
                      <>
                        <div>{cellText(e.fields?.output)}</div>
                        <div className="mini-scores">
                          {caseScores(r).map((k) => (
                            <span key={k}>{k}: {fmtValue("score", k, e.scores[k])}
                              {i > 0 && <span className={`chg ${direction("score", e.score_deltas[k])}`}> {fmtChange("score", k, e.score_deltas[k])}</span>}
                            </span>
                          ))}
                          {e.traces > 1 && <span className="subtle">{e.traces} trials (first shown)</span>}
                        </div>
                      </>
                    ) : <span className="subtle" title="No test case with this comparison key">{MISSING}</span>}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!page.rows.length && <EmptyState title="No rows match">Nothing matches the current view, filters and search.</EmptyState>}
      {page.rows.length >= limit && <div className="row" style={{ marginTop: 8 }}><Button onClick={() => setLimit(limit + 50)}>Load more</Button></div>}
    </div>
  );
}

// A score or metric cell in comparison mode: the value of the row's test case in every compared
// experiment (the base first) and, for the others, the change against the base, green or red; an
// experiment without the test case shows an en dash.
import type { CompareRow } from "./api";
import { expColor } from "./colors";
import { direction, fmtChange, fmtValue, MISSING, type Kind } from "./format";

export function CompareCell({ row, kind, name, table }: { row: CompareRow; kind: Kind; name: string; table: string }) {
  return (
    <div className="cmp-cell">
      {row.experiments.map((e, i) => {
        const values = kind === "score" ? e.scores : e.metrics;
        const deltas = kind === "score" ? e.score_deltas : e.metric_deltas;
        const value = values[name];
        const delta = deltas[name];
        const matched = e.traces > 0;
        return (
          <div key={e.experiment_id} className={`cmp-line ${e.experiment_id === table ? "own" : ""}`}
            data-experiment-id={e.experiment_id} data-delta={i > 0 && delta !== null && delta !== undefined ? delta : ""}>
            <span className="dot" style={{ background: expColor(i) }} aria-hidden />
            <span className="v">{matched ? fmtValue(kind, name, value) : MISSING}</span>
            {i > 0 && <span className={`chg ${direction(kind, delta)}`}>{matched && value !== undefined ? fmtChange(kind, name, delta) : MISSING}</span>}
          </div>
        );
      })}
    </div>
  );
}

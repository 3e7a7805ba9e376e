// The diff of one compared test case across the experiments, for the trace view: each field of
// each experiment against the base's (input is normally identical), and scores with their changes
// and timing side by side.
import { METRIC_LABELS } from "../components/columns";
import { cellText } from "../components/format";
import type { CompareRow, ComparedExperiment } from "./api";
import { expColor } from "./colors";
import { DiffText } from "./Diff";
import { direction, fmtChange, fmtValue, MISSING } from "./format";

export const DIFFED_FIELDS = ["input", "output", "expected", "metadata"] as const;
const TIMING = ["duration", "total_tokens", "estimated_cost"] as const;

function nameOf(experiments: ComparedExperiment[], id: string): string {
  return experiments.find((e) => e.id === id)?.name ?? id;
}

/** One field of the test case in every experiment, each against the base's. */
export function FieldDiff({ row, experiments, field }: { row: CompareRow; experiments: ComparedExperiment[]; field: string }) {
  const base = row.experiments[0];
  return (
    <div className="cmp-field" aria-label={`${field} across experiments`}>
      <h4>{field} across experiments</h4>
      {row.experiments.map((e, i) => {
        const name = nameOf(experiments, e.experiment_id);
        const value = e.fields?.[field];
        return (
          <div key={e.experiment_id} className="cmp-field-line" data-experiment={name}>
            <span className="who"><span className="dot" style={{ background: expColor(i) }} aria-hidden />{name}{i === 0 ? " (base)" : ""}</span>
            {e.traces === 0 ? <span className="subtle">{MISSING}</span>
              : i === 0 || base.traces === 0 ? <div className="diff-text">{cellText(value)}</div>
              : <DiffText before={base.fields?.[field]} after={value} label={`${field} of ${name}`} />}
          </div>
        );
      })}
    </div>
  );
}

/** Scores (with changes against the base) and timing of the test case in every experiment. */
export function CaseScores({ row, experiments }: { row: CompareRow; experiments: ComparedExperiment[] }) {
  const has = (m: Record<string, number | null>, k: string) => m[k] !== null && m[k] !== undefined;
  const scores = [...new Set(row.experiments.flatMap((e) => Object.keys(e.scores)))].filter((k) => row.experiments.some((e) => has(e.scores, k))).sort();
  const timing = TIMING.filter((m) => row.experiments.some((e) => has(e.metrics, m)));
  return (
    <table className="list cmp-case-scores" aria-label="Scores and timing across experiments">
      <thead>
        <tr>
          <th />
          {row.experiments.map((e, i) => (
            <th key={e.experiment_id} className="num"><span className="dot" style={{ background: expColor(i) }} aria-hidden />{nameOf(experiments, e.experiment_id)}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {scores.map((s) => (
          <tr key={s}>
            <th scope="row">{s}</th>
            {row.experiments.map((e, i) => (
              <td key={e.experiment_id} className="num">{e.traces ? fmtValue("score", s, e.scores[s]) : MISSING}
                {i > 0 && has(e.score_deltas, s) && <span className={`chg ${direction("score", e.score_deltas[s])}`}> {fmtChange("score", s, e.score_deltas[s])}</span>}</td>
            ))}
          </tr>
        ))}
        {timing.map((m) => (
          <tr key={m}>
            <th scope="row">{METRIC_LABELS[m] ?? m}</th>
            {row.experiments.map((e, i) => (
              <td key={e.experiment_id} className="num">{e.traces ? fmtValue("metric", m, e.metrics[m]) : MISSING}
                {i > 0 && has(e.metric_deltas, m) && <span className={`chg ${direction("metric", e.metric_deltas[m])}`}> {fmtChange("metric", m, e.metric_deltas[m])}</span>}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

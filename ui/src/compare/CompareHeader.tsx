// A score or metric column's header in comparison mode: each experiment's mean (the base first), its
// change against the base with the 95% interval of the paired test, and its improvement and
// regression counts, which filter the table to exactly those rows when clicked. The popover holds
// the distribution of the score in every experiment and the full statistics.
import { BarChart3 } from "lucide-react";
import { IconButton, Popover } from "../ui";
import type { ChangeFilter, ComparedExperiment, ComparisonHistograms, ComparisonSummary } from "./api";
import { expColor } from "./colors";
import { direction, fmtChange, fmtP, fmtPaired, fmtValue, significant, type Kind } from "./format";
import { Histogram } from "./Histogram";

export interface CompareHeaderProps {
  kind: Kind;
  name: string;
  summary: ComparisonSummary | null;
  histograms: ComparisonHistograms | null;
  change: ChangeFilter | null;
  onChange: (change: ChangeFilter | null) => void;
}

export function CompareHeader({ kind, name, summary, histograms, change, onChange }: CompareHeaderProps) {
  if (!summary) return null;
  const measure = (kind === "score" ? summary.scores : summary.metrics).find((m) => m.name === name);
  if (!measure) return null;
  const experiments = summary.experiments;
  const hist = kind === "score" ? histograms?.scores.find((h) => h.name === name) : undefined;
  const toggle = (experimentId: string, dir: ChangeFilter["direction"]) => {
    const same = change && change.experiment_id === experimentId && change.name === name && change.direction === dir;
    onChange(same ? null : { experiment_id: experimentId, name, kind, direction: dir });
  };
  return (
    <div className="cmp-hstats" data-testid={`compare-header-${name}`}>
      {measure.experiments.map((m, i) => {
        const e = experiments[i];
        const active = (dir: string) =>
          change?.experiment_id === m.experiment_id && change.name === name && change.direction === dir;
        return (
          <div key={m.experiment_id} className="cmp-hline" data-experiment={e.name}>
            <span className="dot" style={{ background: expColor(i) }} title={e.name} aria-hidden />
            <span className="avg">{fmtValue(kind, name, m.value)}</span>
            {i > 0 && <span className={`chg ${direction(kind, m.diff)}`}>{fmtChange(kind, name, m.diff)}</span>}
            {i > 0 && (
              <span className="counts">
                <button className={`count up ${active("improvements") ? "active" : ""}`} onClick={() => toggle(m.experiment_id, "improvements")}
                  aria-pressed={active("improvements")} aria-label={`${m.improvements} improvements of ${name} in ${e.name}`}
                  title="Show only the rows that improved">▲{m.improvements}</button>
                <button className={`count down ${active("regressions") ? "active" : ""}`} onClick={() => toggle(m.experiment_id, "regressions")}
                  aria-pressed={active("regressions")} aria-label={`${m.regressions} regressions of ${name} in ${e.name}`}
                  title="Show only the rows that regressed">▼{m.regressions}</button>
              </span>
            )}
            {i > 0 && m.paired && m.paired.ci_low !== null && m.paired.ci_low !== undefined && (
              <span className={`ci ${significant(m.paired) ? "sig" : ""}`} title={`Paired t-test over ${m.paired.n} matched test cases: 95% confidence interval of the mean change, two-sided p-value`}>
                CI {fmtChange(kind, name, m.paired.ci_low)}…{fmtChange(kind, name, m.paired.ci_high)} {fmtP(m.paired.p_value)}
              </span>
            )}
          </div>
        );
      })}
      <Popover label={`Statistics of ${name}`} className="cmp-popover"
        trigger={<IconButton label={`Statistics of ${name}`} size="sm" className="cmp-stats-btn"><BarChart3 /></IconButton>}>
        <h3>{name}</h3>
        {hist && <Histogram histogram={hist} experiments={experiments} />}
        <StatsTable kind={kind} name={name} summary={summary} />
      </Popover>
    </div>
  );
}

/** One row per experiment: mean, change, improvements/regressions and the paired test. */
export function StatsTable({ kind, name, summary }: { kind: Kind; name: string; summary: ComparisonSummary }) {
  const measure = (kind === "score" ? summary.scores : summary.metrics).find((m) => m.name === name);
  if (!measure) return null;
  return (
    <table className="list cmp-stats" aria-label={`Comparison of ${name}`}>
      <thead>
        <tr><th>Experiment</th><th className="num">Mean</th><th className="num">Change</th><th className="num">▲ / ▼</th><th>Paired t-test (95% CI)</th></tr>
      </thead>
      <tbody>
        {measure.experiments.map((m, i) => (
          <tr key={m.experiment_id}>
            <td><span className="dot" style={{ background: expColor(i) }} aria-hidden /> {summary.experiments[i].name}{i === 0 ? " (base)" : ""}</td>
            <td className="num">{fmtValue(kind, name, m.value)}</td>
            <td className={`num ${direction(kind, m.diff)}`}>{i ? fmtChange(kind, name, m.diff) : ""}</td>
            <td className="num">{i ? `${m.improvements} / ${m.regressions}` : ""}</td>
            <td className={significant(m.paired) ? "sig" : ""}>{i ? fmtPaired(kind, name, m.paired) : ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export type { ComparedExperiment };

/** The same, compact, for the narrow Details pane: one block per measure. */
export function StatsList({ kind, name, summary }: { kind: Kind; name: string; summary: ComparisonSummary }) {
  const measure = (kind === "score" ? summary.scores : summary.metrics).find((m) => m.name === name);
  if (!measure) return null;
  return (
    <div className="cmp-stats-list" aria-label={`Comparison of ${name}`}>
      <h4>{name}</h4>
      <ul>
        {measure.experiments.map((m, i) => (
          <li key={m.experiment_id}>
            <div className="score-line">
              <span className="name"><span className="dot" style={{ background: expColor(i) }} aria-hidden />{summary.experiments[i].name}</span>
              <span>{fmtValue(kind, name, m.value)}</span>
              {i > 0 && <span className={`chg ${direction(kind, m.diff)}`}>{fmtChange(kind, name, m.diff)}</span>}
              {i > 0 && <span className="counts"><span className="up">▲{m.improvements}</span> <span className="down">▼{m.regressions}</span></span>}
            </div>
            {i > 0 && <div className={`ci ${significant(m.paired) ? "sig" : ""}`}>{fmtPaired(kind, name, m.paired)}</div>}
          </li>
        ))}
      </ul>
    </div>
  );
}

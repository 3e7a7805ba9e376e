// The Comparisons selector: pick up to 7 experiments to compare with the page's, and which one is
// the base (every other experiment is measured against it).
import { GitCompareArrows } from "lucide-react";
import type { Experiment } from "../api/client";
import { Button, Popover } from "../ui";
import { expColor, MAX_EXPERIMENTS } from "./colors";

export function ComparisonsPicker({ experiment, experiments, compared, base, onChange }: {
  experiment: Experiment;
  experiments: Experiment[];
  compared: string[];
  base: string; // the resolved base (the page's experiment or one of `compared`)
  onChange: (compared: string[], base: string) => void;
}) {
  const others = experiments.filter((e) => e.id !== experiment.id);
  const full = compared.length >= MAX_EXPERIMENTS - 1;
  const order = compared.length ? [base, ...[experiment.id, ...compared].filter((id) => id !== base)] : [];
  const colorOf = (id: string) => expColor(Math.max(0, order.indexOf(id)));
  function toggle(id: string, on: boolean) {
    const next = on ? [...compared, id] : compared.filter((x) => x !== id);
    const nextBase = next.length === 0 ? "" : base === id && !on ? next[0] : base || next[0];
    onChange(next, nextBase === experiment.id && !next.length ? "" : nextBase);
  }
  const label = compared.length ? `Comparing ${compared.length + 1}` : "Compare";
  return (
    <Popover label="Comparisons" className="cmp-picker"
      trigger={<Button aria-label="Comparisons" icon={<GitCompareArrows />} variant={compared.length ? "primary" : "default"}>{label}</Button>}>
      <div className="panel-section">
        <span className="label">Compare with (up to {MAX_EXPERIMENTS - 1})</span>
        <ul className="cmp-choices">
          <li className="cmp-choice">
            <span className="dot" style={{ background: compared.length ? colorOf(experiment.id) : "var(--fg-subtle)" }} aria-hidden />
            <span className="name">{experiment.name} <span className="subtle">(this experiment)</span></span>
            {compared.length > 0 && (
              <label className="base"><input type="radio" name="cmp-base" checked={base === experiment.id}
                onChange={() => onChange(compared, experiment.id)} aria-label={`Use ${experiment.name} as the base`} /> base</label>
            )}
          </li>
          {others.map((e) => {
            const on = compared.includes(e.id);
            return (
              <li key={e.id} className="cmp-choice">
                <input type="checkbox" checked={on} disabled={!on && full} onChange={(ev) => toggle(e.id, ev.target.checked)}
                  aria-label={`Compare with ${e.name}`} />
                {on && <span className="dot" style={{ background: colorOf(e.id) }} aria-hidden />}
                <span className="name">{e.name} <span className="subtle">{new Date(e.created).toLocaleDateString()}</span></span>
                {on && (
                  <label className="base"><input type="radio" name="cmp-base" checked={base === e.id}
                    onChange={() => onChange(compared, e.id)} aria-label={`Use ${e.name} as the base`} /> base</label>
                )}
              </li>
            );
          })}
        </ul>
        {compared.length > 0 && <Button size="sm" variant="ghost" onClick={() => onChange([], "")}>Clear comparisons</Button>}
      </div>
    </Popover>
  );
}

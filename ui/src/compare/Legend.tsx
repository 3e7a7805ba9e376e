// Which colour is which experiment, the base first: shown above every comparison layout.
import type { Experiment } from "../api/client";
import type { Comparison } from "./api";
import { expColor } from "./colors";

export function ComparisonLegend({ comparison, experiments, keyText }: { comparison: Comparison; experiments: Experiment[]; keyText?: string }) {
  return (
    <ul className="cmp-legend" aria-label="Compared experiments">
      {comparison.ids.map((id, i) => {
        const e = experiments.find((x) => x.id === id);
        return (
          <li key={id} data-experiment={e?.name}>
            <span className="dot" style={{ background: expColor(i) }} aria-hidden />
            {e?.name ?? id}
            {i === 0 && <span className="subtle">&nbsp;(base)</span>}
            {id === comparison.table && i > 0 && <span className="subtle">&nbsp;(this experiment)</span>}
          </li>
        );
      })}
      {keyText && <li className="subtle">test cases matched by&nbsp;<code>{keyText}</code></li>}
    </ul>
  );
}

// A score's distribution over traces, one outlined series per experiment overlaid on the same bins.
import type { ComparedExperiment, ScoreHistogram } from "./api";
import { expColor } from "./colors";

export function Histogram({ histogram, experiments, width = 260, height = 90 }: {
  histogram: ScoreHistogram;
  experiments: ComparedExperiment[];
  width?: number;
  height?: number;
}) {
  const bins = histogram.edges.length - 1;
  // Shares, not counts, so experiments of different sizes overlay comparably.
  const series = histogram.experiments.map((h) => h.counts.map((n) => (h.traces ? n / h.traces : 0)));
  const top = Math.max(0.0001, ...series.flat());
  const bw = width / bins;
  const y = (v: number) => height - (v / top) * (height - 4);
  const label = histogram.experiments
    .map((h) => {
      const e = experiments.find((x) => x.id === h.experiment_id);
      return `${e?.name ?? h.experiment_id}: ${h.counts.join(", ")}`;
    })
    .join("; ");
  return (
    <figure className="histogram" data-score={histogram.name}>
      <svg viewBox={`0 0 ${width} ${height + 14}`} width="100%" style={{ maxWidth: width }} role="img" aria-label={`Distribution of ${histogram.name}: ${label}`}>
        <line x1={0} x2={width} y1={height} y2={height} className="axis" />
        {series.map((shares, k) => {
          const multi = series.length > 1;
          const color = expColor(experiments.findIndex((x) => x.id === histogram.experiments[k].experiment_id));
          if (!multi)
            return shares.map((s, i) => (
              <rect key={i} x={i * bw + 1} width={bw - 2} y={y(s)} height={height - y(s)} fill={color} opacity={0.75}>
                <title>{`${histogram.edges[i]}–${histogram.edges[i + 1]}: ${histogram.experiments[k].counts[i]}`}</title>
              </rect>
            ));
          const points = shares.flatMap((s, i) => [`${i * bw},${y(s)}`, `${(i + 1) * bw},${y(s)}`]);
          return <polyline key={k} points={[`0,${height}`, ...points, `${width},${height}`].join(" ")} fill={color} fillOpacity={0.12} stroke={color} strokeWidth={1.5} />;
        })}
        <text x={0} y={height + 12} className="tick">0%</text>
        <text x={width} y={height + 12} className="tick" textAnchor="end">100%</text>
      </svg>
    </figure>
  );
}

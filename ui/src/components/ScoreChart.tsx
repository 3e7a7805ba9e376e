import type { Experiment } from "../api/client";

const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04"];

// Each score's average across the project's experiments, in creation order.
export function ScoreChart({ experiments, scores }: { experiments: Experiment[]; scores: string[] }) {
  const exps = [...experiments].sort((a, b) => (a.created < b.created ? -1 : 1));
  const W = 640, H = 180, P = 30;
  const x = (i: number) => (exps.length < 2 ? W / 2 : P + (i * (W - 2 * P)) / (exps.length - 1));
  const y = (v: number) => H - P - v * (H - 2 * P);
  return (
    <figure className="chart" aria-label="Scores over time">
      <svg width={W} height={H} role="img" aria-label="Score averages per experiment over time">
        <line x1={P} y1={y(0)} x2={W - P} y2={y(0)} stroke="#ccc" />
        <line x1={P} y1={y(1)} x2={W - P} y2={y(1)} stroke="#eee" />
        <text x={2} y={y(1) + 4} fontSize="10">100%</text>
        <text x={8} y={y(0) + 4} fontSize="10">0%</text>
        {scores.map((s, si) => {
          const pts = exps.map((e, i) => [x(i), e.scores[s]] as const).filter(([, v]) => v !== undefined);
          return (
            <g key={s} data-score={s}>
              <polyline fill="none" stroke={COLORS[si % COLORS.length]} strokeWidth={2}
                points={pts.map(([px, v]) => `${px},${y(v as number)}`).join(" ")} />
              {pts.map(([px, v], i) => (
                <circle key={i} cx={px} cy={y(v as number)} r={3} fill={COLORS[si % COLORS.length]}>
                  <title>{`${s}: ${((v as number) * 100).toFixed(2)}%`}</title>
                </circle>
              ))}
            </g>
          );
        })}
        {exps.map((e, i) => (
          <text key={e.id} x={x(i)} y={H - 8} fontSize="10" textAnchor="middle">{e.name}</text>
        ))}
      </svg>
      <figcaption>
        {scores.map((s, si) => (
          <span key={s} className="legend"><i style={{ background: COLORS[si % COLORS.length] }} />{s}</span>
        ))}
      </figcaption>
    </figure>
  );
}

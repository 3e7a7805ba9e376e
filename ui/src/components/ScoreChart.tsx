import type { Experiment } from "../api/client";

// Series colours for charts; they read well on both themes.
export const SERIES = ["#6366f1", "#f43f5e", "#10b981", "#f59e0b", "#0ea5e9", "#a855f7", "#84cc16"];

// Each score's average across the project's experiments, in creation order.
export function ScoreChart({ experiments, scores }: { experiments: Experiment[]; scores: string[] }) {
  const exps = [...experiments].sort((a, b) => (a.created < b.created ? -1 : 1));
  const W = 900, H = 170, L = 40, R = 20, T = 12, B = 26;
  const x = (i: number) => (exps.length < 2 ? (L + W - R) / 2 : L + (i * (W - L - R)) / (exps.length - 1));
  const y = (v: number) => H - B - v * (H - T - B);
  return (
    <figure className="chart" aria-label="Scores over time">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Score averages per experiment over time">
        {[0, 0.25, 0.5, 0.75, 1].map((t) => (
          <g key={t}>
            <line className="gridline" x1={L} y1={y(t)} x2={W - R} y2={y(t)} strokeDasharray={t === 0 ? undefined : "3 4"} />
            <text x={L - 8} y={y(t) + 4} fontSize="11" textAnchor="end">{t * 100}%</text>
          </g>
        ))}
        {scores.map((s, si) => {
          const pts = exps.map((e, i) => [x(i), e.scores[s]] as const).filter(([, v]) => v !== undefined);
          const color = SERIES[si % SERIES.length];
          return (
            <g key={s} data-score={s}>
              <polyline fill="none" stroke={color} strokeWidth={2} strokeLinejoin="round"
                points={pts.map(([px, v]) => `${px},${y(v as number)}`).join(" ")} />
              {pts.map(([px, v], i) => (
                <circle key={i} cx={px} cy={y(v as number)} r={3.5} fill={color} stroke="var(--bg)" strokeWidth={1.5}>
                  <title>{`${s}: ${((v as number) * 100).toFixed(2)}%`}</title>
                </circle>
              ))}
            </g>
          );
        })}
        {exps.map((e, i) => (
          <text key={e.id} x={x(i)} y={H - 6} fontSize="11" textAnchor="middle">{e.name}</text>
        ))}
      </svg>
      <figcaption>
        {scores.map((s, si) => (
          <span key={s} className="legend"><i style={{ background: SERIES[si % SERIES.length] }} />{s}</span>
        ))}
      </figcaption>
    </figure>
  );
}

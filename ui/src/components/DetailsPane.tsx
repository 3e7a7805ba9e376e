import { useEffect, useState } from "react";
import { api, type Experiment, type Fields, type Summary } from "../api/client";
import { fmtDiff, fmtScore } from "./format";

// The experiment summary: comparisons, scorers, datasets, parameters, metadata, ID and permalink.
export function DetailsPane({ experiment, summary, fields, experiments, onClose }: {
  experiment: Experiment; summary: Summary | null; fields: Fields | null; experiments: Experiment[]; onClose: () => void;
}) {
  const [copied, setCopied] = useState("");
  const [dataset, setDataset] = useState<string | null>(null);
  useEffect(() => {
    if (experiment.dataset_id)
      api<{ name: string }>(`/v1/dataset/${experiment.dataset_id}`).then((d) => setDataset(d.name)).catch(() => setDataset(null));
  }, [experiment.dataset_id]);
  const permalink = `${window.location.origin}/app/object?object_type=experiment&object_id=${experiment.id}`;
  async function copy(text: string, what: string) {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      /* clipboard unavailable (insecure origin): the text stays visible to copy by hand */
    }
    setCopied(what);
  }
  const base = experiments.find((e) => e.id === experiment.base_exp_id);
  return (
    <aside className="details" aria-label="Details">
      <header><h2>Details</h2><button aria-label="Close details" onClick={onClose}>✕</button></header>
      <section>
        <h3>Comparisons</h3>
        {summary?.comparison_experiment_name ? (
          <>
            <p>Compared with <strong>{summary.comparison_experiment_name}</strong></p>
            <ul>
              {Object.values(summary.scores ?? {}).map((s) => (
                <li key={s.name}>{s.name}: {fmtScore(s.score)} {s.diff !== undefined && <span className={s.diff >= 0 ? "up" : "down"}>({fmtDiff(s.diff)})</span>} ▲{s.improvements} ▼{s.regressions}</li>
              ))}
            </ul>
          </>
        ) : <p>No comparison experiment.</p>}
        {base && <p>Base experiment: {base.name}</p>}
      </section>
      <section><h3>Scorers</h3><ul>{(fields?.scores ?? []).map((s) => <li key={s}>{s}</li>)}</ul></section>
      <section><h3>Datasets</h3><p>{dataset ?? experiment.dataset_name ?? "None"}</p></section>
      <section><h3>Parameters</h3><p>{(experiment as any).parameters_id ?? "None saved"}</p></section>
      <section>
        <h3>Metadata</h3>
        <dl>{Object.entries(experiment.metadata ?? {}).map(([k, v]) => <div key={k}><dt>{k}</dt><dd>{typeof v === "string" ? v : JSON.stringify(v)}</dd></div>)}</dl>
      </section>
      <section className="ids">
        <h3>Experiment ID</h3>
        <code data-testid="experiment-id">{experiment.id}</code>
        <button onClick={() => copy(experiment.id, "id")}>Copy ID</button>
        <button onClick={() => copy(permalink, "permalink")}>Copy permalink</button>
        <a href={permalink} className="permalink">Permalink</a>
        {copied && <span role="status">Copied {copied}</span>}
      </section>
    </aside>
  );
}

import { useEffect, useState } from "react";
import { Check, Copy, Link2, X } from "lucide-react";
import { api, type Experiment, type Fields } from "../api/client";
import { Button, copyText, IconButton } from "../ui";
import type { ComparisonSummary } from "../compare/api";
import { StatsList } from "../compare/CompareHeader";

// The experiment summary: comparisons, scorers, datasets, parameters, metadata, ID and permalink.
export function DetailsPane({ experiment, compared, fields, experiments, onClose }: {
  experiment: Experiment; compared?: ComparisonSummary | null; fields: Fields | null;
  experiments: Experiment[]; onClose: () => void;
}) {
  const [copied, setCopied] = useState("");
  const [dataset, setDataset] = useState<string | null>(null);
  useEffect(() => {
    if (experiment.dataset_id)
      api<{ name: string }>(`/v1/dataset/${experiment.dataset_id}`).then((d) => setDataset(d.name)).catch(() => setDataset(null));
  }, [experiment.dataset_id]);
  const permalink = `${window.location.origin}/app/object?object_type=experiment&object_id=${experiment.id}`;
  async function copy(text: string, what: string) {
    await copyText(text); // where the clipboard is unavailable the text stays visible to copy by hand
    setCopied(what);
  }
  const base = experiments.find((e) => e.id === experiment.base_exp_id);
  return (
    <aside className="details" aria-label="Details">
      <header><h2>Details</h2><IconButton label="Close details" onClick={onClose}><X /></IconButton></header>
      <section>
        <h3>Comparisons</h3>
        {compared ? (
          <>
            <p className="muted">Base <strong>{compared.experiments[0].name}</strong>; test cases matched by <code>{compared.comparison_key}</code>.
              Change against the base; CI: 95% paired t-test of the mean change.</p>
            {[...compared.scores, ...compared.metrics.filter((m) => m.name === "duration")].map((m) => (
              <StatsList key={`${m.kind}:${m.name}`} kind={m.kind as "score" | "metric"} name={m.name} summary={compared} />
            ))}
          </>
        ) : <p className="muted">No comparison. Pick experiments with “Compare”.</p>}
        {base && <p className="muted">Base experiment: {base.name}</p>}
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
        <div className="row">
          <Button size="sm" icon={copied === "id" ? <Check /> : <Copy />} onClick={() => copy(experiment.id, "id")}>Copy ID</Button>
          <Button size="sm" icon={copied === "permalink" ? <Check /> : <Link2 />} onClick={() => copy(permalink, "permalink")}>Copy permalink</Button>
          <a href={permalink} className="permalink">Permalink</a>
        </div>
        {copied && <span role="status" className="subtle">Copied {copied}</span>}
      </section>
    </aside>
  );
}

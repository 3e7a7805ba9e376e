// "Create a dataset from the rows where the model failed": the rows are chosen by a score and a
// threshold, the server says how many would be written (a dry run), and nothing is written until
// the user confirms.
import { useEffect, useState } from "react";
import { quotePart } from "../components/columns";
import { Button, Dialog, ErrorMessage, Spinner } from "../ui";
import { analyses, type DatasetResult } from "./api";

export function failedFilter(score: string, threshold: number): string {
  return `scores.${quotePart(score)} < ${threshold}`;
}

export function DatasetDialog({ open, experimentId, experimentName, scores, onClose, onCreated }: {
  open: boolean; experimentId: string; experimentName: string; scores: string[];
  onClose: () => void; onCreated: (result: DatasetResult, filter: string) => void;
}) {
  const [score, setScore] = useState(scores[0] ?? "");
  const [threshold, setThreshold] = useState("0.5");
  const [name, setName] = useState(`${experimentName} failures`);
  const [preview, setPreview] = useState<DatasetResult | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => { if (!score && scores.length) setScore(scores[0]); }, [scores, score]);
  const t = Number(threshold);
  const valid = !!score && threshold.trim() !== "" && Number.isFinite(t) && !!name.trim();
  const filter = valid ? failedFilter(score, t) : "";
  useEffect(() => {
    if (!open || !valid) return;
    let live = true;
    setPreview(null);
    setError("");
    analyses.dataset(experimentId, [filter], name.trim(), true)
      .then((r) => live && setPreview(r))
      .catch((e) => live && setError(e.message));
    return () => { live = false; };
  }, [open, experimentId, filter, name, valid]);

  async function create() {
    setBusy(true);
    setError("");
    try {
      const done = await analyses.dataset(experimentId, [filter], name.trim(), false);
      onCreated(done, filter);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open={open} onClose={onClose} title="Create a dataset from failed rows" narrow>
      <form className="stack assistant-form" onSubmit={(e) => { e.preventDefault(); if (preview?.rows) create(); }}>
        <p className="muted">The rows where the model failed: a score below a threshold. Each record keeps its input, expected value, metadata and a link to its row.</p>
        <label className="field">
          <span>Score</span>
          <select className="select" value={score} onChange={(e) => setScore(e.target.value)} aria-label="Score">
            {scores.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label className="field">
          <span>Failed when below</span>
          <input className="input" type="number" step="any" min={0} max={1} value={threshold} aria-label="Threshold"
            onChange={(e) => setThreshold(e.target.value)} />
        </label>
        <label className="field">
          <span>Dataset name</span>
          <input className="input" value={name} aria-label="Dataset name" onChange={(e) => setName(e.target.value)} />
        </label>
        {valid && <p className="subtle">Filter: <code>{filter}</code></p>}
        <div role="status" className="confirm-line">
          {valid && !preview && !error && <><Spinner /> Counting rows…</>}
          {preview && (preview.rows
            ? <>This will write <strong>{preview.rows}</strong> row{preview.rows > 1 ? "s" : ""} to {preview.dataset_id ? "the existing" : "a new"} dataset <strong>{preview.dataset_name}</strong>.</>
            : <>No row matches: nothing to write.</>)}
        </div>
        <ErrorMessage>{error}</ErrorMessage>
        <div className="row end">
          <Button type="button" variant="ghost" onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={!preview?.rows || busy} icon={busy ? <Spinner /> : undefined}>Create dataset</Button>
        </div>
      </form>
    </Dialog>
  );
}

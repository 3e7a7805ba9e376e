// A project's aggregate scores (project settings): list, add and delete weighted averages, minimums
// and maximums of the project's scores. They then show as score columns and in summaries everywhere.
import { useEffect, useState } from "react";
import { Sigma, Trash2 } from "lucide-react";
import { api, q, type Schemas } from "../api/client";
import { Button, Dialog, ErrorMessage, IconButton, Spinner, toast } from "../ui";

type ProjectScore = Schemas["ProjectScore"];
const AGGREGATES: string[] = ["weighted", "minimum", "maximum"];
const TYPES: [string, string][] = [["weighted", "Weighted average"], ["minimum", "Minimum"], ["maximum", "Maximum"]];

function describe(s: ProjectScore): string {
  const c = s.categories;
  if (Array.isArray(c)) return `${s.score_type} of ${c.join(", ")}`;
  return `weighted: ${Object.entries(c ?? {}).map(([k, w]) => `${k} × ${w}`).join(", ")}`;
}

export function AggregateScores({ projectId, scores }: { projectId: string; scores: string[] }) {
  const [open, setOpen] = useState(false);
  const [list, setList] = useState<ProjectScore[] | null>(null);
  const [name, setName] = useState("");
  const [type, setType] = useState("weighted");
  const [weights, setWeights] = useState<Record<string, string>>({});
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const load = () =>
    api<{ objects: ProjectScore[] }>(`/v1/project_score?project_id=${q(projectId)}`)
      .then((r) => setList(r.objects.filter((s) => AGGREGATES.includes(s.score_type)))) // review scores: review/ReviewScores.tsx
      .catch((e) => setError(e.message));
  useEffect(() => { if (open) load(); }, [open, projectId]);

  const chosen = Object.keys(weights);
  async function add() {
    setBusy(true);
    setError("");
    try {
      const categories = type === "weighted" ? Object.fromEntries(chosen.map((k) => [k, Number(weights[k])])) : chosen;
      await api("/v1/project_score", { method: "POST", json: { project_id: projectId, name: name.trim(), score_type: type, categories } });
      toast("success", `Aggregate score ${name.trim()} added`, "It shows as a score column in every experiment of the project");
      setName("");
      setWeights({});
      await load();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }
  async function remove(s: ProjectScore) {
    try {
      await api(`/v1/project_score/${encodeURIComponent(s.id)}`, { method: "DELETE" });
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  }
  const valid = !!name.trim() && chosen.length > 0 && (type !== "weighted" || chosen.every((k) => Number(weights[k]) > 0));
  return (
    <>
      <Button icon={<Sigma />} onClick={() => setOpen(true)}>Aggregate scores</Button>
      <Dialog open={open} onClose={() => setOpen(false)} title="Aggregate scores" narrow>
        <div className="stack aggregate-scores">
          <p className="muted">One number from several scores, per trace. A trace missing a component is scored on the components it has.</p>
          {list === null ? <Spinner /> : list.length === 0 ? <p className="subtle">No aggregate scores yet.</p> : (
            <ul className="aggregate-list" aria-label="Aggregate scores of this project">
              {list.map((s) => (
                <li key={s.id}>
                  <strong>{s.name}</strong> <span className="subtle">{describe(s)}</span>
                  <IconButton label={`Delete ${s.name}`} onClick={() => remove(s)}><Trash2 /></IconButton>
                </li>
              ))}
            </ul>
          )}
          <form className="stack" onSubmit={(e) => { e.preventDefault(); if (valid) add(); }}>
            <h3>Add an aggregate score</h3>
            <label className="field"><span>Name</span>
              <input className="input" aria-label="Aggregate name" value={name} onChange={(e) => setName(e.target.value)} />
            </label>
            <label className="field"><span>Type</span>
              <select className="select" aria-label="Aggregate type" value={type} onChange={(e) => setType(e.target.value)}>
                {TYPES.map(([v, label]) => <option key={v} value={v}>{label}</option>)}
              </select>
            </label>
            <fieldset className="aggregate-components">
              <legend className="label">Scores{type === "weighted" ? " and weights" : ""}</legend>
              {scores.length === 0 && <span className="subtle">No scores logged in this project yet.</span>}
              {scores.map((s) => (
                <label key={s} className="row">
                  <input type="checkbox" aria-label={`Include ${s}`} checked={s in weights}
                    onChange={(e) => setWeights((w) => { const n = { ...w }; if (e.target.checked) n[s] = "1"; else delete n[s]; return n; })} />
                  <span className="grow">{s}</span>
                  {type === "weighted" && s in weights && (
                    <input className="input weight" type="number" min={0} step="any" aria-label={`Weight of ${s}`} value={weights[s]}
                      onChange={(e) => setWeights((w) => ({ ...w, [s]: e.target.value }))} />
                  )}
                </label>
              ))}
            </fieldset>
            <ErrorMessage>{error}</ErrorMessage>
            <div className="row end">
              <Button type="submit" variant="primary" disabled={!valid || busy} icon={busy ? <Spinner /> : undefined}>Add aggregate score</Button>
            </div>
          </form>
        </div>
      </Dialog>
    </>
  );
}

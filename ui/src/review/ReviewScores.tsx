// The project's review scores (project settings): what reviewers enter in the scores panel —
// sliders (0–100%), categorical options each worth 0–100% (optionally written to `expected`
// instead of a score, optionally multiple choice) and free-form text written to a metadata path,
// each with a Markdown description. Changing them needs Update on the project.
import { ClipboardCheck, Pencil, Plus, Trash2 } from "lucide-react";
import { useEffect, useState } from "react";
import { useParams } from "react-router-dom";
import { api, q, type Project } from "../api/client";
import { Button, Dialog, EmptyState, ErrorMessage, IconButton, SkeletonRows, toast } from "../ui";
import { useCrumbs } from "../shell/crumbs";
import { Markdown } from "../trace/Markdown";
import { forgetReviewScores, pct, reviewScores, type ProjectScore } from "./api";

const TYPES: [string, string][] = [["slider", "Slider (0–100%)"], ["categorical", "Categorical (options)"], ["free-form", "Free-form text"]];
type Option = { name: string; value: string }; // value in percent, as typed

interface Draft {
  id?: string;
  name: string;
  type: string;
  description: string;
  options: Option[];
  toExpected: boolean;
  multi: boolean;
  path: string;
}

const EMPTY: Draft = { name: "", type: "slider", description: "", options: [{ name: "", value: "100" }, { name: "", value: "0" }], toExpected: false, multi: false, path: "" };

function toDraft(s: ProjectScore): Draft {
  const options = Array.isArray(s.categories) ? (s.categories as { name: string; value: number }[]) : [];
  return {
    id: s.id, name: s.name, type: s.score_type, description: s.description ?? "",
    options: options.length ? options.map((o) => ({ name: o.name, value: String(Math.round(o.value * 1000) / 10) })) : EMPTY.options,
    toExpected: s.config?.destination === "expected", multi: !!s.config?.multi_select,
    path: s.score_type === "free-form" ? String(s.config?.destination ?? "") : "",
  };
}

function body(d: Draft) {
  const config: Record<string, unknown> = {};
  if (d.type === "categorical" && d.toExpected) config.destination = "expected";
  if (d.type === "categorical" && d.multi) config.multi_select = true;
  if (d.type === "free-form" && d.path.trim()) config.destination = d.path.trim();
  return {
    name: d.name.trim(), score_type: d.type, description: d.description.trim() || null,
    categories: d.type === "categorical" ? d.options.filter((o) => o.name.trim()).map((o) => ({ name: o.name.trim(), value: Number(o.value) / 100 })) : null,
    config,
  };
}

function describe(s: ProjectScore): string {
  if (s.score_type === "slider") return "Slider, 0–100%";
  if (s.score_type === "free-form") return `Free-form text → metadata.${s.config?.destination ?? s.name}`;
  const options = (s.categories ?? []) as { name: string; value: number }[];
  const where = s.config?.destination === "expected" ? " → expected" : "";
  const multi = s.config?.multi_select ? ", multiple choice" : "";
  return `${options.map((o) => (where ? o.name : `${o.name} ${pct(o.value)}`)).join(" · ")}${where}${multi}`;
}

export function ReviewScores() {
  const { org = "", project = "" } = useParams();
  const [proj, setProj] = useState<Project | null>(null);
  const [list, setList] = useState<ProjectScore[] | null>(null);
  const [error, setError] = useState("");
  const [draft, setDraft] = useState<Draft | null>(null);
  const [formError, setFormError] = useState("");
  const [busy, setBusy] = useState(false);
  const projectPath = `/${encodeURIComponent(org)}/p/${encodeURIComponent(project)}`;
  useCrumbs([{ label: org, to: "/" }, { label: project, to: projectPath }, { label: "Review scores" }]);
  useEffect(() => {
    api<{ objects: Project[] }>(`/v1/project?project_name=${q(project)}`)
      .then((r) => {
        if (!r.objects.length) throw new Error(`project ${project} not found`);
        setProj(r.objects[0]);
      })
      .catch((e) => setError(e.message));
  }, [project]);
  const load = (p: Project) => reviewScores(p.id, true).then(setList).catch((e) => setError(e.message));
  useEffect(() => { if (proj) load(proj); }, [proj?.id]);

  async function save(e: React.FormEvent) {
    e.preventDefault();
    if (!proj || !draft) return;
    setBusy(true);
    setFormError("");
    try {
      const json = body(draft);
      if (draft.id) await api(`/v1/project_score/${draft.id}`, { method: "PATCH", json });
      else {
        const existing = list?.some((s) => s.name === json.name);
        if (existing) throw new Error(`a review score named ${json.name} already exists`);
        await api("/v1/project_score", { method: "POST", json: { project_id: proj.id, ...json } });
      }
      toast("success", `Review score ${json.name} saved`, "Reviewers see it in every trace's scores panel");
      forgetReviewScores(proj.id);
      setDraft(null);
      load(proj);
    } catch (err) {
      setFormError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }
  async function remove(s: ProjectScore) {
    if (!proj || !window.confirm(`Delete the review score ${s.name}? Values already on rows stay.`)) return;
    try {
      await api(`/v1/project_score/${s.id}`, { method: "DELETE" });
      toast("success", `Deleted ${s.name}`);
      forgetReviewScores(proj.id);
      load(proj);
    } catch (err) {
      toast("error", "Could not delete", (err as Error).message);
    }
  }
  const set = (patch: Partial<Draft>) => setDraft((d) => (d ? { ...d, ...patch } : d));
  return (
    <main className="page">
      <div className="page-header">
        <div className="titles"><span className="eyebrow">{project}</span><h1>Review scores</h1></div>
        <span className="spacer" />
        <Button variant="primary" icon={<Plus />} disabled={!proj} onClick={() => { setFormError(""); setDraft({ ...EMPTY }); }}>Add review score</Button>
      </div>
      <p className="muted">What reviewers set in the scores panel of every trace of this project. Numeric scores are averaged over reviewers onto the row; see the docs' Human review page.</p>
      <ErrorMessage>{error}</ErrorMessage>
      {!list && !error && <SkeletonRows rows={3} label="Loading review scores" />}
      {list && list.length === 0 && (
        <EmptyState icon={<ClipboardCheck />} title="No review scores yet"
          actions={<Button variant="primary" icon={<Plus />} onClick={() => setDraft({ ...EMPTY })}>Add review score</Button>}>
          Add a slider, a set of options or a free-form field for reviewers to fill in.
        </EmptyState>
      )}
      {list && list.length > 0 && (
        <div className="table-card">
          <table className="list" aria-label="Review scores">
            <thead><tr><th>Name</th><th>Type</th><th>Description</th><th aria-label="Actions" /></tr></thead>
            <tbody>
              {list.map((s) => (
                <tr key={s.id} data-review-score={s.name}>
                  <td><b>{s.name}</b></td>
                  <td>{describe(s)}</td>
                  <td>{s.description ? <Markdown text={s.description} /> : <span className="subtle">—</span>}</td>
                  <td className="actions">
                    <IconButton label={`Edit ${s.name}`} onClick={() => { setFormError(""); setDraft(toDraft(s)); }}><Pencil /></IconButton>
                    <IconButton label={`Delete ${s.name}`} onClick={() => remove(s)}><Trash2 /></IconButton>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog open={!!draft} onClose={() => setDraft(null)} title={draft?.id ? `Edit ${draft.name}` : "Add a review score"} narrow>
        {draft && (
          <form className="stack" onSubmit={save}>
            <label className="field" htmlFor="rs-name">
              <span>Name</span>
              <input id="rs-name" className="input" value={draft.name} onChange={(e) => set({ name: e.target.value })} required maxLength={200} autoFocus />
            </label>
            <label className="field" htmlFor="rs-type">
              <span>Type</span>
              <select id="rs-type" className="select" value={draft.type} onChange={(e) => set({ type: e.target.value })}>
                {TYPES.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
              </select>
            </label>
            <label className="field" htmlFor="rs-description">
              <span>Description (Markdown)</span>
              <textarea id="rs-description" className="textarea" rows={3} value={draft.description} onChange={(e) => set({ description: e.target.value })} maxLength={4000} />
            </label>
            {draft.type === "categorical" && (
              <fieldset className="stack review-options-edit">
                <legend className="label">Options</legend>
                {draft.options.map((o, i) => (
                  <div className="row" key={i}>
                    <input className="input sm" aria-label={`Option ${i + 1} name`} placeholder="Option" value={o.name}
                      onChange={(e) => set({ options: draft.options.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)) })} />
                    <input className="input sm num" aria-label={`Option ${i + 1} value (%)`} type="number" min={0} max={100} step="any" value={o.value}
                      onChange={(e) => set({ options: draft.options.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)) })} />
                    <span className="subtle">%</span>
                    <IconButton label={`Remove option ${i + 1}`} size="sm" disabled={draft.options.length <= 1}
                      onClick={() => set({ options: draft.options.filter((_, j) => j !== i) })}><Trash2 /></IconButton>
                  </div>
                ))}
                <Button size="sm" icon={<Plus />} onClick={() => set({ options: [...draft.options, { name: "", value: "0" }] })}>Add option</Button>
                <label className="row"><input type="checkbox" checked={draft.toExpected} onChange={(e) => set({ toExpected: e.target.checked })} />Write to the expected field instead of a score</label>
                <label className="row"><input type="checkbox" checked={draft.multi} onChange={(e) => set({ multi: e.target.checked })} />Allow multiple choice</label>
              </fieldset>
            )}
            {draft.type === "free-form" && (
              <label className="field" htmlFor="rs-path">
                <span>Metadata path (default: the name)</span>
                <input id="rs-path" className="input mono" placeholder={draft.name || "review.note"} value={draft.path} onChange={(e) => set({ path: e.target.value })} />
              </label>
            )}
            <ErrorMessage>{formError}</ErrorMessage>
            <Button type="submit" variant="primary" disabled={busy || !draft.name.trim()}>{draft.id ? "Save" : "Add review score"}</Button>
          </form>
        )}
      </Dialog>
    </main>
  );
}

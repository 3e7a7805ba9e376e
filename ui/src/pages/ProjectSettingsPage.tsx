// A project's settings: the comparison key (how test cases of two experiments are matched).
import { useEffect, useState } from "react";
import { useParams } from "react-router-dom";
import { Save } from "lucide-react";
import { api, q, type Project } from "../api/client";
import { Button, ErrorMessage, Skeleton, toast } from "../ui";
import { useCrumbs } from "../shell/crumbs";

type ProjectWithSettings = Project & { settings?: { comparison_key?: string | null } | null };

export function ProjectSettingsPage() {
  const { org = "", project = "" } = useParams();
  const projectPath = `/${encodeURIComponent(org)}/p/${encodeURIComponent(project)}`;
  useCrumbs([{ label: org, to: "/" }, { label: project, to: projectPath }, { label: "Settings" }]);
  const [proj, setProj] = useState<ProjectWithSettings | null>(null);
  const [key, setKey] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<{ objects: ProjectWithSettings[] }>(`/v1/project?project_name=${q(project)}`)
      .then((r) => {
        if (!r.objects.length) throw new Error(`project ${project} not found`);
        setProj(r.objects[0]);
        setKey(r.objects[0].settings?.comparison_key ?? "");
      })
      .catch((e) => setError(e.message));
  }, [project]);
  async function save(e: React.FormEvent) {
    e.preventDefault();
    if (!proj) return;
    setBusy(true);
    setError("");
    try {
      const updated = await api<ProjectWithSettings>(`/v1/project/${proj.id}`, {
        method: "PATCH",
        json: { settings: { comparison_key: key.trim() } },
      });
      setProj(updated);
      setKey(updated.settings?.comparison_key ?? "");
      toast("success", "Comparison key saved", key.trim() ? `Test cases now match by ${key.trim()}` : "Test cases match by input");
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <main className="page">
      <div className="page-header">
        <div className="titles">
          <span className="eyebrow">{project}</span>
          <h1>Project settings</h1>
        </div>
      </div>
      <form className="card settings-card" onSubmit={save} aria-label="Comparison key">
        <h2>Comparison key</h2>
        <p className="muted">
          Experiments are compared test case by test case. Two traces are the same test case when this SQL expression
          (of the query language, over a trace) has the same value. Leave it empty for the default, the whole <code>input</code>.
          An array matches on several fields, e.g. <code>[input.query, metadata.category]</code>.
        </p>
        {proj ? (
          <label className="field" htmlFor="comparison-key">
            <span>Expression</span>
            <input id="comparison-key" className="input mono" value={key} placeholder="input"
              onChange={(e) => setKey(e.target.value)} spellCheck={false} />
          </label>
        ) : !error && <Skeleton width={320} />}
        <ErrorMessage>{error}</ErrorMessage>
        <div className="row"><Button type="submit" variant="primary" icon={<Save />} disabled={!proj || busy}>Save</Button></div>
      </form>
    </main>
  );
}

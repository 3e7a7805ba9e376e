import { useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { FolderKanban, FolderOpen } from "lucide-react";
import { api, type Project } from "../api/client";
import { EmptyState, ErrorMessage, Skeleton } from "../ui";
import { useCrumbs } from "../shell/crumbs";

// Organization → projects.
export function Home() {
  const [org, setOrg] = useState<{ id: string; name: string } | null>(null);
  const [projects, setProjects] = useState<Project[] | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    api<{ objects: { id: string; name: string }[] }>("/v1/organization")
      .then((r) => setOrg(r.objects[0]))
      .catch((e) => setError(e.message));
    api<{ objects: Project[] }>("/v1/project")
      .then((r) => setProjects(r.objects))
      .catch((e) => setError(e.message));
  }, []);
  useCrumbs(org ? [{ label: org.name, to: "/" }] : []);
  return (
    <main className="page">
      <div className="page-header">
        <div className="titles">
          <span className="eyebrow">{org?.name ?? "\u00a0"}</span>
          <h1>Projects</h1>
        </div>
      </div>
      <ErrorMessage>{error}</ErrorMessage>
      {projects && projects.length === 0 && (
        <EmptyState icon={<FolderOpen />} title="No projects yet">
          Run an evaluation with the SDK (<code>BRAINTRUST_APP_URL</code> pointing here), or try <code>assay demo</code>.
        </EmptyState>
      )}
      <ul className="project-grid" aria-label="Projects">
        {!projects && !error && [0, 1, 2].map((i) => <li key={i} className="card project-card"><Skeleton width="50%" height={16} /><Skeleton width="70%" /></li>)}
        {projects?.map((p) => (
          <li key={p.id}>
            <Link className="card project-card" to={`/${encodeURIComponent(org?.name ?? "")}/p/${encodeURIComponent(p.name)}`}>
              <span className="name"><FolderKanban aria-hidden />{p.name}</span>
              <span className="sub">Created {new Date(p.created).toLocaleString()}</span>
            </Link>
          </li>
        ))}
      </ul>
    </main>
  );
}

import { useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { api, type Project } from "../api/client";

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
  return (
    <main className="page">
      <nav className="crumbs" aria-label="Breadcrumb">{org?.name ?? "…"}</nav>
      <h1>Projects</h1>
      {error && <p role="alert" className="error">{error}</p>}
      {projects && projects.length === 0 && <p>No projects yet. Run an evaluation with the SDK.</p>}
      <ul className="cards">
        {projects?.map((p) => (
          <li key={p.id}>
            <Link to={`/${encodeURIComponent(org?.name ?? "")}/p/${encodeURIComponent(p.name)}`}>{p.name}</Link>
            <span className="muted"> created {new Date(p.created).toLocaleString()}</span>
          </li>
        ))}
      </ul>
    </main>
  );
}

import { useEffect, useMemo, useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { api, q, type Experiment, type Project } from "../api/client";
import { ScoreChart } from "../components/ScoreChart";
import { fmtScore } from "../components/format";

type SortField = "name" | "created" | "dataset" | "rows" | `score:${string}`;

// A project's experiments: name, created, dataset, score averages, row count, metadata; sort, search,
// select several to compare, and a chart of each score over time.
export function ProjectPage() {
  const { org = "", project = "" } = useParams();
  const navigate = useNavigate();
  const [proj, setProj] = useState<Project | null>(null);
  const [exps, setExps] = useState<Experiment[] | null>(null);
  const [error, setError] = useState("");
  const [search, setSearch] = useState("");
  const [sort, setSort] = useState<{ field: SortField; desc: boolean }>({ field: "created", desc: true });
  const [selected, setSelected] = useState<string[]>([]);

  useEffect(() => {
    api<{ objects: Project[] }>(`/v1/project?project_name=${q(project)}`)
      .then((r) => {
        if (!r.objects.length) throw new Error(`project ${project} not found`);
        setProj(r.objects[0]);
        return api<{ objects: Experiment[] }>(`/v1/project/${r.objects[0].id}/experiments`);
      })
      .then((r) => setExps(r.objects))
      .catch((e) => setError(e.message));
  }, [project]);

  const scoreNames = useMemo(
    () => [...new Set((exps ?? []).flatMap((e) => Object.keys(e.scores)))].sort(),
    [exps],
  );
  const shown = useMemo(() => {
    const needle = search.toLowerCase();
    const rows = (exps ?? []).filter(
      (e) => !needle || e.name.toLowerCase().includes(needle) ||
        JSON.stringify(e.metadata ?? {}).toLowerCase().includes(needle),
    );
    const key = (e: Experiment): string | number => {
      if (sort.field === "name") return e.name;
      if (sort.field === "created") return e.created;
      if (sort.field === "dataset") return e.dataset_name ?? "";
      if (sort.field === "rows") return e.row_count;
      return e.scores[sort.field.slice(6)] ?? -Infinity;
    };
    return [...rows].sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      const c = x < y ? -1 : x > y ? 1 : 0;
      return sort.desc ? -c : c;
    });
  }, [exps, search, sort]);

  const base = `/${encodeURIComponent(org)}/p/${encodeURIComponent(project)}/experiments/`;
  function header(field: SortField, label: string) {
    const active = sort.field === field;
    return (
      <th aria-sort={active ? (sort.desc ? "descending" : "ascending") : "none"}>
        <button className="th-btn" onClick={() => setSort({ field, desc: active ? !sort.desc : field !== "name" })}>
          {label} {active ? (sort.desc ? "▼" : "▲") : ""}
        </button>
      </th>
    );
  }
  function compare() {
    const chosen = (exps ?? []).filter((e) => selected.includes(e.id));
    chosen.sort((a, b) => (a.created < b.created ? 1 : -1));
    const [main, other] = chosen;
    if (main && other) navigate(`${base}${encodeURIComponent(main.name)}?c=${other.id}`);
  }
  return (
    <main className="page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to="/">{org}</Link> / <span>{project}</span> / <span>Experiments</span>
      </nav>
      <h1>Experiments</h1>
      {error && <p role="alert" className="error">{error}</p>}
      {exps && exps.length > 0 && <ScoreChart experiments={exps} scores={scoreNames} />}
      <div className="toolbar">
        <input type="search" aria-label="Search experiments" placeholder="Search experiments"
          value={search} onChange={(e) => setSearch(e.target.value)} />
        <button disabled={selected.length < 2} onClick={compare}>
          Compare {selected.length > 1 ? `(${selected.length})` : ""}
        </button>
        <span className="muted">{proj ? `${exps?.length ?? 0} experiments` : ""}</span>
      </div>
      <table className="list" aria-label="Experiments">
        <thead>
          <tr>
            <th aria-label="Select" />
            {header("name", "Name")}
            {header("created", "Created")}
            {header("dataset", "Dataset")}
            {scoreNames.map((s) => <th key={s}>{header(`score:${s}`, s).props.children}</th>)}
            {header("rows", "Rows")}
            <th>Metadata</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((e) => (
            <tr key={e.id} data-experiment={e.name}>
              <td>
                <input type="checkbox" aria-label={`Select ${e.name}`} checked={selected.includes(e.id)}
                  onChange={(ev) => setSelected(ev.target.checked ? [...selected, e.id] : selected.filter((x) => x !== e.id))} />
              </td>
              <td><Link to={base + encodeURIComponent(e.name)}>{e.name}</Link></td>
              <td>{new Date(e.created).toLocaleString()}</td>
              <td>{e.dataset_name ?? ""}</td>
              {scoreNames.map((s) => <td key={s} className="num">{fmtScore(e.scores[s])}</td>)}
              <td className="num">{e.row_count}</td>
              <td className="meta">{e.metadata ? Object.entries(e.metadata).map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`).join(", ") : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}

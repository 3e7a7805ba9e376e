import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router-dom";
import { ArrowDown, ArrowUp, ClipboardCheck, Columns2, FlaskConical, GitCompareArrows, Settings } from "lucide-react";
import { api, q, type Experiment, type Project } from "../api/client";
import { ScoreChart } from "../components/ScoreChart";
import { fmtScore, fmtWhen } from "../components/format";
import { Button, EmptyState, ErrorMessage, Menu, MenuItem, MenuLabel, SearchInput, Skeleton, useHotkeys } from "../ui";
import { ViewsMenu } from "../components/ViewsMenu";
import type { SavedView } from "../state/views";
import { useCrumbs } from "../shell/crumbs";
import { AggregateScores } from "../scoring/AggregateScores";
import { MAX_EXPERIMENTS } from "../compare/colors";

type SortField = "name" | "created" | "dataset" | "rows" | `score:${string}`;
const BUILTINS = [{ id: "default", name: "All experiments", description: "Every experiment, newest first" }];
const LIST_PARAMS = ["search", "sort", "desc", "hide", "view"];

// The list's state lives in the URL (search, sort, hidden columns, the chosen view), so a saved
// view (`view_type: "experiments"`) is a named copy of it.
function useListState() {
  const [params, setParams] = useSearchParams();
  const hidden: string[] = (() => {
    try {
      const v = JSON.parse(params.get("hide") ?? "[]");
      return Array.isArray(v) ? v.filter((c) => typeof c === "string") : [];
    } catch {
      return [];
    }
  })();
  const state = {
    search: params.get("search") ?? "",
    sort: { field: (params.get("sort") ?? "created") as SortField, desc: params.get("desc") !== "0" },
    hidden,
    view: params.get("view") ?? "default",
  };
  function set(next: Partial<typeof state>) {
    const s = { ...state, ...next };
    setParams((prev) => {
      const out = new URLSearchParams([...prev].filter(([k]) => !LIST_PARAMS.includes(k)));
      if (s.search) out.set("search", s.search);
      if (s.sort.field !== "created") out.set("sort", s.sort.field);
      if (!s.sort.desc) out.set("desc", "0");
      if (s.hidden.length) out.set("hide", JSON.stringify(s.hidden));
      if (s.view !== "default") out.set("view", s.view);
      return out;
    }, { replace: true });
  }
  return [state, set] as const;
}

function listFromView(v: SavedView) {
  const key = v.view_data?.search?.sort?.[0];
  const visibility = v.options?.columnVisibility ?? {};
  return {
    view: v.id,
    search: typeof v.view_data?.search?.match?.[0] === "string" ? v.view_data.search.match[0] : "",
    sort: key && typeof key.column === "string" ? { field: key.column as SortField, desc: key.desc !== false } : { field: "created" as SortField, desc: true },
    hidden: Object.entries(visibility).filter(([, on]) => on === false).map(([c]) => c),
  };
}

// A project's experiments: name, created, dataset, score averages, row count, metadata; sort, search,
// select several to compare, and a chart of each score over time.
export function ProjectPage() {
  const { org = "", project = "" } = useParams();
  const navigate = useNavigate();
  const [proj, setProj] = useState<Project | null>(null);
  const [exps, setExps] = useState<Experiment[] | null>(null);
  const [aggregates, setAggregates] = useState<string[]>([]);
  const [error, setError] = useState("");
  const [list, setList] = useListState();
  const { search, sort, hidden } = list;
  const setSearch = (v: string) => setList({ search: v });
  const setSort = (v: { field: SortField; desc: boolean }) => setList({ sort: v });
  const [fresh] = useState(() => window.location.search.length <= 1);
  const shows = (column: string) => !hidden.includes(column);
  const [selected, setSelected] = useState<string[]>([]);
  const searchRef = useRef<HTMLInputElement>(null);
  useHotkeys({ "/": () => searchRef.current?.focus() });
  const projectPath = `/${encodeURIComponent(org)}/p/${encodeURIComponent(project)}`;
  useCrumbs([{ label: org, to: "/" }, { label: project, to: projectPath }, { label: "Experiments" }]);

  useEffect(() => {
    api<{ objects: Project[] }>(`/v1/project?project_name=${q(project)}`)
      .then((r) => {
        if (!r.objects.length) throw new Error(`project ${project} not found`);
        setProj(r.objects[0]);
        return api<{ objects: Experiment[]; aggregate_scores?: string[] }>(`/v1/project/${r.objects[0].id}/experiments`);
      })
      .then((r) => { setExps(r.objects); setAggregates(r.aggregate_scores ?? []); })
      .catch((e) => setError(e.message));
  }, [project]);

  // A column per score, the project's aggregate scores included (their means are in `scores`).
  const scoreNames = useMemo(
    () => [...new Set([...(exps ?? []).flatMap((e) => Object.keys(e.scores)), ...aggregates])].sort(),
    [exps, aggregates],
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

  const base = `${projectPath}/experiments/`;
  function header(field: SortField, label: string, num = false) {
    const active = sort.field === field;
    const Arrow = sort.desc ? ArrowDown : ArrowUp;
    return (
      <th key={field} aria-sort={active ? (sort.desc ? "descending" : "ascending") : "none"} className={num ? "num" : undefined}>
        <button className="th-btn" onClick={() => setSort({ field, desc: active ? !sort.desc : field !== "name" })}>
          {label}{active && <Arrow aria-hidden />}
        </button>
      </th>
    );
  }
  // Open the newest selected experiment compared with the others; the oldest is the base.
  function compare() {
    const chosen = (exps ?? []).filter((e) => selected.includes(e.id));
    chosen.sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0));
    const main = chosen.pop();
    if (main && chosen.length) navigate(`${base}${encodeURIComponent(main.name)}?c=${chosen.map((e) => e.id).join(",")}`);
  }
  const tooMany = selected.length > MAX_EXPERIMENTS;
  return (
    <main className="page">
      <div className="page-header">
        <div className="titles">
          <span className="eyebrow">{project}</span>
          <h1>Experiments</h1>
        </div>
        <Link className="btn" to={`${projectPath}/settings`}><Settings aria-hidden />Settings</Link>
        <Link className="btn" to={`${projectPath}/settings/review`}><ClipboardCheck aria-hidden />Review scores</Link>
      </div>
      <ErrorMessage>{error}</ErrorMessage>
      {exps && exps.length > 0 && (
        <section className="card chart-card" aria-label="Score chart">
          <h2>Scores across experiments</h2>
          <ScoreChart experiments={exps} scores={scoreNames} />
        </section>
      )}
      <div className="toolbar">
        {proj && (
          <ViewsMenu projectId={proj.id} viewType="experiments" builtins={BUILTINS} current={list.view} fresh={fresh}
            capture={() => ({
              view_data: { search: { filter: null, tag: null, match: search ? [search] : null, sort: [{ column: sort.field, desc: sort.desc }] } },
              options: { columnVisibility: Object.fromEntries(hidden.map((c) => [c, false])) },
            })}
            onApply={(v) => setList("object_id" in v ? listFromView(v) : { view: v.id, search: "", sort: { field: "created", desc: true }, hidden: [] })} />
        )}
        <Menu trigger={<Button aria-label="Columns" icon={<Columns2 />}>Columns</Button>}>
          <MenuLabel>Show columns</MenuLabel>
          {[["created", "Created"], ["dataset", "Dataset"], ...scoreNames.map((n) => [`score:${n}`, n]), ["rows", "Rows"], ["metadata", "Metadata"]].map(([id, label]) => (
            <MenuItem key={id} checked={shows(id)} onSelect={() => setList({ hidden: shows(id) ? [...hidden, id] : hidden.filter((c) => c !== id) })}>{label}</MenuItem>
          ))}
        </Menu>
        <SearchInput ref={searchRef} aria-label="Search experiments" placeholder="Search experiments" shortcut="/"
          value={search} onChange={(e) => setSearch(e.target.value)} />
        <Button variant={selected.length > 1 && !tooMany ? "primary" : "default"} icon={<GitCompareArrows />}
          disabled={selected.length < 2 || tooMany} onClick={compare}
          title={selected.length < 2 ? "Select two or more experiments to compare"
            : tooMany ? `Compare at most ${MAX_EXPERIMENTS} experiments (a base and ${MAX_EXPERIMENTS - 1} others)` : undefined}>
          Compare {selected.length > 1 ? `(${selected.length})` : ""}
        </Button>
        <span className="muted">{proj && exps ? `${exps.length} experiment${exps.length === 1 ? "" : "s"}` : ""}</span>
        <span className="spacer" />
        {proj && <AggregateScores projectId={proj.id} scores={scoreNames} />}
      </div>
      {exps && exps.length === 0 ? (
        <EmptyState icon={<FlaskConical />} title="No experiments in this project yet">
          Run <code>Eval("{project}", …)</code> with the SDK pointed at this server; each run becomes an experiment here.
        </EmptyState>
      ) : (
        <div className="table-card">
          <table className="list experiments" aria-label="Experiments">
            <thead>
              <tr>
                <th aria-label="Select" style={{ width: 32 }} />
                {header("name", "Name")}
                {shows("created") && header("created", "Created")}
                {shows("dataset") && header("dataset", "Dataset")}
                {scoreNames.filter((s) => shows(`score:${s}`)).map((s) => header(`score:${s}`, s, true))}
                {shows("rows") && header("rows", "Rows", true)}
                {shows("metadata") && <th>Metadata</th>}
              </tr>
            </thead>
            <tbody>
              {!exps && !error && [0, 1, 2].map((i) => (
                <tr key={i}><td colSpan={5 + scoreNames.length}><Skeleton width={`${60 - i * 10}%`} /></td></tr>
              ))}
              {shown.map((e) => (
                <tr key={e.id} data-experiment={e.name}>
                  <td>
                    <input type="checkbox" aria-label={`Select ${e.name}`} checked={selected.includes(e.id)}
                      onChange={(ev) => setSelected(ev.target.checked ? [...selected, e.id] : selected.filter((x) => x !== e.id))} />
                  </td>
                  <td><Link className="exp-name" to={base + encodeURIComponent(e.name)}>{e.name}</Link></td>
                  {shows("created") && <td className="muted nowrap" title={new Date(e.created).toLocaleString()}>{fmtWhen(e.created)}</td>}
                  {shows("dataset") && <td>{e.dataset_name ?? <span className="subtle">—</span>}</td>}
                  {scoreNames.filter((s) => shows(`score:${s}`)).map((s) => (
                    <td key={s} className="num">
                      {e.scores[s] !== undefined && (
                        <span className="score-cell">{fmtScore(e.scores[s])}<span className="score-bar" aria-hidden><span style={{ width: `${Math.max(0, Math.min(1, e.scores[s])) * 100}%` }} /></span></span>
                      )}
                    </td>
                  ))}
                  {shows("rows") && <td className="num">{e.row_count}</td>}
                  {shows("metadata") && (
                    <td className="meta">
                      <span className="meta-chips">
                        {Object.entries(e.metadata ?? {}).map(([k, v]) => (
                          <span key={k} className="badge" title={`${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`}>{k}: {typeof v === "string" ? v : JSON.stringify(v)}</span>
                        ))}
                      </span>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </main>
  );
}

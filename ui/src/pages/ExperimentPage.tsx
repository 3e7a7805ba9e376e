import { useEffect, useMemo, useState } from "react";
import { Link, useParams } from "react-router-dom";
import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { api, download, q, type Experiment, type Fields, type Project, type Summary, type TableView } from "../api/client";
import { useTableState } from "../state/url";
import { buildColumns, type ColumnSpec } from "../components/columns";
import { DataTable } from "../components/DataTable";
import { FilterPanel } from "../components/FilterPanel";
import { DisplayPanel } from "../components/DisplayPanel";
import { GroupedTable } from "../components/GroupedTable";
import { GridLayout, SummaryLayout, SummaryTableLayout } from "../components/Layouts";
import { DetailsPane } from "../components/DetailsPane";

export function ExperimentPage() {
  const { org = "", project = "", experiment = "" } = useParams();
  const [state, update] = useTableState();
  const [proj, setProj] = useState<Project | null>(null);
  const [exps, setExps] = useState<Experiment[]>([]);
  const [fields, setFields] = useState<Fields | null>(null);
  const [views, setViews] = useState<TableView[]>([]);
  const [summary, setSummary] = useState<Summary | null>(null);
  const [error, setError] = useState("");
  const [searchDraft, setSearchDraft] = useState(state.search);

  useEffect(() => {
    // Catalog lookups only (no aggregates), so the first rows are not held up by statistics.
    api<{ objects: Project[] }>(`/v1/project?project_name=${q(project)}`)
      .then((r) => {
        if (!r.objects.length) throw new Error(`project ${project} not found`);
        setProj(r.objects[0]);
        return api<{ objects: Experiment[] }>(`/v1/experiment?project_id=${r.objects[0].id}`);
      })
      .then((r) => {
        if (!r.objects.some((e) => e.name === experiment)) setError(`experiment ${experiment} not found`);
        setExps(r.objects);
      })
      .catch((e) => setError(e.message));
  }, [project, experiment]);
  const exp = exps.find((e) => e.name === experiment) ?? null;
  const comparison = exps.find((e) => e.id === state.comparison) ?? null;
  useEffect(() => {
    if (!exp) return;
    api<Fields>(`/v1/experiment/${exp.id}/table/fields`).then(setFields).catch((e) => setError(e.message));
  }, [exp?.id]);
  useEffect(() => {
    if (!exp) return;
    api<{ objects: TableView[] }>(`/v1/experiment/${exp.id}/table/views?row_type=${state.rowType}`).then((r) => setViews(r.objects));
  }, [exp?.id, state.rowType]);
  // The summary (header statistics) is asked for once the first rows are in: on a large experiment
  // it is the heavier query, and rows matter first.
  const [rowsIn, setRowsIn] = useState(false);
  const allowed = rowsIn || !(state.layout === "list" && !state.groupBy);
  useEffect(() => {
    if (!exp || !allowed) return;
    const c = comparison ? `?comparison_experiment_id=${comparison.id}` : "";
    api<Summary>(`/v1/experiment/${exp.id}/summarize${c}`).then(setSummary).catch((e) => setError(e.message));
  }, [exp?.id, comparison?.id, allowed]);

  const allColumns = useMemo(() => {
    const cols = buildColumns(fields, state.custom);
    const rank = (c: ColumnSpec) => {
      const i = state.order.indexOf(c.id);
      return i < 0 ? state.order.length + cols.indexOf(c) : i;
    };
    const ordered = [...cols].sort((a, b) => rank(a) - rank(b));
    if (state.orderByRegressions && summary?.scores && comparison) {
      const scores = ordered.filter((c) => c.kind === "score");
      const byReg = [...scores].sort((a, b) => (summary.scores![b.label]?.regressions ?? 0) - (summary.scores![a.label]?.regressions ?? 0));
      let k = 0;
      return ordered.map((c) => (c.kind === "score" ? byReg[k++] : c));
    }
    return ordered;
  }, [fields, state.custom, state.order, state.orderByRegressions, summary, comparison]);
  const visible = allColumns.filter((c) => !state.hidden.includes(c.id));
  const view = views.find((v) => v.id === state.view);
  const query = {
    row_type: state.rowType,
    filters: [...(view?.filter ? [view.filter] : []), ...state.filters],
    search: state.search || null,
    sort: state.sort,
    custom_columns: state.custom,
  };

  async function exportAs(format: "csv" | "json", all: boolean) {
    if (!exp) return;
    const blob = await download(`/v1/experiment/${exp.id}/export`, { ...query, format, columns: all ? null : visible.map((c) => c.id) });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `${exp.name}.${format}`;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  const groupExpr = state.custom.find((c) => c.name === state.groupBy)?.expr ?? state.groupBy;
  const projectPath = `/${encodeURIComponent(org)}/p/${encodeURIComponent(project)}`;
  return (
    <main className={`page experiment ${state.details ? "with-details" : ""}`}>
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to="/">{org}</Link> / <Link to={projectPath}>{project}</Link> / <Link to={projectPath}>Experiments</Link> / <span>{experiment}</span>
      </nav>
      <h1>{experiment}</h1>
      {error && <p role="alert" className="error">{error}</p>}
      {exp && proj && (
        <>
          <div className="toolbar">
            <DropdownMenu.Root>
              <DropdownMenu.Trigger asChild>
                <button aria-label="Views">View: {view?.name ?? "Default view"}</button>
              </DropdownMenu.Trigger>
              <DropdownMenu.Portal>
                <DropdownMenu.Content className="menu" align="start">
                  {views.map((v) => (
                    <DropdownMenu.Item key={v.id} className="menu-item" title={v.description} onSelect={() => update({ view: v.id })}>
                      {v.name}
                    </DropdownMenu.Item>
                  ))}
                </DropdownMenu.Content>
              </DropdownMenu.Portal>
            </DropdownMenu.Root>
            <FilterPanel experimentId={exp.id} rowType={state.rowType} columns={allColumns} custom={state.custom}
              onAdd={(f) => update({ filters: [...state.filters, f] })} />
            <form onSubmit={(e) => { e.preventDefault(); update({ search: searchDraft }); }}>
              <input type="search" aria-label="Search rows" placeholder="Search" value={searchDraft}
                onChange={(e) => setSearchDraft(e.target.value)} />
            </form>
            <label>
              Compare to{" "}
              <select aria-label="Comparison experiment" value={state.comparison} onChange={(e) => update({ comparison: e.target.value })}>
                <option value="">None</option>
                {exps.filter((e) => e.id !== exp.id).map((e) => <option key={e.id} value={e.id}>{e.name}</option>)}
              </select>
            </label>
            <span className="spacer" />
            <DisplayPanel state={state} update={update} columns={allColumns} fields={fields} />
            <DropdownMenu.Root>
              <DropdownMenu.Trigger asChild><button aria-label="Download">Download</button></DropdownMenu.Trigger>
              <DropdownMenu.Portal>
                <DropdownMenu.Content className="menu" align="end">
                  <DropdownMenu.Item className="menu-item" onSelect={() => exportAs("csv", false)}>Download as CSV</DropdownMenu.Item>
                  <DropdownMenu.Item className="menu-item" onSelect={() => exportAs("json", false)}>Download as JSON</DropdownMenu.Item>
                  <DropdownMenu.Item className="menu-item" onSelect={() => exportAs("csv", true)}>Download as CSV (all fields)</DropdownMenu.Item>
                  <DropdownMenu.Item className="menu-item" onSelect={() => exportAs("json", true)}>Download as JSON (all fields)</DropdownMenu.Item>
                </DropdownMenu.Content>
              </DropdownMenu.Portal>
            </DropdownMenu.Root>
            <button aria-pressed={state.details} onClick={() => update({ details: !state.details })}>Details</button>
          </div>
          {(state.filters.length > 0 || state.search) && (
            <ul className="chips" aria-label="Active filters">
              {state.filters.map((f, i) => (
                <li key={i}>
                  <code>{f}</code>
                  <button aria-label={`Remove filter ${f}`} onClick={() => update({ filters: state.filters.filter((_, j) => j !== i) })}>✕</button>
                </li>
              ))}
              {state.search && (
                <li><span>search: {state.search}</span>
                  <button aria-label="Clear search" onClick={() => { setSearchDraft(""); update({ search: "" }); }}>✕</button></li>
              )}
            </ul>
          )}
          <div className="body">
            <div className="content">
              {state.layout === "list" && !state.groupBy && (
                <DataTable experimentId={exp.id} query={query} columns={visible} pinned={state.pinned} sort={state.sort}
                  onSort={(sort) => update({ sort })} summary={summary} showComparison={!!comparison} rowHeight={state.rowHeight}
                  onFirstPage={() => setRowsIn(true)} />
              )}
              {state.layout === "list" && state.groupBy && (
                <GroupedTable experiment={exp} comparison={comparison} includeComparison={state.groupCompare}
                  groupBy={state.groupBy} groupExpr={groupExpr} query={query} columns={visible} pinned={state.pinned}
                  sort={state.sort} onSort={(sort) => update({ sort })} summary={summary} rowHeight={state.rowHeight}
                  regressionScore={state.orderByRegressions ? state.regressionScore : ""} />
              )}
              {state.layout === "grid" && <GridLayout experiment={exp} comparison={comparison} query={query} />}
              {state.layout === "summary" && <SummaryLayout experiment={exp} comparison={comparison} />}
              {state.layout === "summary_table" && <SummaryTableLayout experiment={exp} comparison={comparison} />}
            </div>
            {state.details && <DetailsPane experiment={exp} summary={summary} fields={fields} experiments={exps} onClose={() => update({ details: false })} />}
          </div>
        </>
      )}
    </main>
  );
}

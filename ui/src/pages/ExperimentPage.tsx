import { useEffect, useMemo, useRef, useState } from "react";
import { useParams } from "react-router-dom";
import { ClipboardCheck, Database, Diff, Download, Eye, Gauge, PanelRight, Sparkles, X } from "lucide-react";
import { api, describeFilter, download, q, tableSummary, type Experiment, type Fields, type Project, type Summary, type TableView } from "../api/client";
import { background } from "../api/priority";
import { useTableState } from "../state/url";
import { tableToView, viewToTable } from "../state/views";
import { ViewsMenu } from "../components/ViewsMenu";
import { buildColumns, type ColumnSpec } from "../components/columns";
import { DataTable } from "../components/DataTable";
import { FilterPanel } from "../components/FilterPanel";
import { DisplayPanel } from "../components/DisplayPanel";
import { GroupedTable } from "../components/GroupedTable";
import { GridLayout, SummaryLayout, SummaryTableLayout } from "../components/Layouts";
import { DetailsPane } from "../components/DetailsPane";
import { Button, ErrorMessage, Menu, MenuItem, MenuLabel, MenuSeparator, SearchInput, Segmented, Skeleton, toast, useHotkeys } from "../ui";
import { comparisonOf } from "../compare/api";
import { ComparisonsPicker } from "../compare/ComparisonsPicker";
import { CompareGrid } from "../compare/CompareGrid";
import { CompareGroupsTable } from "../compare/CompareGroups";
import { CompareSummaryLayout, CompareSummaryTableLayout, useComparisonSummary, useHistograms } from "../compare/CompareSummary";
import { DiffRows } from "../compare/DiffRows";
import { ComparisonLegend } from "../compare/Legend";
import { diffFields, TraceCompare, useComparedCase } from "../compare/TraceCompare";
import { useCrumbs } from "../shell/crumbs";
import { useTraceParams } from "../state/trace";
import { TraceView } from "../trace/TraceView";
import { AssistantPanel } from "../assistant/AssistantPanel";
import { ScoreDialog } from "../scoring/ScoreDialog";
import type { Row } from "../api/client";
import { ReviewMode } from "../review/ReviewMode";
import { AssignMenu } from "../review/AssignMenu";

export function ExperimentPage() {
  const { org = "", project = "", experiment = "" } = useParams();
  const [state, update] = useTableState();
  const [fresh] = useState(() => window.location.search.length <= 1); // nothing chosen yet: open the default view
  const [proj, setProj] = useState<Project | null>(null);
  const [exps, setExps] = useState<Experiment[]>([]);
  const [fields, setFields] = useState<Fields | null>(null);
  const [views, setViews] = useState<TableView[]>([]);
  const [summary, setSummary] = useState<Summary | null>(null);
  const [error, setError] = useState("");
  const [searchDraft, setSearchDraft] = useState(state.search);
  const searchRef = useRef<HTMLInputElement>(null);
  useEffect(() => setSearchDraft(state.search), [state.search]);
  const projectPath = `/${encodeURIComponent(org)}/p/${encodeURIComponent(project)}`;
  useCrumbs([{ label: org, to: "/" }, { label: project, to: projectPath }, { label: "Experiments", to: projectPath }, { label: experiment }]);
  const [tp, setTp] = useTraceParams();
  // Human review: review mode over the current filter (the button or `r`), and a counter that
  // reloads the rows, the summary and the review progress after each review or assignment.
  const [reviewing, setReviewing] = useState(false);
  const [reviewed, setReviewed] = useState(0);
  const [progress, setProgress] = useState<{ reviewed: number; total: number } | null>(null);
  useHotkeys({ "/": () => searchRef.current?.focus(), r: () => setReviewing(true) }, !reviewing);
  // Rows chosen for scoring (by row id), the Score dialog, and a counter that reloads the table,
  // fields and summary once a scoring job has written new scores.
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [scoreOpen, setScoreOpen] = useState(false);
  const [scoreTrace, setScoreTrace] = useState(""); // scoring one trace, from the trace view
  const [refresh, setRefresh] = useState(0);
  const [total, setTotal] = useState<number | null>(null);

  useEffect(() => {
    // Catalog lookups only (no aggregates), so the first rows are not held up by statistics; the
    // project and its experiments at once (by the project's name), not one after the other.
    const projP = api<{ objects: Project[] }>(`/v1/project?project_name=${q(project)}`);
    const expsP = api<{ objects: Experiment[] }>(`/v1/experiment?project_name=${q(project)}`);
    expsP.catch(() => undefined); // reported below, after the project's own error
    projP
      .then((r) => {
        if (!r.objects.length) throw new Error(`project ${project} not found`);
        setProj(r.objects[0]);
        return expsP;
      })
      .then((r) => {
        if (!r.objects.some((e) => e.name === experiment)) setError(`experiment ${experiment} not found`);
        setExps(r.objects);
      })
      .catch((e) => setError(e.message));
  }, [project, experiment]);
  const exp = exps.find((e) => e.name === experiment) ?? null;
  // Comparison mode: the page's experiment and up to 7 others, one of them the base.
  const comparison = exp ? comparisonOf(exp.id, state.comparisons, state.base) : null;
  const baseExp = comparison && comparison.base !== exp?.id ? exps.find((e) => e.id === comparison.base) ?? null : null;
  useEffect(() => {
    if (!exp) return;
    api<Fields>(`/v1/experiment/${exp.id}/table/fields`).then(setFields).catch((e) => setError(e.message));
  }, [exp?.id, refresh]);
  useEffect(() => {
    if (!exp) return;
    background(() => api<{ objects: TableView[] }>(`/v1/experiment/${exp.id}/table/views?row_type=${state.rowType}`))
      .then((r) => setViews(r.objects))
      .catch((e) => toast("error", "Could not load the views", e.message));
  }, [exp?.id, state.rowType]);
  useEffect(() => {
    if (!exp) return;
    background(() => api<{ review_progress?: { reviewed: number; total: number } | null }>(`/v1/experiment/${exp.id}/summarize?summarize_scores=false`))
      .then((r) => setProgress(r.review_progress ?? null))
      .catch(() => setProgress(null));
  }, [exp?.id, refresh, reviewed]);
  const view = views.find((v) => v.id === state.view);
  const query = {
    row_type: state.rowType,
    filters: [...(view?.filter ? [view.filter] : []), ...state.filters],
    search: state.search || null,
    sort: state.sort,
    custom_columns: state.custom,
  };
  // The summary (header statistics) is asked for once the first rows are in: on a large experiment
  // it is the heavier query, and rows matter first. It covers the rows the filters keep.
  const [rowsIn, setRowsIn] = useState(false);
  const allowed = rowsIn || !(state.layout === "list" && !state.groupBy);
  useEffect(() => {
    // One experiment: the table summary; with comparisons, the N-way summary below (both over
    // the table's filters).
    if (!exp || !allowed || comparison) return;
    let live = true;
    background(() => tableSummary(exp.id, query))
      .then((r) => live && setSummary(r))
      .catch((e) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [exp?.id, !!comparison, allowed, refresh, reviewed, JSON.stringify([query.row_type, query.filters, query.search, query.custom_columns])]);
  const { summary: compared, error: comparedError } = useComparisonSummary(allowed ? comparison : null, query);
  const histograms = useHistograms(comparison, query, allowed && state.layout === "list");
  const allColumns = useMemo(() => {
    const cols = buildColumns(fields, state.custom, state.rowType);
    const rank = (c: ColumnSpec) => {
      const i = state.order.indexOf(c.id);
      return i < 0 ? state.order.length + cols.indexOf(c) : i;
    };
    const ordered = [...cols].sort((a, b) => rank(a) - rank(b));
    if (state.orderByRegressions && compared) {
      // Score columns with the most regressions (summed over the compared experiments) first.
      const regressions = (name: string) =>
        compared.scores.find((m) => m.name === name)?.experiments.reduce((n, e) => n + e.regressions, 0) ?? 0;
      const scores = ordered.filter((c) => c.kind === "score");
      const byReg = [...scores].sort((a, b) => regressions(b.label) - regressions(a.label));
      let k = 0;
      return ordered.map((c) => (c.kind === "score" ? byReg[k++] : c));
    }
    return ordered;
  }, [fields, state.custom, state.rowType, state.order, state.orderByRegressions, compared]);
  const visible = allColumns.filter((c) => !state.hidden.includes(c.id));
  const queryKey = JSON.stringify([exp?.id, query.row_type, query.filters, query.search]);
  useEffect(() => setSelected(new Set()), [queryKey]); // a selection belongs to the rows it was made on
  function select(ids: string[], on: boolean) {
    setSelected((prev) => {
      const next = new Set(prev);
      for (const id of ids) if (on) next.add(id); else next.delete(id);
      return next;
    });
  }

  async function exportAs(format: "csv" | "json", all: boolean) {
    if (!exp) return;
    try {
      const blob = await download(`/v1/experiment/${exp.id}/export`, { ...query, format, columns: all ? null : visible.map((c) => c.id) });
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = `${exp.name}.${format}`;
      document.body.appendChild(a);
      a.click();
      a.remove();
    } catch (e) {
      toast("error", "Download failed", (e as Error).message);
    }
  }

  // Opening a row shows its trace beside the table (spans rows select their span in it).
  const spansMode = state.rowType === "spans";
  const rowKey = (r: Row) => String(spansMode ? r.span_id : r.root_span_id);
  const openKey = spansMode ? tp.span : tp.trace;
  const openRow = (r: Row) => setTp({ trace: String(r.root_span_id), span: spansMode ? String(r.span_id) : "" });
  const tracePage = exp && tp.trace
    ? `${projectPath}/experiments/${encodeURIComponent(exp.name)}/trace/${encodeURIComponent(tp.trace)}?${new URLSearchParams({ ...(tp.span ? { sp: tp.span } : {}), ...(tp.mode !== "trace" ? { tvt: tp.mode } : {}) })}`
    : undefined;

  const comparedCase = useComparedCase(comparison && state.rowType === "traces" ? comparison : null, tp.trace);
  const groupExpr = state.custom.find((c) => c.name === state.groupBy)?.expr ?? state.groupBy;
  const filtered = state.filters.length > 0 || !!state.search;
  return (
    <main className={`page fill experiment ${state.details ? "with-details" : ""} ${tp.trace ? "with-trace" : ""}`}>
      <div className="page-header compact">
        <div className="titles">
          <h1>{experiment}</h1>
          <div className="meta">
            {exp ? (
              <>
                {exp.dataset_name && <span className="badge" title="Dataset"><Database aria-hidden />{exp.dataset_name}</span>}
                {Object.entries(exp.metadata ?? {}).slice(0, 4).map(([k, v]) => (
                  <span key={k} className="badge mono">{k}: {typeof v === "string" ? v : JSON.stringify(v)}</span>
                ))}
                <span className="subtle">{new Date(exp.created).toLocaleString()}</span>
                {progress && progress.total > 0 && (
                  <span className="badge review-progress" aria-label="Review progress" title="Traces with a human review score, or marked complete (docs/review.md)">
                    <ClipboardCheck aria-hidden />Reviewed {progress.reviewed} / {progress.total}
                  </span>
                )}
              </>
            ) : !error && <Skeleton width={220} />}
          </div>
        </div>
      </div>
      <ErrorMessage>{error}</ErrorMessage>
      {exp && proj && reviewing && (
        <ReviewMode experimentId={exp.id} projectId={proj.id} query={query} settingsHref={`${projectPath}/settings/review`}
          onReviewed={() => setReviewed((n) => n + 1)} onClose={() => setReviewing(false)} />
      )}
      {exp && proj && !reviewing && (
        <>
          <div className="toolbar" role="toolbar" aria-label="Table controls">
            {views.length ? (
              <ViewsMenu projectId={proj.id} viewType="experiment" builtins={views} current={state.view} fresh={fresh}
                capture={() => tableToView(state, view?.filter ?? null)}
                onApply={(v) => ("object_id" in v ? update(viewToTable(v)) : update({ view: v.id }))} />
            ) : <Button aria-label="Views" icon={<Eye />} disabled>Views</Button>}
            <FilterPanel experimentId={exp.id} rowType={state.rowType} columns={allColumns} custom={state.custom}
              count={state.filters.length} onAdd={(f) => update({ filters: [...state.filters, ...f] })} />
            <form onSubmit={(e) => { e.preventDefault(); update({ search: searchDraft }); }}>
              <SearchInput ref={searchRef} aria-label="Search rows" placeholder="Search" shortcut="/" value={searchDraft}
                onChange={(e) => setSearchDraft(e.target.value)} width={220} />
            </form>
            <span className="sep" />
            <ComparisonsPicker experiment={exp} experiments={exps} compared={comparison ? comparison.ids.filter((id) => id !== exp.id) : []}
              base={comparison?.base ?? ""}
              onChange={(ids, base) => update({ comparisons: ids, base: ids.length && base !== ids[0] ? base : "", change: null, diff: ids.length ? state.diff : false })} />
            {comparison && state.rowType === "traces" && state.layout === "list" && !state.groupBy && (
              <>
                <Button aria-pressed={state.diff} icon={<Diff />} onClick={() => update({ diff: !state.diff })}
                  title="Each test case with one row per experiment, outputs diffed">Diff</Button>
                {state.diff && (
                  <Segmented label="Diff against" value={state.diffMode} onChange={(v) => update({ diffMode: v })}
                    options={[["experiments", "Experiments"], ["expected", "Output vs expected"]] as const} />
                )}
              </>
            )}
            <span className="spacer" />
            <DisplayPanel experimentId={exp.id} state={state} update={update} columns={allColumns} fields={fields} />
            <Menu align="end" trigger={<Button aria-label="Download" icon={<Download />}>Download</Button>}>
              <MenuLabel>Visible columns</MenuLabel>
              <MenuItem onSelect={() => exportAs("csv", false)}>Download as CSV</MenuItem>
              <MenuItem onSelect={() => exportAs("json", false)}>Download as JSON</MenuItem>
              <MenuSeparator />
              <MenuLabel>Every field</MenuLabel>
              <MenuItem onSelect={() => exportAs("csv", true)}>Download as CSV (all fields)</MenuItem>
              <MenuItem onSelect={() => exportAs("json", true)}>Download as JSON (all fields)</MenuItem>
            </Menu>
            <Button icon={<Gauge />} onClick={() => { setScoreTrace(""); setScoreOpen(true); }}
              title="Score the selected rows (or every row matching the filter) with scorers and classifiers">
              {selected.size ? `Score ${selected.size} selected` : "Score"}
            </Button>
            {selected.size > 0 && (
              <AssignMenu rowsType="experiment" objectId={exp.id} rowIds={[...selected]}
                onAssigned={() => { setSelected(new Set()); setReviewed((n) => n + 1); }} />
            )}
            <Button icon={<ClipboardCheck />} onClick={() => setReviewing(true)} title="Review the rows of the current filter one by one (r)">Review</Button>
            <Button aria-pressed={state.details} icon={<PanelRight />} onClick={() => update({ details: !state.details, assistant: false })}>Details</Button>
            <Button aria-pressed={state.assistant} icon={<Sparkles />} onClick={() => update({ assistant: !state.assistant, details: false })}>Assistant</Button>
          </div>
          {(filtered || (comparison && state.change)) && (
            <ul className="chips" aria-label="Active filters">
              {comparison && state.change && (
                <li className="change-chip">
                  <span>{state.change.direction} of {state.change.name} in {exps.find((e) => e.id === state.change!.experiment_id)?.name ?? "?"}</span>
                  <button aria-label="Show every row" onClick={() => update({ change: null })}><X aria-hidden /></button>
                </li>
              )}
              {state.filters.map((f, i) => (
                <li key={i}>
                  <code>{describeFilter(f)}</code>
                  <button aria-label={`Remove filter ${describeFilter(f)}`} onClick={() => update({ filters: state.filters.filter((_, j) => j !== i) })}><X aria-hidden /></button>
                </li>
              ))}
              {state.search && (
                <li><span>search: {state.search}</span>
                  <button aria-label="Clear search" onClick={() => { setSearchDraft(""); update({ search: "" }); }}><X aria-hidden /></button></li>
              )}
              <li className="chips-clear">
                <button className="link-btn" onClick={() => { setSearchDraft(""); update({ filters: [], search: "" }); }}>Clear all</button>
              </li>
            </ul>
          )}
          {comparison && <ComparisonLegend comparison={comparison} experiments={exps} keyText={compared?.comparison_key} />}
          <div className="body">
            <div className="content">
              <ErrorMessage>{comparedError}</ErrorMessage>
              {state.layout === "list" && !state.groupBy && comparison && state.diff && (
                <DiffRows comparison={comparison} query={query} change={state.change} mode={state.diffMode}
                  onOpen={(r) => setTp({ trace: String(r.row.root_span_id), span: "" })} />
              )}
              {state.layout === "list" && !state.groupBy && !(comparison && state.diff) && (
                <DataTable experimentId={exp.id} query={query} columns={visible} pinned={state.pinned} sort={state.sort}
                  compare={comparison && state.rowType === "traces"
                    ? { comparison, change: state.change, summary: compared, histograms, onChange: (change) => update({ change }) }
                    : undefined}
                  onSort={(sort) => update({ sort })} summary={summary} showComparison={false} rowHeight={state.rowHeight}
                  onFirstPage={() => setRowsIn(true)} filtered={filtered || state.view !== "default"}
                  onClearFilters={() => { setSearchDraft(""); update({ filters: [], search: "", view: "default" }); }}
                  rowKey={rowKey} openKey={tp.trace ? openKey || (spansMode ? "" : tp.trace) : ""} onOpen={openRow} keyboard
                  selected={selected} onSelect={select} refresh={refresh + reviewed} onTotal={setTotal} />
              )}
              {state.layout === "list" && state.groupBy && comparison && state.groupCompare && (
                <CompareGroupsTable comparison={comparison} query={query} groupBy={groupExpr} change={state.change} />
              )}
              {state.layout === "list" && state.groupBy && !(comparison && state.groupCompare) && (
                <GroupedTable experiment={exp} comparison={baseExp} includeComparison={false}
                  groupBy={state.groupBy} query={query} columns={visible} pinned={state.pinned}
                  sort={state.sort} onSort={(sort) => update({ sort })} summary={summary} rowHeight={state.rowHeight}
                  regressionScore={state.orderByRegressions ? state.regressionScore : ""} />
              )}
              {state.layout === "grid" && (comparison
                ? <CompareGrid comparison={comparison} query={query} change={state.change} />
                : <GridLayout experiment={exp} query={query} />)}
              {state.layout === "summary" && (comparison ? <CompareSummaryLayout comparison={comparison} query={query} /> : <SummaryLayout experiment={exp} query={query} />)}
              {state.layout === "summary_table" && (comparison
                ? <CompareSummaryTableLayout comparison={comparison} query={query} title={exp.name} />
                : <SummaryTableLayout experiment={exp} query={query} />)}
            </div>
            {tp.trace ? (
              <div className={`trace-panel ${tp.fullscreen ? "fullscreen" : ""} ${comparison ? "compare" : ""}`}>
                {comparison && <TraceCompare found={comparedCase} />}
                <TraceView key={`${tp.trace}-${refresh}`} trace={{ objectType: "experiment", objectId: exp.id, rootSpanId: tp.trace }}
                  span={tp.span} mode={tp.mode} onSpan={(span) => setTp({ span })} onMode={(mode) => setTp({ mode })}
                  fullscreen={tp.fullscreen} onFullscreen={(fullscreen) => setTp({ fullscreen })}
                  onClose={() => setTp({ trace: "", span: "", fullscreen: false, mode: "trace" })}
                  pageHref={tracePage} onlyTraceMode={!!comparison} renderField={comparison ? diffFields(comparedCase) : undefined}
                  onScore={() => { setScoreTrace(tp.trace); setScoreOpen(true); }} assistant={!!tp.fullscreen}
                  review={{ projectId: proj.id, settingsHref: `${projectPath}/settings/review`, onReviewed: () => setReviewed((n) => n + 1) }} />
              </div>
            ) : state.assistant ? (
              <AssistantPanel experiment={exp} comparisonId={comparison ? comparison.base : ""} scores={fields?.scores ?? []}
                experiments={comparison ? comparison.ids.map((id) => exps.find((e) => e.id === id) ?? { id, name: id }) : []}
                onFilter={(f) => update({ filters: [...state.filters, f], groupBy: "", layout: "list" })}
                onClose={() => update({ assistant: false })} />
            ) : state.details && <DetailsPane experiment={exp} compared={compared} fields={fields} experiments={exps} onClose={() => update({ details: false })} />}
          </div>
          <ScoreDialog open={scoreOpen} experimentId={exp.id} projectId={proj.id} selected={[...selected]}
            filter={{ row_type: query.row_type, filters: query.filters, search: query.search }}
            filtered={filtered || state.view !== "default"} total={state.layout === "list" && !state.groupBy ? total : null}
            traceRoot={scoreTrace || undefined}
            onClose={() => setScoreOpen(false)}
            onFinished={(job) => {
              setRefresh((n) => n + 1);
              setSelected(new Set());
              const names = (job.scorers ?? []).map((s) => s.name).join(", ");
              if (job.state === "done") toast("success", `Scored ${job.done + job.failed} rows`, `${names}${job.failed ? ` (${job.failed} with a scorer error)` : ""}`);
              else toast("error", `Scoring ${job.state}`, job.error ?? names);
            }} />
        </>
      )}
    </main>
  );
}

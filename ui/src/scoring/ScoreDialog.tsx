// Score rows after the fact: the selected rows, or every row matching the current filter, with the
// chosen built-in scorers and the project's functions. The job runs on the server (it survives a
// restart); this dialog follows its progress and can cancel it. Nothing starts before "Score".
import { useEffect, useRef, useState } from "react";
import { Gauge } from "lucide-react";
import { Button, Dialog, ErrorMessage, Spinner } from "../ui";
import { FINISHED, scoring, type Builtin, type Job, type ScoreFunction, type ScorerRef, type TableFilter } from "./api";

export function ScoreDialog({ open, experimentId, projectId, selected, filter, filtered, total, traceRoot, onClose, onFinished }: {
  open: boolean; experimentId: string; projectId: string;
  selected: string[]; // row ids chosen in the table
  filter: TableFilter; // the table's current state (row type, filters, search)
  filtered: boolean; // whether the table is narrowed by filters, a view or a search
  total: number | null; // rows matching the current table state, when known
  traceRoot?: string; // scoring one trace (from the trace view): its root span id
  onClose: () => void; onFinished: (job: Job) => void;
}) {
  const [builtins, setBuiltins] = useState<Builtin[]>([]);
  const [functions, setFunctions] = useState<ScoreFunction[]>([]);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [scope, setScope] = useState<"selected" | "filter">(selected.length ? "selected" : "filter");
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const finished = useRef(false);

  useEffect(() => {
    if (!open) return;
    setJob(null);
    setError("");
    finished.current = false;
    setScope(selected.length ? "selected" : "filter");
    Promise.all([scoring.builtins(), scoring.functions(projectId)])
      .then(([b, f]) => { setBuiltins(b); setFunctions(f); })
      .catch((e) => setError(e.message));
  }, [open, projectId]);

  // Follow the job until it ends.
  useEffect(() => {
    if (!job || FINISHED.includes(job.state)) {
      if (job && !finished.current) { finished.current = true; onFinished(job); }
      return;
    }
    const t = window.setTimeout(() => scoring.get(job.id).then(setJob).catch((e) => setError(e.message)), 500);
    return () => window.clearTimeout(t);
  }, [job]);

  const refs = (): ScorerRef[] => [...chosen].map((k) => {
    const [type, id] = k.split(":", 2) as ["global" | "facet" | "function", string];
    if (type === "function") return { type: "function", id };
    return { type: "global", name: id, function_type: type === "facet" ? "facet" : "scorer" };
  });
  async function start() {
    setBusy(true);
    setError("");
    try {
      const target = traceRoot
        ? { filter: { row_type: "traces" as const, filters: [{ column: "root_span_id", op: "=" as const, value: traceRoot }] } }
        : scope === "selected" ? { row_ids: selected } : { filter };
      setJob(await scoring.start(experimentId, refs(), target));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }
  function toggle(key: string, on: boolean) {
    setChosen((prev) => { const next = new Set(prev); if (on) next.add(key); else next.delete(key); return next; });
  }

  const running = !!job && !FINISHED.includes(job.state);
  const picked = job && scope === "selected" ? job.total : selected.length; // the table's selection is spent once scored
  const rows = traceRoot ? 1 : scope === "selected" ? selected.length : total;
  const option = (key: string, name: string, description: string, disabled = false) => (
    <label key={key} className={`scorer-option ${disabled ? "disabled" : ""}`} title={description}>
      <input type="checkbox" checked={chosen.has(key)} disabled={disabled || !!job} onChange={(e) => toggle(key, e.target.checked)} />
      <span className="scorer-name">{name}</span>
      <span className="subtle">{description}</span>
    </label>
  );
  return (
    <Dialog open={open} onClose={onClose} title={traceRoot ? "Score this trace" : "Score rows"} narrow>
      <form className="stack score-form" onSubmit={(e) => { e.preventDefault(); if (!job) start(); }}>
        {traceRoot ? <p className="muted">This trace: each result becomes a new span in it.</p> : (
        <fieldset className="score-scope" disabled={!!job}>
          <legend className="label">Rows</legend>
          <label><input type="radio" name="scope" checked={scope === "selected"} disabled={!picked}
            onChange={() => setScope("selected")} /> The {picked} selected row{picked === 1 ? "" : "s"}</label>
          <label><input type="radio" name="scope" checked={scope === "filter"} onChange={() => setScope("filter")} />
            {" "}{filtered ? "All rows matching the current filter" : "All rows"}{total !== null ? ` (${total.toLocaleString()})` : ""}</label>
        </fieldset>)}
        <fieldset className="score-scorers" disabled={!!job}>
          <legend className="label">Scorers</legend>
          {functions.length > 0 && <div className="subtle">This project's scorers, classifiers and facets</div>}
          {functions.map((f) => option(`function:${f.id}`, f.name, `${f.function_type}: ${f.description ?? f.function_data.type}`))}
          <div className="subtle">Built-in</div>
          {builtins.map((b) => option(`${b.function_type === "facet" ? "facet" : "global"}:${b.name}`, b.name,
            b.available ? b.description : `${b.description} — needs an LLM endpoint on the server`, !b.available))}
        </fieldset>
        {job && (
          <div className="score-progress" role="status" aria-label="Scoring progress">
            <progress max={job.total || 1} value={job.done + job.failed} aria-label="Rows scored" />
            <span>
              {job.state === "done" ? "Done: " : job.state === "cancelled" ? "Cancelled: " : job.state === "failed" ? "Failed: " : <><Spinner /> </>}
              {job.done + job.failed} of {job.total} rows{job.failed ? `, ${job.failed} with a scorer error` : ""}
            </span>
            {job.error && <ErrorMessage>{job.error}</ErrorMessage>}
          </div>
        )}
        <ErrorMessage>{error}</ErrorMessage>
        <div className="row end">
          {running
            ? <Button type="button" onClick={() => scoring.cancel(job!.id).then(setJob).catch((e) => setError(e.message))}>Cancel job</Button>
            : <Button type="button" variant="ghost" onClick={onClose}>{job ? "Done" : "Cancel"}</Button>}
          {!job && (
            <Button type="submit" variant="primary" icon={busy ? <Spinner /> : <Gauge />} disabled={!chosen.size || busy || rows === 0}>
              {traceRoot ? "Score the trace" : `Score ${rows !== null ? `${rows.toLocaleString()} row${rows === 1 ? "" : "s"}` : "rows"}`}
            </Button>
          )}
        </div>
      </form>
    </Dialog>
  );
}

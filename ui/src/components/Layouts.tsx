import { useEffect, useState } from "react";
import { jsPDF } from "jspdf";
import autoTable from "jspdf-autotable";
import { api, tableSummary, type Experiment, type PageQuery, type Row, type Summary, type TableFilters } from "../api/client";
import { cellText, fmtMetric, fmtScore } from "./format";
import { METRIC_LABELS } from "./columns";
import { FileDown } from "lucide-react";
import { Button, ErrorMessage, SkeletonRows } from "../ui";

type Query = Omit<PageQuery, "offset" | "limit" | "with_total">;

// Grid: for each test case, the experiment's output and scores (with comparisons, the compare/
// CompareGrid shows every compared experiment side by side).
export function GridLayout({ experiment, query }: { experiment: Experiment; query: Query }) {
  const [rows, setRows] = useState<Row[]>([]);
  const [limit, setLimit] = useState(50);
  const [error, setError] = useState("");
  useEffect(() => {
    api<{ rows: Row[] }>(`/v1/experiment/${experiment.id}/table`, { method: "POST", json: { ...query, limit, offset: 0 } })
      .then((r) => setRows(r.rows))
      .catch((e) => setError(e.message));
  }, [experiment.id, JSON.stringify(query), limit]);
  return (
    <div className="grid-layout">
      <ErrorMessage>{error}</ErrorMessage>
      <div className="table-card">
      <table className="list" aria-label="Grid layout">
        <thead>
          <tr>
            <th>Input</th>
            <th>Expected</th>
            <th>{experiment.name} output</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id}>
              <td className="grid-text">{cellText(r.input)}</td>
              <td className="grid-text">{cellText(r.expected)}</td>
              <td className="grid-output"><div>{cellText(r.output)}</div><Scores row={r} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
      {rows.length >= limit && <div className="row" style={{ marginTop: 8 }}><Button onClick={() => setLimit(limit + 50)}>Load more</Button></div>}
    </div>
  );
}

function Scores({ row }: { row?: Row }) {
  if (!row?.scores) return null;
  return (
    <div className="mini-scores">
      {Object.entries(row.scores as Record<string, number | null>).map(([k, v]) => (
        <span key={k}>{k}: {fmtScore(v)}</span>
      ))}
    </div>
  );
}

// One experiment's summary over the table's filters (with comparisons, compare/CompareSummary
// shows them all, over the same filters).
function useSummaries(experiment: Experiment, query: TableFilters) {
  const [sums, setSums] = useState<[Experiment, Summary][]>([]);
  const key = JSON.stringify([query.row_type, query.filters, query.search, query.custom_columns]);
  useEffect(() => {
    let live = true;
    tableSummary(experiment.id, query)
      .then((s) => live && setSums([[experiment, s]]))
      .catch(() => live && setSums([]));
    return () => {
      live = false;
    };
  }, [experiment.id, key]);
  return sums;
}

// Summary: large-type scores and metrics.
export function SummaryLayout({ experiment, query }: { experiment: Experiment; query: TableFilters }) {
  const sums = useSummaries(experiment, query);
  return (
    <div className="summary-layout" aria-label="Summary layout">
      {!sums.length && <div className="card summary-card"><SkeletonRows rows={3} label="Loading the summary" /></div>}
      {sums.map(([e, s]) => (
        <section key={e.id} className="card summary-card" aria-label={`Summary of ${e.name}`}>
          <h2>{e.name}</h2>
          <h3>Scores</h3>
          <div className="big-scores">
            {Object.values(s.scores ?? {}).map((x) => (
              <div key={x.name} className="big">
                <div className="big-value">{fmtScore(x.score)}</div>
                <div className="big-label">{x.name}</div>
              </div>
            ))}
          </div>
          <h3>Metrics</h3>
          <div className="big-metrics">
            {Object.values(s.metrics ?? {}).map((x) => (
              <div key={x.name} className="big small">
                <div className="big-value">{fmtMetric(x.name, x.metric)}</div>
                <div className="big-label">{METRIC_LABELS[x.name] ?? x.name}</div>
              </div>
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}

// Summary table: scores and metrics as rows, experiments as columns; downloadable as PDF.
export function SummaryTableLayout({ experiment, query }: { experiment: Experiment; query: TableFilters }) {
  const sums = useSummaries(experiment, query);
  const scoreNames = [...new Set(sums.flatMap(([, s]) => Object.keys(s.scores ?? {})))].sort();
  const metricNames = [...new Set(sums.flatMap(([, s]) => Object.keys(s.metrics ?? {})))];
  const body: string[][] = [
    ...scoreNames.map((n) => [n, ...sums.map(([, s]) => fmtScore(s.scores?.[n]?.score))]),
    ...metricNames.map((n) => [METRIC_LABELS[n] ?? n, ...sums.map(([, s]) => fmtMetric(n, s.metrics?.[n]?.metric))]),
  ];
  const head = ["Measure", ...sums.map(([e]) => e.name)];
  function pdf() {
    const doc = new jsPDF();
    doc.text(`Summary: ${sums.map(([e]) => e.name).join(" vs ")}`, 14, 16);
    autoTable(doc, { head: [head], body, startY: 22 });
    doc.save(`${experiment.name}-summary.pdf`);
  }
  return (
    <div className="summary-table-layout">
      <div className="toolbar"><Button icon={<FileDown />} onClick={pdf} disabled={!sums.length}>Download PDF</Button></div>
      <div className="table-card">
      <table className="list" aria-label="Summary table">
        <thead><tr>{head.map((h) => <th key={h}>{h}</th>)}</tr></thead>
        <tbody>
          {body.map((r) => <tr key={r[0]}>{r.map((c, i) => i === 0 ? <th key={i} scope="row">{c}</th> : <td key={i} className="num">{c}</td>)}</tr>)}
        </tbody>
      </table>
      </div>
    </div>
  );
}

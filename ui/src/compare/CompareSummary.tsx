// Summary and Summary table layouts of a comparison: every compared experiment, the base first, each
// other one with its change against the base and the paired test; score distributions overlaid.
import { useEffect, useState } from "react";
import { jsPDF } from "jspdf";
import autoTable from "jspdf-autotable";
import { FileDown } from "lucide-react";
import { METRIC_LABELS } from "../components/columns";
import { Button, ErrorMessage, SkeletonRows } from "../ui";
import { fetchHistograms, fetchSummary, summaryKey, type Comparison, type ComparisonFilters, type ComparisonHistograms, type ComparisonSummary, type MeasureComparison } from "./api";
import { expColor } from "./colors";
import { direction, fmtChange, fmtPaired, fmtValue, significant, type Kind } from "./format";
import { Histogram } from "./Histogram";

export function useComparisonSummary(c: Comparison | null, query: ComparisonFilters) {
  const [summary, setSummary] = useState<ComparisonSummary | null>(null);
  const [error, setError] = useState("");
  const key = summaryKey(c, query);
  useEffect(() => {
    if (!c) return setSummary(null);
    let live = true;
    setSummary(null);
    setError("");
    fetchSummary(c, query).then((s) => live && setSummary(s)).catch((e) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [key]);
  return { summary, error };
}

export function useHistograms(c: Comparison | null, query: ComparisonFilters, enabled = true) {
  const [histograms, setHistograms] = useState<ComparisonHistograms | null>(null);
  const key = summaryKey(c, query);
  useEffect(() => {
    if (!c || !enabled) return;
    let live = true;
    fetchHistograms(c, query).then((h) => live && setHistograms(h)).catch(() => live && setHistograms(null));
    return () => {
      live = false;
    };
  }, [key, enabled]);
  return histograms;
}

function label(kind: Kind, name: string) {
  return kind === "metric" ? METRIC_LABELS[name] ?? name : name;
}

function MeasureCard({ m, summary, histograms }: { m: MeasureComparison; summary: ComparisonSummary; histograms: ComparisonHistograms | null }) {
  const kind = m.kind as Kind;
  const hist = kind === "score" ? histograms?.scores.find((h) => h.name === m.name) : undefined;
  return (
    <section className="card summary-card cmp-card" aria-label={`${label(kind, m.name)} across experiments`}>
      <h3>{label(kind, m.name)}</h3>
      <div className="cmp-big">
        {m.experiments.map((e, i) => (
          <div key={e.experiment_id} className="big" data-experiment={summary.experiments[i].name}>
            <div className="big-value"><span className="dot" style={{ background: expColor(i) }} aria-hidden />{fmtValue(kind, m.name, e.value)}</div>
            <div className="big-label">{summary.experiments[i].name}</div>
            {i > 0 && (
              <div className={`chg ${direction(kind, e.diff)}`}>
                {fmtChange(kind, m.name, e.diff)} <span className="counts"><span className="up" title="improvements">▲{e.improvements}</span> <span className="down" title="regressions">▼{e.regressions}</span></span>
              </div>
            )}
            {i > 0 && <div className={`ci ${significant(e.paired) ? "sig" : ""}`}>{fmtPaired(kind, m.name, e.paired)}</div>}
          </div>
        ))}
      </div>
      {hist && <Histogram histogram={hist} experiments={summary.experiments} width={320} />}
    </section>
  );
}

export function CompareSummaryLayout({ comparison, query }: { comparison: Comparison; query: ComparisonFilters }) {
  const { summary, error } = useComparisonSummary(comparison, query);
  const histograms = useHistograms(comparison, query);
  if (error) return <ErrorMessage>{error}</ErrorMessage>;
  if (!summary) return <div className="card summary-card"><SkeletonRows rows={3} label="Loading the summary" /></div>;
  return (
    <div className="cmp-summary" aria-label="Summary layout">
      <div className="summary-layout">
        {[...summary.scores, ...summary.metrics].map((m) => (
          <MeasureCard key={`${m.kind}:${m.name}`} m={m} summary={summary} histograms={histograms} />
        ))}
      </div>
    </div>
  );
}

// The PDF's built-in fonts cover Latin-1 only: spell signs and arrows plainly there.
const PDF_TEXT: Record<string, string> = { "\u2013": "-", "▲": "up ", "▼": "down ", "…": "..." };

function pdfSafe(text: string): string {
  return text.replace(/[\u2013▲▼…]/g, (ch) => PDF_TEXT[ch] ?? ch);
}

function cellLines(m: MeasureComparison, i: number): string[] {
  const kind = m.kind as Kind;
  const e = m.experiments[i];
  const lines = [fmtValue(kind, m.name, e.value)];
  if (i > 0) {
    lines.push(`${fmtChange(kind, m.name, e.diff)}  ▲${e.improvements} ▼${e.regressions}`);
    lines.push(fmtPaired(kind, m.name, e.paired));
  }
  return lines;
}

export function CompareSummaryTableLayout({ comparison, query, title }: { comparison: Comparison; query: ComparisonFilters; title: string }) {
  const { summary, error } = useComparisonSummary(comparison, query);
  if (error) return <ErrorMessage>{error}</ErrorMessage>;
  if (!summary) return <SkeletonRows rows={4} label="Loading the summary" />;
  const measures = [...summary.scores, ...summary.metrics];
  const head = ["Measure", ...summary.experiments.map((e, i) => (i === 0 ? `${e.name} (base)` : e.name))];
  function pdf() {
    const doc = new jsPDF({ orientation: summary!.experiments.length > 3 ? "landscape" : "portrait" });
    doc.text(`${title}: ${summary!.experiments.map((e) => e.name).join(" vs ")}`, 14, 16);
    const body = measures.map((m) => [label(m.kind as Kind, m.name), ...m.experiments.map((_, i) => pdfSafe(cellLines(m, i).join("\n")))]);
    autoTable(doc, { head: [head.map(pdfSafe)], body, startY: 22, styles: { fontSize: 8 } });
    doc.text("Change: against the base. CI: 95% paired t-test of the mean change over matched test cases.", 14, doc.internal.pageSize.getHeight() - 10);
    doc.save(`${title}-comparison.pdf`);
  }
  return (
    <div className="summary-table-layout">
      <div className="toolbar">
        <Button icon={<FileDown />} onClick={pdf}>Download PDF</Button>
        <span className="muted">Test cases matched by <code>{summary.comparison_key}</code>; CI: 95% paired t-test of the mean change.</span>
      </div>
      <div className="table-card">
        <table className="list cmp-summary-table" aria-label="Summary table">
          <thead>
            <tr>{head.map((h, i) => <th key={h}>{i > 0 && <span className="dot" style={{ background: expColor(i - 1) }} aria-hidden />}{h}</th>)}</tr>
          </thead>
          <tbody>
            {measures.map((m) => (
              <tr key={`${m.kind}:${m.name}`} data-measure={m.name}>
                <th scope="row">{label(m.kind as Kind, m.name)}</th>
                {m.experiments.map((e, i) => (
                  <td key={e.experiment_id} className="num">
                    <div>{fmtValue(m.kind as Kind, m.name, e.value)}</div>
                    {i > 0 && <div className={`chg ${direction(m.kind as Kind, e.diff)}`}>{fmtChange(m.kind as Kind, m.name, e.diff)} <span className="counts"><span className="up">▲{e.improvements}</span> <span className="down">▼{e.regressions}</span></span></div>}
                    {i > 0 && <div className={`ci ${significant(e.paired) ? "sig" : ""}`}>{fmtPaired(m.kind as Kind, m.name, e.paired)}</div>}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

// One answer per analysis: the figures in words, then the evidence (trace links, table filters).
import { Filter } from "lucide-react";
import { Button, EmptyState } from "../ui";
import { fmtDiff, fmtScore } from "../components/format";
import type { Schemas } from "../api/client";
import type { AgreementReport, ChangesReport, ErrorReport, SliceReport } from "./api";
import { ScoreExamples, TraceLink } from "./Evidence";

const pct = (v: number) => `${(v * 100).toFixed(1)} pts`;

export function ChangesAnswer({ report }: { report: ChangesReport }) {
  if (!report.base)
    return <EmptyState title="Nothing to compare with">This is the project's first experiment: run another one, or pick a comparison with “Compare to”.</EmptyState>;
  const scores = report.scores ?? [];
  if (!scores.length) return <p>Neither experiment has scores.</p>;
  return (
    <>
      <p>Compared with <strong>{report.base.name}</strong>, per score (matched test cases):</p>
      <ul className="answer-list">
        {scores.map((s) => (
          <li key={s.name}>
            <div className="answer-line">
              <strong>{s.name}</strong>{" "}
              {s.base_mean !== null && s.base_mean !== undefined ? `${fmtScore(s.base_mean)} → ` : ""}{fmtScore(s.mean)}
              {s.diff !== null && s.diff !== undefined && <span className={s.diff > 0 ? "up" : s.diff < 0 ? "down" : "subtle"}> ({fmtDiff(s.diff)})</span>}
              <span className="up"> ▲{s.improvements} improved</span>
              <span className="down"> ▼{s.regressions} regressed</span>
            </div>
            {s.paired && <PairedLine paired={s.paired} />}
            <ScoreExamples items={s.improved ?? []} label="Most improved" />
            <ScoreExamples items={s.regressed ?? []} label="Most regressed" />
          </li>
        ))}
      </ul>
    </>
  );
}

// The paired t-test of one score: is the change more than noise over the matched test cases?
function PairedLine({ paired }: { paired: Schemas["PairedStatistics"] }) {
  const level = Math.round(paired.confidence * 100);
  if (paired.mean_diff == null || paired.p_value == null || paired.ci_low == null || paired.ci_high == null)
    return <div className="subtle paired-line">Paired test: n = {paired.n} matched test case{paired.n === 1 ? "" : "s"}, too few for an interval.</div>;
  const real = paired.p_value < 1 - paired.confidence;
  return (
    <div className="subtle paired-line" data-significant={real}>
      Paired t-test: mean difference {pct(paired.mean_diff)} ({level}% CI {pct(paired.ci_low)} to {pct(paired.ci_high)}),
      p = {paired.p_value.toPrecision(2)}, n = {paired.n} — {real ? "a real change" : "within noise"} at the {100 - level}% level
    </div>
  );
}

export function SlicesAnswer({ report, onFilter }: { report: SliceReport; onFilter: (filter: string) => void }) {
  const level = `α = ${report.alpha}, Holm-adjusted over ${report.tested} slices tested`;
  const slices = report.slices ?? [];
  const skipped = report.skipped ?? [];
  if (!report.scores.length) return <p>This experiment has no scores to analyse.</p>;
  if (!slices.length)
    return (
      <p>
        No metadata value or pair of values scores significantly below the rest ({level}).
        {skipped.length > 0 && ` Skipped: ${skipped.map((s) => `metadata.${s.key} (${s.reason})`).join(", ")}.`}
      </p>
    );
  return (
    <>
      <p>{slices.length} slice{slices.length > 1 ? "s" : ""} score significantly below the rest ({level}), worst first:</p>
      <ol className="answer-list">
        {slices.map((s, i) => (
          <li key={i}>
            <div className="answer-line">
              <code>{s.values.map((v) => `${v.key} = ${JSON.stringify(v.value)}`).join(" and ")}</code>{" "}
              <strong>{s.score}</strong> {fmtScore(s.mean)} vs {fmtScore(s.rest_mean)} for the rest:{" "}
              <span className="down">{pct(s.diff)}</span>{" "}
              <span className="subtle">
                ({Math.round(report.confidence * 100)}% CI {pct(s.ci_low)} to {pct(s.ci_high)}; n = {s.n}; d = {s.effect_size.toFixed(2)}; p = {s.p_adjusted.toPrecision(2)})
              </span>
            </div>
            <div className="row">
              <Button size="sm" variant="ghost" icon={<Filter />} onClick={() => onFilter(s.filter)}>Show these {s.n} rows</Button>
            </div>
            <ScoreExamples items={s.examples ?? []} label="Lowest scores" />
          </li>
        ))}
      </ol>
    </>
  );
}

export function ErrorsAnswer({ report }: { report: ErrorReport }) {
  if (!report.categories.length) return <p>No span of this experiment has an error.</p>;
  return (
    <>
      <p>
        {report.errors} error span{report.errors > 1 ? "s" : ""}{report.truncated ? " (more not read)" : ""}: {report.task_errors} in the task, {report.scorer_errors} in scorers,
        in {report.categories.length} categor{report.categories.length > 1 ? "ies" : "y"}:
      </p>
      <ul className="answer-list">
        {report.categories.map((c, i) => (
          <li key={i}>
            <div className="answer-line">
              <strong>{c.count}×</strong> <span className="badge">{c.source === "scorer" ? `scorer ${c.scorer}` : "task"}</span>{" "}
              <code>{c.pattern}</code> <span className="subtle">in {c.traces} trace{c.traces > 1 ? "s" : ""}</span>
            </div>
            <div className="evidence">
              <span className="subtle">Examples:</span>
              {(c.examples ?? []).map((e) => <TraceLink key={e.id} rootSpanId={e.root_span_id} />)}
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}

export function AgreementAnswer({ report }: { report: AgreementReport }) {
  if (report.scores.length < 2) return <p>Agreement needs at least two scores; this experiment has {report.scores.length}.</p>;
  const num = (v: number | null | undefined) => (v === null || v === undefined ? "–" : v.toFixed(2));
  return (
    <>
      <p>Pairs of scores, least agreeing first (pass = score ≥ {report.threshold}):</p>
      <ul className="answer-list">
        {(report.pairs ?? []).map((p) => (
          <li key={`${p.a}|${p.b}`}>
            <div className="answer-line">
              <strong>{p.a}</strong> vs <strong>{p.b}</strong>:{" "}
              {p.n ? <>correlation {num(p.pearson)}, agree on pass/fail {p.agreement !== null && p.agreement !== undefined ? `${(p.agreement * 100).toFixed(0)}%` : "–"}, κ {num(p.kappa)} <span className="subtle">(n = {p.n})</span></> : <span className="subtle">never on the same trace</span>}
            </div>
            <ScoreExamples items={(p.examples ?? []).map((e) => ({ ...e, score: undefined }))} label="Differ most" />
          </li>
        ))}
      </ul>
    </>
  );
}

import { useEffect, useState } from "react";
import { api, type Condition, type Experiment, type GroupItem, type PageQuery, type Summary } from "../api/client";
import { ChevronDown, ChevronRight } from "lucide-react";
import { DataTable } from "./DataTable";
import { ErrorMessage, SkeletonRows } from "../ui";
import { fmtDiff, fmtMetric, fmtScore } from "./format";
import { METRIC_LABELS, quotePart, type ColumnSpec } from "./columns";
import type { SortKey } from "../state/url";

type Query = Omit<PageQuery, "offset" | "limit" | "with_total">;

const REGRESSION_COLUMN = "change vs comparison";

// Group rows by a field: each group shows its count and score/metric averages (computed by the server),
// optionally the comparison experiment's averages, and expands to its own paged rows.
export function GroupedTable(props: {
  experiment: Experiment;
  comparison: Experiment | null;
  includeComparison: boolean;
  groupBy: string;
  query: Query;
  columns: ColumnSpec[];
  pinned: string[];
  sort: SortKey[];
  onSort: (s: SortKey[]) => void;
  summary: Summary | null;
  rowHeight: "compact" | "tall";
  regressionScore: string;
}) {
  const { experiment, comparison, includeComparison, groupBy, query } = props;
  const [groups, setGroups] = useState<GroupItem[] | null>(null);
  const [error, setError] = useState("");
  const [open, setOpen] = useState<string[]>([]);
  useEffect(() => {
    let live = true;
    setGroups(null);
    api<{ groups: GroupItem[] }>(`/v1/experiment/${experiment.id}/table/groups`, {
      method: "POST",
      json: { ...query, group_by: groupBy, comparison_experiment_id: includeComparison && comparison ? comparison.id : null },
    })
      .then((r) => live && setGroups(r.groups))
      .catch((e) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [experiment.id, comparison?.id, includeComparison, groupBy, JSON.stringify(query)]);
  const scoreNames = groups?.length ? Object.keys(groups[0].scores) : [];
  const metricNames = groups?.length ? Object.keys(groups[0].metrics).filter((m) => groups.some((g) => g.metrics[m] !== null)) : [];
  const withComparison = includeComparison && !!comparison;
  // Order rows by regressions of a score: each row's change against the same test case in the
  // comparison experiment (the server matches test cases), largest drop first.
  const score = props.regressionScore;
  const path = quotePart(score);
  const byRegression = !!score && !!comparison;
  const rowSort: SortKey[] = byRegression
    ? [{ column: REGRESSION_COLUMN, desc: false, nulls_last: true }]
    : score
      ? [{ column: `scores.${path}`, desc: false, nulls_last: false }]
      : props.sort;
  const rowQuery: Query = byRegression
    ? {
        ...query,
        compare_to: comparison!.id,
        custom_columns: [
          ...(query.custom_columns ?? []),
          { name: REGRESSION_COLUMN, expr: `scores.${path} - comparison_scores.${path}` },
        ],
      }
    : query;
  return (
    <div className="grouped">
      <ErrorMessage>{error}</ErrorMessage>
      <div className="table-card">
      <table className="list groups" aria-label="Groups">
        <thead>
          <tr>
            <th>{groupBy}</th>
            <th className="num">Rows</th>
            {scoreNames.map((s) => <th key={s} className="num">{s}</th>)}
            {metricNames.map((m) => <th key={m} className="num">{METRIC_LABELS[m] ?? m}</th>)}
          </tr>
        </thead>
        <tbody>
          {groups?.map((g) => {
            const key = JSON.stringify(g.group);
            const isOpen = open.includes(key);
            const filter: Condition = g.group === null ? { column: groupBy, op: "is null" } : { column: groupBy, op: "=", value: g.group };
            return [
              <tr key={key} className="group-row" data-group={String(g.group)}>
                <th scope="row">
                  <button aria-expanded={isOpen} onClick={() => setOpen(isOpen ? open.filter((o) => o !== key) : [...open, key])}>
                    {isOpen ? <ChevronDown aria-hidden /> : <ChevronRight aria-hidden />}
                    {g.group === null ? "(none)" : String(g.group)}
                  </button>
                </th>
                <td className="num">{g.count}</td>
                {scoreNames.map((s) => (
                  <td key={s} className="num" data-score={s}>
                    <span className="group-avg">{fmtScore(g.scores[s])}</span>
                    {withComparison && g.comparison?.scores[s] != null && (
                      <span className="group-compare">
                        {" "}{comparison!.name}: {fmtScore(g.comparison?.scores[s])}
                        {g.comparison?.scores[s] != null && g.scores[s] != null && (
                          <span className={(g.scores[s]! - g.comparison.scores[s]!) >= 0 ? "up" : "down"}> {fmtDiff(g.scores[s]! - g.comparison.scores[s]!)}</span>
                        )}
                      </span>
                    )}
                  </td>
                ))}
                {metricNames.map((m) => (
                  <td key={m} className="num">
                    {fmtMetric(m, g.metrics[m])}
                    {withComparison && g.comparison?.metrics[m] != null && <span className="group-compare"> {comparison!.name}: {fmtMetric(m, g.comparison.metrics[m])}</span>}
                  </td>
                ))}
              </tr>,
              isOpen && (
                <tr key={key + "-rows"} className="group-rows">
                  <td colSpan={2 + scoreNames.length + metricNames.length}>
                    <DataTable experimentId={experiment.id} query={{ ...rowQuery, filters: [...(query.filters ?? []), filter], sort: rowSort }}
                      columns={props.columns} pinned={props.pinned} sort={rowSort} onSort={props.onSort}
                      summary={props.summary} showComparison={!!comparison} rowHeight={props.rowHeight}
                      height={320} label={`Rows of ${String(g.group)}`} />
                  </td>
                </tr>
              ),
            ];
          })}
        </tbody>
      </table>
      </div>
      {!groups && !error && <div className="table-card"><SkeletonRows rows={4} label="Loading groups" /></div>}
    </div>
  );
}

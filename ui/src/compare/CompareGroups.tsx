// Groups of a comparison: per group value, every compared experiment's count and score means, and
// for the others their improvements and regressions against the base within the group.
import { useEffect, useState } from "react";
import { api } from "../api/client";
import { ErrorMessage, SkeletonRows } from "../ui";
import { cellText } from "../components/format";
import { compareBody, type ChangeFilter, type CompareGroups, type Comparison } from "./api";
import { expColor } from "./colors";
import { fmtValue } from "./format";

export function CompareGroupsTable({ comparison, query, groupBy, change }: {
  comparison: Comparison; query: object; groupBy: string; change: ChangeFilter | null;
}) {
  const [groups, setGroups] = useState<CompareGroups | null>(null);
  const [error, setError] = useState("");
  const key = JSON.stringify([comparison.ids, comparison.table, query, groupBy]);
  useEffect(() => {
    let live = true;
    setGroups(null);
    api<CompareGroups>(`/v1/experiment/${comparison.table}/compare/groups`, {
      method: "POST",
      json: { ...compareBody(comparison, query, change), group_by: groupBy },
    })
      .then((g) => live && setGroups(g))
      .catch((e) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [key]);
  if (error) return <ErrorMessage>{error}</ErrorMessage>;
  if (!groups) return <SkeletonRows rows={5} label="Loading the groups" />;
  const scores = groups.groups.length ? Object.keys(groups.groups[0].experiments[0].scores) : [];
  return (
    <div className="table-card">
      <table className="list groups cmp-groups" aria-label="Groups">
        <thead>
          <tr>
            <th>{groupBy}</th>
            <th>Experiment</th>
            <th className="num">Traces</th>
            {scores.map((s) => <th key={s} className="num">{s}</th>)}
          </tr>
        </thead>
        <tbody>
          {groups.groups.map((g) =>
            g.experiments.map((e, i) => (
              <tr key={`${cellText(g.group)}:${e.experiment_id}`} className={i === 0 ? "group-first" : ""} data-group={cellText(g.group)}
                data-experiment={groups.experiments[i].name}>
                {i === 0 && <th scope="rowgroup" rowSpan={g.experiments.length}>{g.group === null ? <span className="subtle">(none)</span> : cellText(g.group)}</th>}
                <td><span className="dot" style={{ background: expColor(i) }} aria-hidden />{groups.experiments[i].name}{i === 0 ? " (base)" : ""}</td>
                <td className="num">{e.count}</td>
                {scores.map((s) => (
                  <td key={s} className="num">
                    {fmtValue("score", s, e.scores[s])}
                    {i > 0 && (
                      <span className="counts" aria-label={`${e.improvements[s] ?? 0} improvements, ${e.regressions[s] ?? 0} regressions`}>
                        {" "}<span className="up">▲{e.improvements[s] ?? 0}</span> <span className="down">▼{e.regressions[s] ?? 0}</span>
                      </span>
                    )}
                  </td>
                ))}
              </tr>
            )),
          )}
        </tbody>
      </table>
    </div>
  );
}

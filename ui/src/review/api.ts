// Human review through the server's routes: the project's review scores (`/v1/project_score` of
// the human types), a row's review (`/v1/{experiment|project_logs}/{id}/review`), and assignment
// (the reference's merge insert on `metadata["~__bt_assignments"]`). See docs/review.md.
import { api, q, type Schemas } from "../api/client";

export type ProjectScore = Schemas["ProjectScore"];
export type ReviewState = Schemas["ReviewState"];
export type ReviewInput = Schemas["ReviewInput"];
export type RowsType = "experiment" | "project_logs";

export const HUMAN_TYPES = ["slider", "categorical", "free-form"] as const;
export const isHuman = (s: ProjectScore) => (HUMAN_TYPES as readonly string[]).includes(s.score_type);

const byProject = new Map<string, Promise<ProjectScore[]>>();

// The project's review scores, oldest first (the order the panel shows them).
export function reviewScores(projectId: string, fresh = false): Promise<ProjectScore[]> {
  let p = fresh ? undefined : byProject.get(projectId);
  if (!p) {
    p = api<{ objects: ProjectScore[] }>(`/v1/project_score?project_id=${q(projectId)}`).then((r) =>
      r.objects.filter(isHuman).reverse(),
    );
    p.catch(() => byProject.delete(projectId));
    byProject.set(projectId, p);
  }
  return p;
}

export function forgetReviewScores(projectId: string) {
  byProject.delete(projectId);
}

const base = (t: RowsType, id: string) => `/v1/${t}/${encodeURIComponent(id)}/review`;

export function fetchReview(t: RowsType, objectId: string, rowId: string): Promise<ReviewState> {
  return api<ReviewState>(`${base(t, objectId)}?id=${q(rowId)}`);
}

export function postReview(t: RowsType, objectId: string, body: ReviewInput): Promise<ReviewState> {
  return api<ReviewState>(base(t, objectId), { method: "POST", json: body });
}

const ASSIGNMENTS = "~__bt_assignments";
const LISTS = "~__bt_review_lists";

// Assign rows to a member: each row's assignees become its current ones plus `userId` (read first,
// so nobody else is dropped), status PENDING unless the review is already past it.
export async function assignRows(t: RowsType, objectId: string, rowIds: string[], userId: string): Promise<void> {
  const states = await Promise.all(rowIds.map((id) => fetchReview(t, objectId, id)));
  const events = states.map((s) => ({
    id: s.row_id,
    _is_merge: true,
    _merge_paths: [["metadata", LISTS], ["metadata", ASSIGNMENTS]],
    metadata: {
      [LISTS]: { __bt_default_review_list: { status: s.status && s.status !== "PENDING" ? s.status : "PENDING" } },
      [ASSIGNMENTS]: [...new Set([...s.assignments, userId])],
    },
  }));
  await api(`/v1/${t}/${encodeURIComponent(objectId)}/insert`, { method: "POST", json: { events } });
}

export interface Member {
  id: string;
  email: string;
  name: string;
  pending: boolean;
}

export function members(): Promise<Member[]> {
  return api<{ objects: Member[] }>("/v1/organization/members").then((r) => r.objects);
}

export const pct = (v: number) => `${Math.round(v * 1000) / 10}%`;

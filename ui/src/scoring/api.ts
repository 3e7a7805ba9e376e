// The scoring routes the Score dialog calls (the same ones `assay score` uses), typed from the schema.
import { api, q, type Schemas } from "../api/client";

export type Job = Schemas["JobOut"];
export type Builtin = Schemas["BuiltinScorer"];
export type ScoreFunction = Schemas["Function"];
export type ScorerRef = Schemas["ScorerRef"];
export type TableFilter = Schemas["TableQuery"];

export const scoring = {
  builtins: () => api<Builtin[]>("/v1/function_builtin"),
  functions: (projectId: string) =>
    api<{ objects: ScoreFunction[] }>(`/v1/function?project_id=${q(projectId)}`).then((r) => r.objects),
  start: (objectId: string, scorers: ScorerRef[], target: { row_ids: string[] } | { filter: TableFilter }) =>
    api<Job>("/v1/job", { method: "POST", json: { kind: "score", object_id: objectId, scorers, ...target } }),
  get: (id: string) => api<Job>(`/v1/job/${encodeURIComponent(id)}`),
  cancel: (id: string) => api<Job>(`/v1/job/${encodeURIComponent(id)}/cancel`, { method: "POST" }),
};

export const FINISHED = ["done", "cancelled", "failed"];

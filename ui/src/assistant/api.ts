// The analysis routes the panel calls (the same ones `assay analyze` uses), typed from the schema.
import { api, type Schemas } from "../api/client";

export type ChangesReport = Schemas["ChangesReport"];
export type SliceReport = Schemas["SliceReport"];
export type ErrorReport = Schemas["ErrorReport"];
export type AgreementReport = Schemas["AgreementReport"];
export type DatasetResult = Schemas["DatasetFromRowsResult"];
export type GeneratedCode = Schemas["GeneratedCode"];

const base = (id: string) => `/v1/experiment/${encodeURIComponent(id)}/analysis`;

export const analyses = {
  changes: (id: string, baseId?: string) =>
    api<ChangesReport>(`${base(id)}/changes`, { method: "POST", json: { base_experiment_id: baseId || null } }),
  slices: (id: string) => api<SliceReport>(`${base(id)}/slices`, { method: "POST", json: {} }),
  errors: (id: string) => api<ErrorReport>(`${base(id)}/errors`, { method: "POST", json: {} }),
  agreement: (id: string) => api<AgreementReport>(`${base(id)}/agreement`, { method: "POST", json: {} }),
  dataset: (id: string, filters: string[], name: string, dryRun: boolean) =>
    api<DatasetResult>(`${base(id)}/dataset`, {
      method: "POST",
      json: { selection: { filters }, dataset_name: name, dry_run: dryRun },
    }),
  code: (id: string, dataset: string) =>
    api<GeneratedCode>(`${base(id)}/code`, { method: "POST", json: { dataset_name: dataset } }),
};

export type ChatAnswer = Schemas["ChatAnswer"];
export type ChatMessage = Schemas["ChatMessage"];

export const chat = {
  status: () => api<Schemas["LLMSettings"]>("/v1/llm"),
  send: (experimentId: string, body: { conversation_id?: string | null; message?: string; confirm?: boolean }) =>
    api<ChatAnswer>(`/v1/experiment/${encodeURIComponent(experimentId)}/assistant/chat`, { method: "POST", json: body }),
};

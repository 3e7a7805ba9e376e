// Prompts and functions Assay does not keep: the SDK raises its ordinary "not found" error.
import { invoke, loadPrompt } from "braintrust";
import { emit } from "./lib.mjs";

const project = process.env.ASSAY_PROJECT;
for (const [name, call] of [
  ["loadPrompt", () => loadPrompt({ projectName: project, slug: "greeting" })],
  ["loadPromptById", () => loadPrompt({ id: "0f7b3c5e-0000-4000-8000-000000000000" })],
  ["invoke", () => invoke({ projectName: project, slug: "scorer", input: {} })],
]) {
  try {
    await call();
    emit(name, { raised: false });
  } catch (error) {
    emit(name, { raised: true, message: String(error?.message ?? error) });
  }
}

// Eval() twice with a comparison, open iteration, asDataset(), Eval over BaseExperiment,
// init(update: true), init({projectId}) and an Eval without a name: one Node process.
import { BaseExperiment, Eval, init, traced } from "braintrust";
import { Levenshtein } from "autoevals";
import { collect, emit } from "./lib.mjs";

const project = process.env.ASSAY_PROJECT;
const data = [
  { input: "Foo", expected: "Hi Foo", metadata: { category: "greet" } },
  { input: "Bar", expected: "Hello Bar", metadata: { category: "greet" } },
  { input: "Baz", expected: "Hi Baz", metadata: { category: "other" } },
];

async function greetA(input) {
  return traced(
    (span) => {
      const output = "Hi " + input;
      span.log({ input, output, metadata: { model: "gpt-4o-mini" },
        metrics: { prompt_tokens: 10, completion_tokens: 3, tokens: 13 } });
      return output;
    },
    { name: "llm", type: "llm" },
  );
}
const greetB = async (input) => ({ Foo: "Hi Foo", Bar: "Hello Bar", Baz: "Hey Baz" })[input];

const a = await Eval(project, { data: () => data, task: greetA, scores: [Levenshtein], experimentName: "run-a" });
emit("a", a.summary);
const b = await Eval(project, { data: () => data, task: greetB, scores: [Levenshtein], experimentName: "run-b" });
emit("b", b.summary);

const opened = init(project, { experiment: "run-a", open: true });
emit("open", await collect(opened.fetch()));
emit("asDataset", await collect(opened.asDataset()));

const c = await Eval(project, {
  data: BaseExperiment({ name: "run-a" }),
  task: async (input) => "Hi " + input,
  scores: [Levenshtein],
  experimentName: "from-base",
});
emit("fromBase", c.summary);

const again = init(project, { experiment: "run-a", update: true });
again.log({ input: "extra", output: "row", scores: { added: 1 } });
await again.flush();
emit("update", { id: await again.id, name: await again.name });

const byProjectId = init({ projectId: a.summary.projectId, experiment: "by-project-id" });
byProjectId.log({ input: "p", output: "q", scores: { ok: 1 } });
await byProjectId.flush();
emit("byProjectId", { id: await byProjectId.id, name: await byProjectId.name,
  project: (await byProjectId.project).name });

const unnamed = await Eval(project, { data: () => data.slice(0, 1), task: greetB, scores: [Levenshtein] });
emit("unnamed", unnamed.summary);

// Manual init + log + traced + logFeedback + updateSpan + summarize(), initLogger + traced +
// flush(), and values that must read back exactly: one Node process.
import { init, initLogger } from "braintrust";
import { emit } from "./lib.mjs";

const project = process.env.ASSAY_PROJECT;
const exact = {
  unicode: "héllo wörld — 日本語 🎉 \u0000 \ud7ff",
  big: 9007199254740991,
  negative: -9007199254740991,
  float: 0.1 + 0.2,
  tiny: 5e-324,
  nested: { list: [1, 2.5, "x", null, true, { deep: ["y"] }] },
};
const large = "x".repeat(1024 * 1024);

const exp = init(project, { experiment: "manual" });
const logged = exp.log({ input: { q: "question", exact }, output: large, expected: "answer",
  scores: { accuracy: 0.5 }, metadata: { source: "manual" }, tags: ["t1"] });
let tracedId;
await exp.traced(async (span) => {
  tracedId = span.id;
  span.log({ input: "outer", output: "outer-out", scores: { outer: 1 } });
  await span.traced(async (child) => {
    child.log({ input: "inner", output: "inner-out", metrics: { prompt_tokens: 7, completion_tokens: 2 } });
  }, { name: "inner", type: "llm" });
}, { name: "outer" });
exp.logFeedback({ id: logged, scores: { human: 0.75 }, comment: "looks right", metadata: { by: "reviewer" } });
exp.updateSpan({ id: tracedId, output: "outer-updated", metadata: { updated: true } });
const summary = await exp.summarize();
emit("manual", { logged, traced: tracedId, summary });

const logger = initLogger({ projectName: project });
const logId = logger.traced((span) => {
  span.log({ input: "hi", output: "there", metadata: { via: "initLogger" } });
  return span.id;
}, { name: "request" });
logger.logFeedback({ id: logId, scores: { thumbs: 1 }, comment: "👍" });
await logger.flush();
emit("logger", { id: logId, project: (await logger.project).id });

// Run by `npx braintrust eval greeting.eval.ts`: the bundled CLI compiles TypeScript with esbuild.
import { Eval } from "braintrust";
import { Levenshtein } from "autoevals";

interface Case { input: string; expected: string }
const cases: Case[] = [
  { input: "Ada", expected: "Hi Ada" },
  { input: "Grace", expected: "Hello Grace" },
];

Eval(process.env.ASSAY_PROJECT ?? "ts-cli", {
  data: () => cases,
  task: async (input: string): Promise<string> => `Hi ${input}`,
  scores: [Levenshtein],
  experimentName: "cli-run",
});

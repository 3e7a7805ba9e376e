// The questions the assistant answers without an LLM, and how a typed question finds one: by its
// words, deterministically (no model guesses). A question that matches none gets the list.
export type Kind = "changes" | "slices" | "errors" | "agreement" | "dataset";

export const QUESTIONS: readonly { kind: Kind; text: string }[] = [
  { kind: "changes", text: "What improved from the last experiment?" },
  { kind: "slices", text: "What patterns do you see in the low-scoring cases?" },
  { kind: "errors", text: "What kinds of errors happened?" },
  { kind: "agreement", text: "Which scorers disagree with each other?" },
  { kind: "dataset", text: "Create a dataset from the rows where the model failed" },
];

// Checked in order: a dataset request mentions failures, so it goes before the others.
const RULES: readonly [Kind, RegExp][] = [
  ["dataset", /\bdatasets?\b/i],
  ["changes", /improv|regress|better|worse|chang|last experiment|previous|baseline|\bbase\b/i],
  ["agreement", /agree|best scorers?|scorers?\b|judges?\b|human review/i],
  ["errors", /errors?\b|exceptions?|crash|traceback|timeouts?|failures? of/i],
  ["slices", /pattern|low[- ]?scor|slices?\b|underperform|worst|weak|segment|metadata|where .*(fail|low)|fail/i],
];

export function match(text: string): Kind | null {
  for (const [kind, re] of RULES) if (re.test(text)) return kind;
  return null;
}

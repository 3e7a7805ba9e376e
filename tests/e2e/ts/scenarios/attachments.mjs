// Log attachments (from a file path and from memory) through the TypeScript SDK, then read the
// attachments of ASSAY_READ (experiment names, comma-separated) back, bytes as base64.
import { readFileSync } from "node:fs";
import { Attachment, Eval, init } from "braintrust";
import { emit } from "./lib.mjs";

const project = process.env.ASSAY_PROJECT;
if (process.env.ASSAY_WRITE) {
  const exp = init(project, { experiment: process.env.ASSAY_WRITE });
  exp.log({
    input: {
      question: "what is in the picture?",
      image: new Attachment({ data: process.env.ASSAY_IMAGE, filename: "photo.jpg", contentType: "image/jpeg" }),
    },
    output: {
      page: new Attachment({ data: readFileSync(process.env.ASSAY_PAGE), filename: "page.html", contentType: "text/html" }),
    },
    scores: { ok: 1 },
  });
  await exp.flush();
  emit("written", await exp.id);
  // Inside Eval, the attachment in a test case's input is uploaded with the root span.
  await Eval(project, {
    data: () => [{ input: { image: new Attachment({ data: process.env.ASSAY_IMAGE, filename: "case.jpg",
      contentType: "image/jpeg" }) }, expected: "a photo" }],
    task: async () => "a photo",
    scores: [({ output, expected }) => ({ name: "same", score: output === expected ? 1 : 0 })],
    experimentName: `${process.env.ASSAY_WRITE}-eval`,
  });
}

async function attachmentsOf(value, path, out) {
  if (value && typeof value.data === "function" && value.reference) {
    const bytes = Buffer.from(await (await value.data()).arrayBuffer());
    out.push({ path, ...value.reference, bytes: bytes.toString("base64") });
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) await attachmentsOf(v, `${path}.${k}`, out);
  }
  return out;
}

for (const name of (process.env.ASSAY_READ ?? "").split(",").filter(Boolean)) {
  const out = [];
  for await (const row of init(project, { experiment: name, open: true }).fetch()) {
    await attachmentsOf({ input: row.input, output: row.output }, "", out);
  }
  emit(`read:${name}`, out);
}

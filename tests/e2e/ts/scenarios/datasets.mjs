// initDataset insert/update/delete/iterate/version()/summarize(), a read at an older version,
// Eval over initDataset, and initDataset({datasetId}): one Node process.
import { Eval, initDataset } from "braintrust";
import { Levenshtein } from "autoevals";
import { collect, emit } from "./lib.mjs";

const project = process.env.ASSAY_PROJECT;
const ds = initDataset(project, { dataset: "golden" });
for (const [id, input, expected] of [["a", "Foo", "Hi Foo"], ["b", "Bar", "Hello Bar"], ["c", "Baz", "Hi Baz"]]) {
  ds.insert({ id, input, expected, metadata: { n: id }, tags: ["seed"] });
}
await ds.flush();
const v1 = await ds.version();
ds.update({ id: "a", expected: "Hi Foo!", metadata: { n: "a", edited: true } });
ds.delete("c");
ds.insert({ id: "d", input: "Qux", expected: "Hi Qux" });
await ds.flush();
const v2 = await ds.version();
emit("versions", { v1, v2 });
emit("rows", await collect(ds.fetch()));
emit("summary", await ds.summarize());
emit("id", await ds.id);

const old = initDataset(project, { dataset: "golden", version: v1 });
emit("old", await collect(old.fetch()));
const pagedOld = initDataset(project, { dataset: "golden", version: v1 });
emit("oldPaged", await collect(pagedOld.fetch({ batchSize: 1 })));

const byId = initDataset({ datasetId: await ds.id });
emit("byId", { name: await byId.name, rows: await collect(byId.fetch()) });

const run = await Eval(project, {
  data: initDataset(project, { dataset: "golden" }),
  task: async (input) => "Hi " + input,
  scores: [Levenshtein],
  experimentName: "over-dataset",
});
emit("eval", run.summary);

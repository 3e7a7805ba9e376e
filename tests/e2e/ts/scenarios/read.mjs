// Read one experiment (ASSAY_EXPERIMENT) or dataset (ASSAY_DATASET) back through the TypeScript SDK.
import { init, initDataset } from "braintrust";
import { collect, emit } from "./lib.mjs";

const project = process.env.ASSAY_PROJECT;
if (process.env.ASSAY_EXPERIMENT) {
  const exp = init(project, { experiment: process.env.ASSAY_EXPERIMENT, open: true });
  emit("rows", await collect(exp.fetch()));
}
if (process.env.ASSAY_DATASET) {
  const ds = initDataset(project, { dataset: process.env.ASSAY_DATASET });
  emit("rows", await collect(ds.fetch()));
}

"""The analysis assistant's deterministic analyses: answers computed from the data, no LLM.

Each module answers one question about an experiment, with its evidence (row ids and the
filters that reproduce them in the table):

- `slices`: which metadata values, and pairs of values, score significantly below the rest;
- `error_groups`: what kinds of errors and scorer failures occurred, and how often;
- `agreement`: which scorers disagree with each other (or with human review scores);
- `changes`: what improved or regressed against a base experiment;
- `to_dataset`: a dataset made of chosen rows, through the ordinary insert path;
- `codegen`: an `Eval()` script (Python, TypeScript) that re-runs chosen rows as a dataset.

Every statement is a query tree run through `assay.services.queries.run_parsed`, over an
experiment the caller was allowed to read (`scope.Scope`), so analyses obey the same access
policy and query limits as `/btql`.
"""

"""Domain logic with no HTTP in it: ingest, catalog rules, summaries, access policy."""

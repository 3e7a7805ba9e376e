"""The `assay` command: one module per command."""

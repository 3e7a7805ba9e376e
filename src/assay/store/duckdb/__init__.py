"""The embedded DuckDB backend: one file, one writer thread, concurrent readers."""

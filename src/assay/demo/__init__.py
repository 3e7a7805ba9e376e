"""A bundled dataset and evaluation, used by `assay demo` and by the tests."""

"""One query language: the reference SQL dialect parsed, checked and compiled for a backend's dialect.

Everything that queries rows goes through here: `POST /btql`, `assay sql`, `assay sync`, the UI's
SQL filter, custom columns, and internal analyses. Nothing else writes backend SQL. This package
only compiles; it knows nothing of callers, services or connections::

    from assay.query import parse_query, source_refs, compile_query, QueryError

    parsed = parse_query("SELECT metadata.model, avg(scores.Factuality) AS f "
                         "FROM experiment('my-exp', shape => 'summary') GROUP BY 1")
    refs = source_refs(parsed.select)          # experiment('my-exp'), shape summary: unresolved
    source = ...                               # a service resolves refs for a caller (ids it may read)
    compiled = compile_query(parsed, source, store.dialect)
    compiled.statement, compiled.sql           # the tree, and its spelling for that dialect

A store runs it (`Store.execute(compiled, timeout=…, memory=…)`); `assay.services.queries.run_query`
does the whole path for a caller. Expressions on their own (the UI's filters and custom columns)
are parsed by `parse_expression`, which keeps positions within the text the user typed.

`QueryError` (a 400 `InvalidInput`) says what is wrong and where; `QueryTimeout` is a 408.
Dialect reference: docs/query.md.
"""

from __future__ import annotations

from assay.query.compile import DEFAULT_LIMIT, MAX_LIMIT, Compiled, compile_query
from assay.query.errors import QueryError, QueryTimeout, QueryTooLarge
from assay.query.expression import compile_column, compile_filter, parse_expression
from assay.query.parse import ParsedQuery, parse_query
from assay.query.sources import Source, SourceRefs, source_refs

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "Compiled",
    "ParsedQuery",
    "QueryError",
    "QueryTimeout",
    "QueryTooLarge",
    "Source",
    "SourceRefs",
    "compile_column",
    "compile_filter",
    "compile_query",
    "parse_expression",
    "parse_query",
    "source_refs",
]

"""One query layer: the reference SQL dialect parsed, checked and compiled for the store's backend.

Everything that queries rows goes through here: `POST /btql`, `assay sql`, `assay sync`, the UI's
SQL filter, custom columns, saved views and internal analyses. Nothing else writes backend SQL.

Usage (services and the web UI)::

    from assay.query import run_query, compile_filter, compile_column, QueryError

    # A whole query as a caller (SQL, pipe text or the SDK's JSON tree); access is checked.
    result = run_query(svc, who, "SELECT metadata.model, avg(scores.Factuality) AS f "
                                 "FROM experiment('<id>', shape => 'summary') GROUP BY 1")
    result.rows, result.schema, result.cursor   # rows as API values, JSON Schema, next page

    # The UI's SQL filter box and custom columns: validate one expression against a shape
    # ("spans", "traces" or "summary") before saving it; errors carry `.line` and `.column`.
    compile_filter("scores.Factuality < 0.5 AND metadata.split = 'test'", shape="summary")
    compile_column("metrics.completion_tokens / metrics.prompt_tokens", shape="spans")

    # To run a filter or column, put it into a query and call run_query, e.g.
    # f"SELECT id, {column} AS c FROM experiment('{id}', shape => 'summary') WHERE {filter}"
    # (ids are safe to interpolate only after they came from the catalog; the filter and
    # column text are re-parsed and re-checked by run_query, so nothing unchecked runs.)

`QueryError` (a 400 `InvalidInput`) says what is wrong and where; `QueryTimeout` is a 408.
Dialect reference: docs/query.md.
"""

from __future__ import annotations

from assay.query.compile import DEFAULT_LIMIT, MAX_LIMIT, Compiled, compile_query
from assay.query.errors import QueryError, QueryTimeout
from assay.query.expression import compile_column, compile_filter
from assay.query.parse import ParsedQuery, parse_query
from assay.query.run import QueryResult, run_query

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "Compiled",
    "ParsedQuery",
    "QueryError",
    "QueryResult",
    "QueryTimeout",
    "compile_column",
    "compile_filter",
    "compile_query",
    "parse_query",
    "run_query",
]

"""The pieces other parts call directly: filter/column checks, the pipe splitter, error positions."""

from __future__ import annotations

import pytest

from assay.query import QueryError, parse_expression, parse_query
from assay.query import compile_column as _column
from assay.query import compile_filter as _filter
from assay.store.duckdb.dialect import DIALECT


def compile_filter(text: str, shape: str = "spans") -> str:
    return DIALECT.render(_filter(parse_expression(text), shape, DIALECT))


def compile_column(text: str, shape: str = "spans", aggregate: bool = False) -> str:
    return DIALECT.render(_column(parse_expression(text), shape, DIALECT, aggregate=aggregate))


def test_filter_compiles_field_paths_by_type():
    sql = compile_filter(
        "scores.\"My Score\" > 0.5 AND metadata.a.b = 1 AND metadata.m = 'x' AND tags[0] = 't'"
    )
    assert "\"scores\"['My Score'] > 0.5" in sql
    assert 'TRY_CAST(JSON_EXTRACT_STRING("metadata", \'$."a"."b"\') AS DOUBLE) = 1' in sql
    assert "JSON_EXTRACT_STRING(\"metadata\", '$.\"m\"') = 'x'" in sql
    assert 'LIST_EXTRACT("tags", 1)' in sql


def test_filter_refuses_aggregates_and_columns_refuse_them_unless_asked():
    with pytest.raises(QueryError, match="aggregate"):
        compile_filter("count(*) > 1")
    with pytest.raises(QueryError, match="aggregate"):
        compile_column("avg(scores.x)")
    assert "AVG" in compile_column("avg(scores.x)", "summary", aggregate=True)


def test_summary_shape_fields():
    assert compile_filter("is_root AND span_count > 2", "summary") == 'TRUE AND "span_count" > 2'
    with pytest.raises(QueryError, match="unknown field 'span_parents'"):
        compile_filter("span_parents IS NULL", "summary")


def test_a_pattern_that_is_not_a_regular_expression_is_refused_where_it_is():
    assert "REGEXP_MATCHES" in compile_filter("regexp_matches(output, '(?i)sorry|cannot')")
    with pytest.raises(QueryError, match=r"'\[a-' is not a regular expression") as info:
        compile_filter("is_root AND regexp_matches(output, '[a-')")
    assert (info.value.line, info.value.column) == (1, 36)  # the quoted pattern


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("bogus = 1", 1, 1),
        ("is_root AND\n  nope.x = 2", 2, 3),
        ("is_root AND read_csv('x') IS NULL", 1, 13),
        ("is_root AND (x = ", 1, None),
    ],
)
def test_errors_carry_line_and_column(text, line, column):
    with pytest.raises(QueryError) as info:
        compile_filter(text)
    assert info.value.line == line
    if column is not None:
        assert info.value.column == column


def test_pipe_clauses_split_on_bars_and_newlines_but_not_in_strings():
    q = parse_query(
        "select: id\nfrom: experiment('a|b') traces\n| filter: input = 'x | y' OR input || 'z' = 'q'"
    )
    sql = q.select.sql()
    assert "EXPERIMENT('a|b', shape => 'traces')" in sql and "'x | y'" in sql


def test_pipe_cursor_and_unknown_clause():
    assert parse_query("select: * | from: dataset('d') | cursor: \"abc\"").cursor == "abc"
    with pytest.raises(QueryError, match="unknown clause 'frobnicate'"):
        parse_query("select: * | from: dataset('d') | frobnicate: 1")


def test_sql_offset_string_is_the_cursor():
    assert parse_query("SELECT id FROM experiment('e') OFFSET 'c1'").cursor == "c1"

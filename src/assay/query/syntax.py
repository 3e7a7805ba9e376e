"""The reference dialect as a sqlglot dialect: the operators standard SQL lacks.

It adds `a MATCH 'words'` and `MATCH(a) AGAINST('words')` (full-word search), `a INCLUDES b` /
`a CONTAINS b` (membership), postfix `ISNULL`/`ISNOTNULL` and the ternary `cond ? a : b` on top of
sqlglot's default dialect, so that every syntax the reference
documents parses into one sqlglot tree. Parsing only: nothing here knows about a backend.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp, parser, tokens
from sqlglot.dialects.dialect import Dialect
from sqlglot.tokens import TokenType

# The infix operators become calls of these names (sqlglot's tree has no custom node classes),
# so `a MATCH b` and `match(a, b)` mean the same thing.
MATCH = "match"
INCLUDES = "includes"


def _parse_match(self: parser.Parser, this: exp.Expr | None) -> exp.Expr | None:
    if this is None:
        self.raise_error("MATCH needs a value on its left")
    return self.expression(exp.Anonymous(this=MATCH, expressions=[this, self._parse_bitwise()]))


def _parse_includes(self: parser.Parser, this: exp.Expr | None) -> exp.Expr | None:
    if this is None:
        self.raise_error("INCLUDES needs a value on its left")
    return self.expression(exp.Anonymous(this=INCLUDES, expressions=[this, self._parse_bitwise()]))


class AssaySQL(Dialect):
    """Parse-only dialect for user queries."""

    class Tokenizer(tokens.Tokenizer):
        KEYWORDS = {
            **tokens.Tokenizer.KEYWORDS,
            "MATCH": TokenType.MATCH,
            "INCLUDES": TokenType.MATCH_CONDITION,
            "CONTAINS": TokenType.MATCH_CONDITION,
            "ISNOTNULL": TokenType.NOTNULL,  # postfix, like ISNULL
        }

    class Parser(parser.Parser):
        # `?` is the ternary here, not PostgreSQL's JSONB key test.
        COLUMN_OPERATORS = {
            k: v for k, v in parser.Parser.COLUMN_OPERATORS.items() if k != TokenType.PLACEHOLDER
        }
        FUNC_TOKENS = {*parser.Parser.FUNC_TOKENS, TokenType.MATCH, TokenType.MATCH_CONDITION}
        RANGE_PARSERS = {
            **parser.Parser.RANGE_PARSERS,
            TokenType.MATCH: _parse_match,
            TokenType.MATCH_CONDITION: _parse_includes,
        }

        FUNCTION_PARSERS = {
            **parser.Parser.FUNCTION_PARSERS,
            "MATCH": lambda self: self._parse_match_words(),
        }

        def _parse_match_words(self) -> exp.Expr:
            """`MATCH(a, b) AGAINST('words')`: the words in any of the columns, as `a MATCH 'words'`;
            without AGAINST, `match(a, 'words')` is the plain function form."""
            depth, i = 0, self._index
            while i < len(self._tokens):
                kind = self._tokens[i].token_type
                depth += kind == TokenType.L_PAREN
                if kind == TokenType.R_PAREN:
                    if depth == 0:
                        break
                    depth -= 1
                i += 1
            after = self._tokens[i + 1].text.upper() if i + 1 < len(self._tokens) else ""
            if after != "AGAINST":
                return exp.Anonymous(this=MATCH, expressions=self._parse_csv(self._parse_lambda))
            found = self._parse_match_against()
            if not isinstance(found, exp.MatchAgainst):
                return found
            calls = [
                exp.Anonymous(this=MATCH, expressions=[col, found.this.copy()]) for col in found.expressions
            ]
            return exp.or_(*calls) if len(calls) > 1 else calls[0]

        def _parse_assignment(self) -> Any:
            this = super()._parse_assignment()
            if this is not None and self._match(TokenType.PLACEHOLDER):
                true = super()._parse_assignment()
                if not self._match(TokenType.COLON):
                    self.raise_error("expected ':' in the ternary 'condition ? a : b'")
                false = self._parse_assignment()
                return self.expression(exp.If(this=this, true=true, false=false))
            return this


DIALECT = AssaySQL()

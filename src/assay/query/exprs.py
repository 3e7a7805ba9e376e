"""Compiling one user expression into a backend expression: the allow-list lives here.

Every node of the user's tree is matched against the operators and functions below; anything else
(subqueries, table functions such as `read_csv`, window functions, unknown functions, settings…)
is refused with its position. The output tree is built afresh from the backend's builders, so no
user text reaches the backend except as quoted literals.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from assay.query.dialect import Dialect
from assay.query.errors import QueryError, error_at
from assay.query.fields import NUMERIC, Typed, coerce, flatten, kind_after, resolve
from assay.query.limits import DEFAULT_LIMITS, QueryLimits
from assay.query.syntax import INCLUDES

# The cost of matching a LIKE pattern grows with its wildcards; a handful covers real searches.
MAX_LIKE_WILDCARDS = 16
COMPARISONS: dict[type[exp.Expr], type[exp.Expr]] = {
    exp.EQ: exp.EQ,
    exp.NEQ: exp.NEQ,
    exp.GT: exp.GT,
    exp.GTE: exp.GTE,
    exp.LT: exp.LT,
    exp.LTE: exp.LTE,
}
ARITHMETIC: dict[type[exp.Expr], type[exp.Expr]] = {
    exp.Add: exp.Add,
    exp.Sub: exp.Sub,
    exp.Mul: exp.Mul,
    exp.Div: exp.Div,
    exp.Mod: exp.Mod,
}
INTERVAL_UNITS = frozenset(
    [
        "SECOND",
        "SECONDS",
        "MINUTE",
        "MINUTES",
        "HOUR",
        "HOURS",
        "DAY",
        "DAYS",
        "WEEK",
        "WEEKS",
        "MONTH",
        "MONTHS",
        "YEAR",
        "YEARS",
    ]
)
CASTS = {
    "to_string": "VARCHAR",
    "to_number": "DOUBLE",
    "to_integer": "BIGINT",
    "to_boolean": "BOOLEAN",
    "to_date": "DATE",
    "to_datetime": "TIMESTAMPTZ",
    "to_interval": "INTERVAL",
}
CAST_KINDS = {"VARCHAR": "text", "DOUBLE": "number", "BIGINT": "int", "BOOLEAN": "bool"}
SQL_CAST_TYPES = {
    "DOUBLE": "DOUBLE",
    "FLOAT": "DOUBLE",
    "DECIMAL": "DOUBLE",
    "INT": "BIGINT",
    "BIGINT": "BIGINT",
    "VARCHAR": "VARCHAR",
    "TEXT": "VARCHAR",
    "BOOLEAN": "BOOLEAN",
    "DATE": "DATE",
    "TIMESTAMP": "TIMESTAMPTZ",
    "TIMESTAMPTZ": "TIMESTAMPTZ",
}
# name -> (min args, max args, kind of result, kind wanted of the arguments)
SCALARS: dict[str, tuple[int, int, str, str]] = {
    "lower": (1, 1, "text", "text"),
    "upper": (1, 1, "text", "text"),
    "concat": (1, 32, "text", "text"),
    "coalesce": (1, 32, "any", "value"),
    "nullif": (2, 2, "any", "value"),
    "least": (1, 32, "any", "value"),
    "greatest": (1, 32, "any", "value"),
    "round": (1, 2, "number", "number"),
    "abs": (1, 1, "number", "number"),
    "second": (1, 1, "int", "value"),
    "minute": (1, 1, "int", "value"),
    "hour": (1, 1, "int", "value"),
    "day": (1, 1, "int", "value"),
    "week": (1, 1, "int", "value"),
    "month": (1, 1, "int", "value"),
    "year": (1, 1, "int", "value"),
    "date_trunc": (2, 2, "timestamp", "value"),
    "len": (1, 1, "int", "value"),
    "length": (1, 1, "int", "value"),
}
AGGREGATES: dict[str, tuple[int, int, str, str]] = {
    "count": (0, 1, "int", "value"),
    "count_distinct": (1, 1, "int", "value"),
    "sum": (1, 1, "number", "number"),
    "avg": (1, 1, "number", "number"),
    "min": (1, 1, "any", "value"),
    "max": (1, 1, "any", "value"),
    "percentile": (2, 2, "number", "number"),
}
# sqlglot parses many functions into classes; the class name tells us which one it was.
CLASS_NAMES = {
    "Length": "len",
    "DateTrunc": "date_trunc",
    "TimestampTrunc": "date_trunc",
    "CurrentTimestamp": "now",
    "CurrentDate": "current_date",
    "ToNumber": "to_number",
    "Contains": INCLUDES,
    "JSONExtract": "json_extract",
    "JSONExtractScalar": "json_extract",
}


def function_name(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    return CLASS_NAMES.get(type(node).__name__, node.sql_name().lower())


class ExprCompiler:
    """Compiles expressions of one query; `shape` picks the field table, `aliases` the output names."""

    def __init__(
        self,
        shape: str,
        dialect: Dialect,
        aliases: set[str] | None = None,
        limits: QueryLimits = DEFAULT_LIMITS,
    ) -> None:
        self.shape = shape
        self.d = dialect
        self.limits = limits
        self.aliases = aliases or set()
        self.aggregates = 0
        self.in_aggregate = False
        self.any_span = False  # set when any_span(…) needs the spans of the sources (ANY_SPAN_ROWS)

    def value(self, node: exp.Expr, want: str = "value") -> exp.Expr:
        return coerce(self.typed(node), want, self.d)

    def typed_as(self, node: exp.Expr, want: str) -> Typed:
        t = self.typed(node)
        return Typed(coerce(t, want, self.d), kind_after(t, want))

    def typed(self, node: exp.Expr | None) -> Typed:
        if not isinstance(node, exp.Expr):
            raise QueryError("incomplete expression: an operand is missing")
        if node.args.get("negate"):  # sqlglot marks `x NOT LIKE …` with a flag
            positive = node.copy()
            positive.set("negate", None)
            return Typed(exp.Not(this=exp.Paren(this=self.value(positive, "bool"))), "bool")
        return self._typed(node)

    def _typed(self, node: exp.Expr) -> Typed:
        if isinstance(node, exp.Literal):
            return Typed(
                exp.Literal(this=node.this, is_string=node.is_string), "text" if node.is_string else "number"
            )
        if isinstance(node, exp.Boolean):
            return Typed(exp.Boolean(this=node.this), "bool")
        if isinstance(node, exp.Null):
            return Typed(exp.Null(), "any")
        if isinstance(node, exp.Column | exp.Dot | exp.Bracket):
            return self.field(node)
        if isinstance(node, exp.Paren):
            inner = self.typed(node.this)
            return inner if inner.kind == "path" else Typed(exp.Paren(this=inner.expr), inner.kind)
        if isinstance(node, exp.And | exp.Or):
            cls = type(node)
            return Typed(
                cls(this=self.value(node.this, "bool"), expression=self.value(node.expression, "bool")),
                "bool",
            )
        if isinstance(node, exp.Not):
            return Typed(exp.Not(this=self.value(node.this, "bool")), "bool")
        if type(node) in COMPARISONS:
            left, right = self.pair(node.this, node.expression)
            return Typed(COMPARISONS[type(node)](this=left, expression=right), "bool")
        if isinstance(node, exp.Is):
            if not isinstance(node.expression, exp.Null):
                raise error_at(node, "IS supports only IS NULL and IS NOT NULL")
            return Typed(exp.Is(this=self.value(node.this, "text"), expression=exp.Null()), "bool")
        if isinstance(node, exp.In):
            return self.in_list(node)
        if isinstance(node, exp.Like | exp.ILike):
            like_cls = type(node)
            pattern = node.expression
            if not (isinstance(pattern, exp.Literal) and pattern.is_string):
                raise error_at(node, "LIKE needs a quoted pattern, e.g. input LIKE '%word%'")
            wildcards = sum(pattern.this.count(ch) for ch in "%_")
            if wildcards > MAX_LIKE_WILDCARDS:
                raise error_at(node, f"a LIKE pattern may hold at most {MAX_LIKE_WILDCARDS} % or _ wildcards")
            like = like_cls(
                this=self.value(node.this, "text"), expression=self.value(node.expression, "text")
            )
            return Typed(exp.Escape(this=like, expression=exp.Literal.string("\\")), "bool")
        if isinstance(node, exp.Between):
            value = self.typed(node.this)
            want = "number" if value.kind == "path" else "value"
            return Typed(
                exp.Between(
                    this=coerce(value, want, self.d),
                    low=self.value(node.args["low"], want),
                    high=self.value(node.args["high"], want),
                ),
                "bool",
            )
        if type(node) in ARITHMETIC:
            return self.arithmetic(node)
        if isinstance(node, exp.Neg):
            return Typed(exp.Neg(this=self.value(node.this, "number")), "number")
        if isinstance(node, exp.Case | exp.If):
            return self.case(node)
        if isinstance(node, exp.Interval):
            return self.interval(node)
        if isinstance(node, exp.Cast | exp.TryCast):
            to = node.to.sql().upper().split("(")[0]
            if to not in SQL_CAST_TYPES:
                raise error_at(node, f"cannot cast to {to}")
            target = SQL_CAST_TYPES[to]
            want = {"DOUBLE": "number", "BIGINT": "number", "BOOLEAN": "bool"}.get(target, "text")
            return Typed(self.d.cast(self.value(node.this, want), target), CAST_KINDS.get(target, "any"))
        if isinstance(node, exp.Func):
            return self.function(node)
        raise error_at(node, f"{node.key.upper()} is not allowed in a query")

    # -- pieces ------------------------------------------------------------------------------
    def field(self, node: exp.Expr) -> Typed:
        parts = flatten(node)
        if parts is None:
            raise error_at(node, f"{node.key.upper()} is not allowed here")
        if len(parts) == 1 and isinstance(parts[0], str):
            name = parts[0]
            if name in self.aliases:
                return Typed(exp.column(name, quoted=True), "any")
            ident = node.this if isinstance(node, exp.Column) else None
            if isinstance(ident, exp.Identifier) and ident.quoted and not self._known(name):
                return Typed(exp.Literal.string(name), "text")  # BTQL allows "double-quoted strings"
        return resolve(node, parts, self.shape, self.d)

    def _known(self, name: str) -> bool:
        from assay.query.fields import fields_for

        return name in fields_for(self.shape)

    def pair(self, a: exp.Expr, b: exp.Expr) -> tuple[exp.Expr, exp.Expr]:
        """Two compared operands, a pending JSON path typed after the other side."""
        left, right = self.typed(a), self.typed(b)
        lw = self._want_for(left, right)
        rw = self._want_for(right, left)
        return coerce(left, lw, self.d), coerce(right, rw, self.d)

    @staticmethod
    def _want_for(value: Typed, other: Typed) -> str:
        if value.kind not in ("path", "json"):
            return "value"
        if other.kind in NUMERIC:
            return "number"
        if other.kind == "bool":
            return "bool"
        return "text"

    def in_list(self, node: exp.In) -> Typed:
        if (
            node.args.get("query") is not None
            or node.args.get("unnest") is not None
            or node.args.get("field")
        ):
            raise error_at(node, "IN accepts a list of values, not a subquery")
        items = [self.typed(i) for i in node.expressions]
        value = self.typed(node.this)
        want = "value"
        if value.kind in ("path", "json"):
            want = "number" if items and all(i.kind in NUMERIC for i in items) else "text"
        return Typed(
            exp.In(this=coerce(value, want, self.d), expressions=[coerce(i, "value", self.d) for i in items]),
            "bool",
        )

    def arithmetic(self, node: exp.Expr) -> Typed:
        left, right = self.typed(node.this), self.typed(node.expression)
        temporal = {left.kind, right.kind} & {"timestamp", "interval"}
        if temporal:
            kind = "interval" if left.kind == right.kind == "interval" else "timestamp"
            return Typed(
                type(node)(this=coerce(left, "value", self.d), expression=coerce(right, "value", self.d)),
                kind,
            )
        return Typed(
            type(node)(this=coerce(left, "number", self.d), expression=coerce(right, "number", self.d)),
            "number",
        )

    def case(self, node: exp.Expr) -> Typed:
        if isinstance(node, exp.If):
            branches = [(node.this, node.args.get("true"))]
            default = node.args.get("false")
        else:
            if node.this is not None:
                raise error_at(node, "write CASE WHEN <condition> THEN …, not CASE <value> WHEN …")
            branches = [(i.this, i.args.get("true")) for i in node.args.get("ifs") or []]
            default = node.args.get("default")
        if any(c is None or t is None for c, t in branches):
            raise error_at(node, "every WHEN needs a condition and a THEN value")
        ifs = [exp.If(this=self.value(c, "bool"), true=self.value(t)) for c, t in branches]  # type: ignore[arg-type]
        out = exp.Case(ifs=ifs, default=None if default is None else self.value(default))
        kinds = {self.typed(t).kind for _, t in branches}
        return Typed(out, kinds.pop() if len(kinds) == 1 else "any")

    def interval(self, node: exp.Interval) -> Typed:
        unit = str(node.unit.name if node.unit is not None else "").upper()
        amount = node.this
        if unit not in INTERVAL_UNITS:
            raise error_at(node, f"interval unit must be one of {', '.join(sorted(INTERVAL_UNITS))}")
        if not isinstance(amount, exp.Literal) or not str(amount.this).lstrip("-").isdigit():
            raise error_at(node, "an interval needs a whole number, e.g. INTERVAL 3 DAY")
        return Typed(
            exp.Interval(this=exp.Literal.string(str(int(amount.this))), unit=exp.var(unit)), "interval"
        )

    def args_of(self, node: exp.Func) -> list[exp.Expr]:
        if isinstance(node, exp.Anonymous):
            return list(node.expressions)
        if isinstance(node, exp.Count):
            inner = node.this
            return [] if inner is None or isinstance(inner, exp.Star) else [inner]
        return [a for a in node.iter_expressions()]

    def function(self, node: exp.Func) -> Typed:
        from assay.query.functions import compile_function

        return compile_function(self, node, function_name(node))


Builder = Callable[[ExprCompiler, exp.Func, list[exp.Expr]], Typed]

"""The comparison key: how test cases of different experiments are recognised as the same case.

As in the reference product, a project's key is the setting `comparison_key`, one expression of the
query language over a trace (default `input`: two traces are the same test case when their whole
inputs are equal). An array matches on several parts: `[input.query, metadata.category]`.

Why `input` and not the dataset record (`origin.id`), which Assay used before: the reference
documents `input`, and a key that falls back from `origin.id` to the input matches nothing when one
experiment ran on a dataset and the other did not. Experiments run on one dataset share inputs, so
they match either way; trials (several traces of one input) form one test case whose value is the
mean of its trials.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from assay.model.errors import InvalidInput
from assay.model.objects import OBJECT_TYPES
from assay.query import QueryError
from assay.query.dialect import Dialect
from assay.query.expression import compile_key, parse_expression
from assay.services.context import Services

DEFAULT_KEY = "input"
MAX_KEY_CHARS = 4000


def key_text(project: dict[str, Any] | None) -> str:
    """The project's comparison key as written, or the default."""
    settings = (project or {}).get("settings") or {}
    text = settings.get("comparison_key")
    return text.strip() if isinstance(text, str) and text.strip() else DEFAULT_KEY


def check(text: str, dialect: Dialect) -> str:
    """Validate a key for the project setting; the 400 names the position of a mistake."""
    if len(text) > MAX_KEY_CHARS:
        raise InvalidInput(f"comparison_key is longer than {MAX_KEY_CHARS} characters")
    try:
        compile_key(parse_expression(text), dialect)
    except QueryError as exc:
        raise InvalidInput(f"comparison_key {text!r}: {exc.message}") from None
    return text.strip()


def compiled(text: str, dialect: Dialect) -> list[exp.Expr] | None:
    """The key's compiled parts for the store, or None for the default (stored with each trace)."""
    return None if text.strip() == DEFAULT_KEY else compile_key(parse_expression(text), dialect)


def of_object(svc: Services, object_type: str, object_id: str) -> str | None:
    """The comparison key of the project an object's rows belong to; None for the default."""
    kind = OBJECT_TYPES[object_type].catalog_kind
    doc = svc.store.get_object(kind, object_id) or {}
    project_id = doc.get("id") if kind == "project" else doc.get("project_id")
    key = key_text(svc.store.get_object("project", project_id) if project_id else None)
    return None if key == DEFAULT_KEY else key

"""Scorers, classifiers and facets as project objects: the reference's `/v1/function` shapes.

A function is `{id, _xact_id, project_id, log_id: "p", org_id, name, slug, description, created,
function_type, function_data, prompt_data, tags, metadata, origin, function_schema}` (reference
`Function`). Assay keeps the function types it can run on the server, and runs only data it can
interpret — never code:

| `function_data.type` | what it is | function types |
|---|---|---|
| `global` (`name`, Assay: `args`) | a built-in `autoevals` scorer (`assay.services.scorers.builtin`) | scorer |
| `prompt` (with `prompt_data`) | an LLM judge with choice scores, an LLM classifier with a label set, or an LLM facet | scorer, classifier, facet |
| `sql` (Assay: `expression`) | an expression of the query language over the scored span | scorer (a number in [0, 1]), classifier (a label) |
| `rules` (Assay: `rules`, `multiple`) | labels from regex or SQL conditions, first match (or every match) | classifier |

`code` functions (Python or TypeScript) are refused: Assay never runs user code on the server.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

FunctionType = Literal["scorer", "classifier", "facet"]
FUNCTION_TYPES: tuple[str, ...] = ("scorer", "classifier", "facet")
# The reference's other function types (prompts, tasks, tools…), which Assay does not keep.
OTHER_FUNCTION_TYPES = frozenset(
    {"llm", "task", "tool", "custom_view", "preprocessor", "tag", "parameters", "agent", "workflow"}
)
DATA_TYPES = ("global", "prompt", "sql", "rules")
# The span type (`span_attributes.type`) of each function type's result spans. Score spans are
# also what the reference SDK writes; everything that shows scorer results or counts scorer
# errors reads all three.
RESULT_SPAN_TYPES: dict[str, str] = {"scorer": "score", "classifier": "classifier", "facet": "facet"}
RESULT_SPAN_TYPES_SQL = "(" + ", ".join(f"'{t}'" for t in RESULT_SPAN_TYPES.values()) + ")"
MAX_TEXT = 20_000  # prompt messages, expressions, patterns


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Rule(BaseModel):
    """One rule of a rules classifier: a label and when it applies (a regex on a field, or SQL)."""

    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1, max_length=200, description="The label shown")
    id: str | None = Field(
        None, min_length=1, max_length=200, description="Stable id for filters (default: the label)"
    )
    regex: str | None = Field(
        None,
        min_length=1,
        max_length=1000,
        description="Applies when this regular expression (RE2 syntax) matches `field` as text",
    )
    field: str = Field("output", min_length=1, max_length=200, description="The field `regex` reads")
    when: str | None = Field(
        None, min_length=1, max_length=4000, description="Applies when this SQL condition holds"
    )


class CreateFunction(_Lenient):
    """`POST` / `PUT /v1/function` (reference `CreateFunction`)."""

    project_id: str = Field(min_length=1)
    name: str = Field(min_length=1, max_length=200)
    slug: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="Default: from the name",
    )
    description: str | None = Field(None, max_length=4000)
    function_type: str | None = Field(None, description="scorer (default), classifier or facet")
    function_data: dict[str, Any]
    prompt_data: dict[str, Any] | None = None
    tags: list[str] | None = None
    metadata: dict[str, Any] | None = None


class PatchFunction(_Lenient):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=4000)
    function_data: dict[str, Any] | None = None
    prompt_data: dict[str, Any] | None = None
    tags: list[str] | None = None
    metadata: dict[str, Any] | None = None


class Function(BaseModel):
    """A stored function, as `/v1/function` returns it. `version` (Assay) is a hash of what the
    function computes: scoring results are idempotent per row, function and version."""

    model_config = ConfigDict(populate_by_name=True)

    id: str
    xact_id: str = Field(alias="_xact_id")
    project_id: str
    log_id: Literal["p"] = "p"
    org_id: str
    name: str
    slug: str
    description: str | None = None
    created: str
    function_type: FunctionType
    function_data: dict[str, Any]
    prompt_data: dict[str, Any] | None = None
    tags: list[str] | None = None
    metadata: dict[str, Any] | None = None
    origin: dict[str, Any] | None = None
    function_schema: dict[str, Any] | None = None
    deleted_at: str | None = None
    version: str


class FunctionList(BaseModel):
    objects: list[dict[str, Any]]


class BuiltinScorer(BaseModel):
    """A built-in scorer, addressed as `{"type": "global", "name": …}`."""

    name: str
    function_type: FunctionType
    description: str
    needs_llm: bool
    available: bool = Field(description="Whether this server can run it now (LLM judges need an LLM)")
    args: dict[str, str] = Field(default_factory=dict, description="Optional arguments and what they mean")


class LLMSettings(BaseModel):
    """The server's LLM configuration as the web app may see it (never the key)."""

    configured: bool
    base_url: str | None
    model: str
    embeddings_model: str | None
    key_set: bool

"""The Store interface: the only door to a database. Its docstrings are the specification.

Every backend (DuckDB now, PostgreSQL later) implements `Store` and passes the conformance suite
in `tests/store/`. Callers never see backend SQL.

Model, in brief:
- *Catalog objects* (projects, experiments, datasets) are documents keyed by id, with a kind, an
  organization, a parent project and a name; deletes are soft (`deleted_at`).
- *Rows* belong to one object (`ObjectRef`). Each write request is appended to an event log and
  applied to the merged current state in one transaction, under one new `_xact_id` (a 19-digit,
  strictly increasing decimal string). Rows are merged with `assay.model.merge.apply_write`.
- *Comments* (from feedback) hang off a target row and are returned in its `comments` list.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

import orjson

from assay.model.objects import ObjectKind, Organization
from assay.store.jobs import JobStore
from assay.store.people import PeopleStore
from assay.store.records import RecordStore

if TYPE_CHECKING:
    import pyarrow as pa
    from sqlglot import exp

    from assay.query.compile import Compiled
    from assay.query.dialect import Dialect


class StoreUnavailable(Exception):
    """The database cannot be opened (e.g. another process holds it); the message says why."""


@dataclass(frozen=True)
class ObjectRef:
    """Which object a row belongs to. For project logs, `object_id` is the project id."""

    object_type: str  # "experiment" | "dataset" | "project_logs"
    object_id: str


@dataclass(frozen=True)
class Located:
    """A catalog object's document and the organization that owns it."""

    doc: dict[str, Any]
    org_id: str


@dataclass
class RowWrite:
    """One row of a write request: `body` holds user fields and control keys (`_is_merge`…).

    With `must_exist` (feedback), a row that does not exist when the write applies fails the
    whole request with `NotFound`, and nothing of it is written."""

    ref: ObjectRef
    project_id: str
    row_id: str
    body: dict[str, Any]
    must_exist: bool = False


@dataclass
class CommentWrite:
    """A feedback comment attached to row `target_id` of `ref`; idempotent on `comment_id`."""

    ref: ObjectRef
    comment_id: str
    target_id: str
    body: dict[str, Any]


@dataclass
class WriteRequest:
    """Everything one client request writes; it commits whole or not at all."""

    rows: list[RowWrite] = field(default_factory=list)
    comments: list[CommentWrite] = field(default_factory=list)


@dataclass
class WriteResult:
    """`xact_id` is None when the request changed nothing (e.g. a replay); `changed_rows` counts
    the rows whose net state the request changed, plus the new comments it added."""

    xact_id: str | None
    changed_rows: int


@dataclass
class FetchPage:
    """A page of events, each as its JSON text (what the fetch routes send as they are)."""

    documents: list[str]
    cursor: str | None

    @property
    def events(self) -> list[dict[str, Any]]:
        return [orjson.loads(d) for d in self.documents]


@dataclass
class TraceStats:
    """Per-object aggregate used by summaries: one entry per score or metric name."""

    scores: dict[str, float]  # name -> mean over traces of the trace's mean
    metrics: dict[str, float]  # name -> mean over traces of the trace's aggregate
    traces: int


@dataclass
class MeasureComparison:
    """One score or metric of one experiment set against a base experiment.

    Test cases are matched by comparison key; a test case's value is the mean over its traces.
    `higher`/`lower` count the experiment's traces whose value is above/below the base's value of
    their test case (which of the two is an improvement depends on the measure). `pairs`,
    `mean_diff` and `sd_diff` describe the matched test cases: how many have a value on both sides,
    and the mean and sample standard deviation of (case value - base case value)."""

    mean: float | None
    count: int  # traces with a value
    higher: int = 0
    lower: int = 0
    pairs: int = 0
    mean_diff: float | None = None
    sd_diff: float | None = None


@dataclass
class ExperimentComparison:
    """Every score and metric of one experiment against the base (the base's own entry has no pairs)."""

    traces: int
    scores: dict[str, MeasureComparison]
    metrics: dict[str, MeasureComparison]


@dataclass
class CaseValues:
    """One experiment's test case with one comparison-key value: how many traces (trials), one of
    them (the smallest id), and the means over them of the scores and metrics asked for."""

    traces: int
    id: str
    scores: dict[str, float | None]
    metrics: dict[str, float | None]


# What a result column holds, in backend-neutral terms (how `assay.services.query_results` decodes it).
ValueKind = Literal[
    "text",
    "bool",
    "number",
    "integer",
    "json",
    "timestamp",
    "date",
    "interval",
    "text_list",
    "number_map",
    "other",
]


@dataclass
class ResultSet:
    """The answer of `Store.execute`: the rows as an Arrow table, and each column's kind."""

    table: pa.Table
    kinds: list[ValueKind]


class Store(Protocol):
    """A database holding organizations, people, catalog objects and rows."""

    url: str
    dialect: Dialect  # how `assay.query` spells statements for this backend

    @property
    def jobs(self) -> JobStore:
        """Durable background jobs, worked on in leased chunks (`assay.store.jobs`)."""

    @property
    def people(self) -> PeopleStore:
        """Users, memberships, API keys, sessions, one-time links."""

    @property
    def records(self) -> RecordStore:
        """Groups, roles, ACLs and saved views (with default views)."""

    def close(self) -> None:
        """Flush and release the database. Pending writes complete first."""

    def change_count(self) -> int | None:
        """A number that moves whenever people, keys, access rules or the catalog may have changed
        (any write but row data), so what a caller read of them under an unchanged number still
        holds: authentication caches on it. None from a backend that other processes may write
        to (PostgreSQL): nothing read may then be reused."""

    def shared_secret(self, name: str) -> bytes | None:
        """A random secret called `name`, created on first use and the same for every server of
        this database (e.g. the key signing attachment URLs). None from a backend that one
        process owns (DuckDB): the caller keeps its own beside the database."""

    # -- copying a whole database (`assay migrate`; tables and value types: store/copying.py) --
    def copy_count(self, table: str) -> int:
        """How many rows copied table `table` holds."""

    def copy_out(self, table: str, *, batch: int) -> Iterator[list[tuple[Any, ...]]]:
        """Every row of copied table `table`, in its key order, in lists of at most `batch`."""

    def copy_in(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        """Append rows (as `copy_out` yields them) to `table`, in one transaction. Only for a
        database being filled by a copy: nothing is merged, checked or marked."""

    def copy_done(self) -> None:
        """After the last `copy_in`: rebuild what is derived from the copied tables (the
        `_xact_id` clock, trace summaries, the backend's own indexes), so the database serves."""

    # -- organizations --------------------------------------------------------------------
    def ensure_org(self, name: str) -> Organization:
        """Return the organization called `name`, creating it if needed, with its built-in
        groups (Owners, Engineers, Viewers) and their grants (`assay.model.access`)."""

    def get_org(self, org_id: str) -> Organization | None: ...

    def list_orgs(self) -> list[Organization]: ...

    # -- catalog objects ------------------------------------------------------------------
    def create_object(
        self, kind: ObjectKind, doc: dict[str, Any], *, if_exists: str = "return"
    ) -> tuple[dict[str, Any], bool]:
        """Create a catalog object atomically; return (object, created).

        Uniqueness is by (kind, parent, name) among non-deleted objects, where the parent is the
        organization for projects and the project otherwise. `if_exists="return"` returns the
        existing object unchanged; `"rename"` stores `doc` under the first free name among
        `name`, `name-1`, `name-2`, …
        """

    def get_object(self, kind: ObjectKind, object_id: str) -> dict[str, Any] | None:
        """The object with this id, deleted or not; None when unknown."""

    def locate(self, kind: ObjectKind, object_id: str) -> Located | None:
        """The object with this id (deleted or not) and its organization, in one lookup: what
        an access decision needs. None when unknown."""

    def object_org(self, object_id: str) -> str | None:
        """The organization owning a catalog object, deleted or not (used for access checks)."""

    def list_objects(
        self,
        kind: ObjectKind,
        *,
        org_id: str | None = None,
        project_id: str | None = None,
        name: str | None = None,
        ids: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Non-deleted objects matching every given filter, newest first."""

    def update_object(self, kind: ObjectKind, doc: dict[str, Any]) -> dict[str, Any]:
        """Replace the stored document of an existing object (renames keep names unique)."""

    # -- rows -----------------------------------------------------------------------------
    def write(self, request: WriteRequest) -> WriteResult:
        """Apply one request atomically and durably; return once it is committed.

        Rows are applied in order with the merge rules; rows whose result equals the stored row
        are skipped, so a replayed request changes nothing. Changed rows, their events and the
        comments commit together under one new `_xact_id`.
        """

    def fetch(
        self,
        ref: ObjectRef,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        version: int | None = None,
    ) -> FetchPage:
        """Rows of an object, whole traces at a time, newest trace first.

        `limit` counts traces. `version` reads the state as of that `_xact_id` (replayed from the
        event log when older than the current state). The returned cursor is None on the last page.
        """

    def attach_comments(self, object_type: str, events: list[dict[str, Any]]) -> None:
        """Fill the `comments` of API events of `object_type` (rows of any of its objects), as
        `fetch` does; for events read another way, e.g. by a query."""

    def max_xact_id(self, ref: ObjectRef) -> str | None:
        """The newest `_xact_id` that wrote to the object (its current version)."""

    def count_rows(self, ref: ObjectRef, *, roots_only: bool = False) -> int: ...

    # -- queries --------------------------------------------------------------------------
    def execute(self, compiled: Compiled, *, timeout: float, memory: int) -> ResultSet:
        """Run one statement compiled for `self.dialect` and return all its rows.

        Whatever the statement reads is brought up to date with every committed write first
        (e.g. stored trace summaries of `compiled.source`): callers never refresh anything.
        The statement runs on its own connection and is bounded: it is stopped within about a
        second of `timeout` seconds (`QueryTimeout`, 408), and refused when its intermediates
        (sorts, groups, joins, strings it builds) would need more than `memory` bytes
        (`QueryTooLarge`, 400). Any other failure of the statement is a `QueryError` (400).
        None of these leaves the database unusable for the next request.
        """

    def trace_stats(self, ref: ObjectRef) -> TraceStats:
        """Scores and metrics aggregated per trace (scores: mean over all spans; duration: last
        end - first start; tokens, cost, LLM calls, errors: sums), then averaged over traces."""

    def compare_experiments(
        self,
        base: ObjectRef,
        others: Sequence[ObjectRef],
        *,
        key: Sequence[exp.Expr] | None = None,
        metrics: Sequence[str] = (),
        where: exp.Expr | None = None,
        formulas: Mapping[str, exp.Expr] | None = None,
    ) -> dict[str, ExperimentComparison]:
        """Each of `others` (and the base itself) against `base`, per score and per metric named in
        `metrics`, keyed by object id; see `MeasureComparison`. Test cases are matched by `key`,
        the compiled parts of the project's comparison key (`assay.query.expression.compile_key`
        for `self.dialect`), or by the whole `input` when None. A trace whose key is NULL matches
        nothing. One statement for all of them.

        `where`, a compiled condition over a trace summary (the table's filters), keeps the traces
        that count; the base's test-case values the others are measured against stay over all its
        traces (see `CompareTrees.comparison_sql`). `formulas` adds scores computed from a summary
        row (compiled aggregate project scores), measured like logged ones. A failing `where` is a
        `QueryError` (400)."""

    def test_cases(
        self,
        refs: Sequence[ObjectRef],
        keys: Sequence[str],
        *,
        key: Sequence[exp.Expr] | None = None,
        scores: Sequence[str] = (),
        metrics: Sequence[str] = (),
    ) -> dict[tuple[str, str], CaseValues]:
        """(object id, key) -> the test case, for these objects' test cases whose comparison key
        (`key` as for `compare_experiments`) is one of `keys`, written as the query language shows
        `match_key`. One statement reading only the traces with those keys: how a page of compared
        rows finds its cases without aggregating every case of every experiment."""

    def score_names(self, refs: Sequence[ObjectRef]) -> list[str]:
        """Every score name found in the trace summaries of these objects, sorted."""

    def score_histograms(
        self, refs: Sequence[ObjectRef], bins: int, where: exp.Expr | None = None
    ) -> dict[str, dict[str, list[int]]]:
        """object id -> score name -> `bins` counts of traces (those `where` keeps) over equal bins
        of [0, 1] (a trace's score is its mean over its spans; 1.0 counts in the last bin)."""
